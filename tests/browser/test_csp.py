"""Every main page of the demo study in Chromium under the real Content-Security-Policy:
load it, use what runs scripts (coding popup, map, key quotes, heatmap), and find no violation.

Violations are caught twice: in the console (`csp_violations`) and as
`securitypolicyviolation` events, recorded by a script Chromium runs before each page's own.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from coding.demo import create_demo_study
from coding.models import Area, Code, Coding, Theme, ThemeStatus
from transcripts.models import Team, Transcript

from .test_coding import select_text

pytestmark = pytest.mark.django_db(transaction=True)

RECORDER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.nvosCspViolation({page: location.pathname, directive: event.violatedDirective,
                           blocked: event.blockedURI, source: event.sourceFile, line: event.lineNumber,
                           sample: event.sample});
}, true);
"""


def uncoded_phrase(transcript: Transcript) -> tuple[int, str]:
    """A participant turn nobody coded, and three of its words to select with the mouse."""
    coded = Coding.objects.filter(transcript=transcript)
    for turn in transcript.turns.filter(speaker_kind="participant").order_by("position"):
        if not coded.filter(start__lt=turn.end, end__gt=turn.start).exists():
            words = turn.text.split()
            if len(words) >= 5:
                return turn.position, " ".join(words[1:4])
    raise AssertionError("the demo transcript has no uncoded participant turn")


def test_it_runs_every_main_page_without_a_csp_violation(live_server, page, login, csp_violations):
    study, _created = create_demo_study()
    users = get_user_model().objects
    transcript = Transcript.objects.filter(interview__team__study=study).order_by("pk").first()
    position, phrase = uncoded_phrase(transcript)
    code = Code.objects.filter(study=study, area__slug="samverkan").order_by("name").first()
    loose = Code.objects.create(study=study, area=Area.objects.get(slug="digitalisering"), name="CSP-provkod")
    theme = (Theme.objects.filter(study=study, themecode__code__codings__isnull=False)
             .exclude(status=ThemeStatus.DISCARDED).distinct().order_by("name").first())

    events: list[dict] = []
    page.expose_function("nvosCspViolation", lambda event: events.append(event))
    page.add_init_script(RECORDER)
    base = f"{live_server.url}/studier/{study.pk}/"

    def visit(path: str) -> None:
        response = page.goto(base + path if not path.startswith("/") else live_server.url + path)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"

    login(users.get(username="projektledare"))
    visit("/")
    # First prove that both recorders hear a violation: an inline script the policy blocks.
    page.evaluate("""() => { const s = document.createElement("script");
                             s.textContent = "window.nvosInline = 1"; document.body.append(s); }""")
    for _attempt in range(40):
        if events and csp_violations:
            break
        page.wait_for_timeout(50)
    assert page.evaluate("() => window.nvosInline") is None
    assert [e["directive"] for e in events] == ["script-src-elem"], events
    assert len(csp_violations) == 1, csp_violations
    events.clear()
    csp_violations.clear()
    for path in ("", "transkript/", "kodbok/", f"kodbok/{code.pk}/", "teman/", "teman/jamforelse/",
                 "export/", "export/utskrift/", "anteckningar/", "import/", "kansliga-ord/"):
        visit(path)

    # The coding workspace: select with the mouse, apply a code in the popup, open the passage.
    visit(f"transkript/{transcript.pk}/")
    select_text(page, position, phrase)
    popup = page.get_by_role("dialog", name="Koda markerat avsnitt")
    expect(popup).to_be_visible()
    popup.get_by_role("option", name=re.compile(re.escape(code.name))).first.click()
    mark = page.locator(f"#t{position} mark.coded").first
    expect(mark).to_be_visible()
    mark.click()
    expect(page.locator("#passage-panel")).to_contain_text(code.name)

    # The thematic map: link a loose code to a theme (an htmx swap of the map).
    visit("teman/karta/")
    page.get_by_label(f"Tema för {loose.name}").select_option(label=theme.name)
    page.locator("li", has=page.get_by_label(f"Tema för {loose.name}")).get_by_role("button", name="Koppla").click()
    expect(page.locator("article.map-theme", has_text=theme.name).get_by_text(loose.name)).to_be_visible()

    # A theme page: mark a key quote (an htmx swap of the passage).
    visit(f"teman/{theme.pk}/")
    first = page.locator("li.passage-item").first
    first.get_by_label("Nyckelcitat").check()
    first.get_by_role("button", name="Spara citat").click()
    expect(page.locator("li.passage-item").first.get_by_text("Sparat.")).to_be_visible()

    # The summary: open a heatmap cell's quotes in place.
    visit("sammanstallning/")
    cell = page.locator("table.heatmap a.cell-link").first
    expect(cell).to_be_visible()
    cell.click()
    expect(page.locator("#cell-panel #cell-quotes")).to_be_visible()

    # The Django admin, as the demo admin.
    login(users.get(username="administrator"))
    team = Team.objects.filter(study=study).order_by("number").first()
    for path in ("/admin/", "/admin/transcripts/team/", f"/admin/transcripts/team/{team.pk}/change/"):
        visit(path)

    page.wait_for_timeout(300)  # let late reports arrive
    assert events == [], "\n".join(str(e) for e in events)
    assert csp_violations == []
