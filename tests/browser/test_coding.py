"""The coding workspace in Chromium: mouse, keyboard, inline codes, overlaps, removal, live updates."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from coding.models import Area, Code, Coding
from tests.factories import (
    InterviewFactory,
    MembershipFactory,
    RoundFactory,
    StudyFactory,
    TeamFactory,
    UserFactory,
    make_transcript,
)
from transcripts.models import Role

pytestmark = pytest.mark.django_db(transaction=True)

TURNS = [
    ("Intervjuare", "Hur samverkar ni i teamet?"),
    ("Arbetsterapeut", "Vi träffas varje morgon och planerar dagen tillsammans med sjuksköterskan."),
    ("Sjuksköterska", "Det gör att vi slipper lämna över saker i flera led, och brukaren märker skillnaden."),
    ("Intervjuare", "Hur gör ni individen delaktig?"),
    ("Arbetsterapeut", "Vi frågar alltid vad personen själv vill klara av hemma, det är utgångspunkten."),
]


@pytest.fixture
def setup(db):
    study = StudyFactory(name="Kodningsstudie")
    coder = MembershipFactory(study=study, user=UserFactory(username="kodare"), role=Role.CORESEARCHER).user
    other = MembershipFactory(study=study, user=UserFactory(username="kollega"), role=Role.CORESEARCHER).user
    team = TeamFactory(study=study, number=1)
    interview = InterviewFactory(team=team, round=RoundFactory(study=study, number=1))
    transcript = make_transcript(interview, TURNS)
    samverkan = Area.objects.get(slug="samverkan")
    planning = Code.objects.create(study=study, area=samverkan, name="Gemensam planering")
    Code.objects.create(study=study, area=Area.objects.get(slug="delaktighet"), name="Egna mål")
    return {"study": study, "coder": coder, "other": other, "transcript": transcript, "planning": planning}


def select_text(page, turn_position: int, phrase: str) -> None:
    """Drag the mouse over `phrase` inside a turn, as a user would."""
    text = page.locator(f"#t{turn_position} .turn-text")
    box = page.evaluate(
        """([sel, phrase]) => {
            const el = document.querySelector(sel);
            const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
            let node; while ((node = walker.nextNode())) {
              const i = node.textContent.indexOf(phrase);
              if (i >= 0) {
                const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + phrase.length);
                const rects = r.getClientRects(); const a = rects[0], b = rects[rects.length - 1];
                return {x1: a.left + 1, y1: a.top + a.height / 2, x2: b.right - 1, y2: b.top + b.height / 2};
              }
            }
            return null;
        }""",
        [f"#t{turn_position} .turn-text", phrase],
    )
    assert box, f"{phrase!r} not found in turn {turn_position}"
    text.scroll_into_view_if_needed()
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def test_it_codes_a_selection_with_the_mouse(live_server, page, login, setup, csp_violations):
    login(setup["coder"])
    page.goto(live_server.url + setup["transcript"].get_absolute_url())
    select_text(page, 2, "planerar dagen tillsammans")
    popup = page.get_by_role("dialog", name="Koda markerat avsnitt")
    expect(popup).to_be_visible()
    popup.get_by_role("option", name=re.compile("Gemensam planering")).click()
    expect(page.locator("#t2 mark.coded")).to_have_text("planerar dagen tillsammans")
    expect(page.locator("#passage-panel")).to_contain_text("Gemensam planering")
    coding = Coding.objects.get()
    assert (coding.code, coding.coder, coding.text) == (setup["planning"], setup["coder"], "planerar dagen tillsammans")
    assert setup["transcript"].text[coding.start:coding.end] == "planerar dagen tillsammans"
    assert csp_violations == []


def test_it_codes_with_the_keyboard_and_creates_a_code_inline(live_server, page, login, setup):
    login(setup["coder"])
    page.goto(live_server.url + setup["transcript"].get_absolute_url())
    page.locator("#t1").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#t3")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Koda markerat avsnitt")).to_be_visible()
    page.keyboard.type("Färre överlämningar")
    expect(page.get_by_role("option", name=re.compile("Skapa kod"))).to_be_visible()
    page.get_by_label("Ny kod under").select_option(label="Samverkan")
    page.keyboard.press("Enter")
    expect(page.locator("#t3 mark.coded")).to_have_count(1)
    code = Code.objects.get(name="Färre överlämningar")
    assert code.area.slug == "samverkan" and code.created_by == setup["coder"]
    coding = Coding.objects.get(code=code)
    assert coding.text == TURNS[2][1]
    # Keyboard again: filter, arrow, tick two codes with Shift+Enter, apply both with Enter.
    page.locator("#t5").focus()
    page.keyboard.press("Enter")
    page.keyboard.type("egna")
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Control+a")
    page.keyboard.type("planering")
    page.keyboard.press("Shift+Enter")
    page.keyboard.press("Enter")
    expect(page.locator("#t5 .turn-bars .bar")).to_have_count(2)
    assert set(Coding.objects.filter(turn__position=5).values_list("code__name", flat=True)) == {
        "Egna mål", "Gemensam planering"}


def test_it_shows_overlapping_codings_and_removes_one(live_server, page, login, setup):
    transcript, coder = setup["transcript"], setup["coder"]
    turn = transcript.turns.get(position=2)
    first = turn.text.index("planerar")
    Coding.objects.create(transcript=transcript, code=setup["planning"], coder=coder, turn=turn,
                          start=turn.start, end=turn.start + first + 8, text=turn.text[:first + 8])
    other_code = Code.objects.get(name="Egna mål")
    Coding.objects.create(transcript=transcript, code=other_code, coder=coder, turn=turn,
                          start=turn.start + first, end=turn.end, text=turn.text[first:])
    login(coder)
    page.goto(live_server.url + transcript.get_absolute_url())
    expect(page.locator("#t2 .turn-bars .bar.placed")).to_have_count(2)
    expect(page.locator("#t2 mark.multi")).to_have_text("planerar")
    lefts = page.eval_on_selector_all("#t2 .bar.placed", "bars => bars.map(b => b.style.left)")
    assert len(set(lefts)) == 2, "overlapping codings share a lane"
    page.locator("#t2 mark.multi").click()
    panel = page.locator("#passage-panel")
    expect(panel.locator(".coding-item")).to_have_count(2)
    panel.get_by_role("button", name="Ta bort koden Egna mål").click()
    expect(page.locator("#t2 .turn-bars .bar")).to_have_count(1)
    assert list(Coding.objects.values_list("code__name", flat=True)) == ["Gemensam planering"]


def test_it_shows_another_users_coding_without_reload(live_server, page, login, setup, settings):
    settings.NVOS_POLL_SECONDS = 1
    transcript = setup["transcript"]
    login(setup["coder"])
    page.goto(live_server.url + transcript.get_absolute_url())
    expect(page.locator("#t4 mark.coded")).to_have_count(0)
    from coding.codings import apply_codings

    turn = transcript.turns.get(position=4)
    apply_codings(transcript=transcript, codes=[setup["planning"]], coder=setup["other"],
                  start=turn.start, end=turn.end)
    expect(page.locator("#t4 mark.coded")).to_have_count(1, timeout=10_000)
    expect(page.locator("#t4 .bar")).to_have_attribute("title", re.compile("kollega"))
