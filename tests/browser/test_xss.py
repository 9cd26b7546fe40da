"""The XSS corpus in Chromium: every page that shows user text, with the whole corpus stored
in one study, stays inert under a real browser, its scripts and htmx.

A payload that ran would call window.__xss(id) (exposed to Python here, so a call is seen
even if the page then navigated away), set document.title to "xss-fired-…" or
window.xssFired, add an element or attribute with its marker, request a URL with its
marker or the logout URL, open a dialog, navigate away, or break the Content-Security-
Policy (seen both in the console and as securitypolicyviolation events). Each page is
loaded, used a little (hover, click a coded passage, select text and open the code popup,
type a hostile code name, open a heatmap cell), given a moment for delayed payloads
(hx-trigger="load", "every 1s", meta refresh), and checked for all of that, including the
structure checks of tests/security/payloads.py on the live DOM.
"""

from __future__ import annotations

import re
from itertools import cycle

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from coding.models import Area, Code, Coding, Note, Quote, RoundPrompt, Theme, ThemeCode
from tests.factories import InterviewFactory, MembershipFactory, RoundFactory, StudyFactory, TeamFactory, UserFactory
from tests.security.payloads import LOGOUT_PATH, MARKER_RE, PAYLOADS, fitting, one_line, structure_problems
from transcripts import importing
from transcripts.models import Role, Transcript
from transcripts.publishing import TurnSpec, create_transcript

from .test_coding import select_text

pytestmark = pytest.mark.django_db(transaction=True)

RECORDER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.xssCspViolation(`${location.pathname} ${event.violatedDirective} ${event.blockedURI} ` +
                         `${event.sourceFile}:${event.lineNumber} ${event.sample}`);
}, true);
"""
FIRED = """() => ({title: document.title, flag: window.xssFired === undefined ? null : String(window.xssFired),
                  marked: Array.from(document.querySelectorAll('[id^="xss"], [class*="xss"], [name^="xss"]'))
                               .map((el) => el.outerHTML.slice(0, 120))})"""


def build_hostile_study():
    """One study with the corpus in every field a page shows, written through the models."""
    users = {
        "coder": UserFactory(username="kodare"),
        "lead": UserFactory(username="ledare", first_name=PAYLOADS[0].text[:150]),
        "root": get_user_model().objects.create_superuser("rot", "rot@example.invalid", "test-password-123"),
    }
    everything = "\n".join(p.text for p in PAYLOADS)
    study = StudyFactory(name=next(p.text for p in PAYLOADS if p.id == 172), description=everything)
    for other in PAYLOADS[1:12]:
        MembershipFactory(study=StudyFactory(name=other.text[:200], description=other.text), user=users["coder"])
    MembershipFactory(study=study, user=users["coder"], role=Role.CORESEARCHER)
    MembershipFactory(study=study, user=users["lead"], role=Role.LEAD)
    team = TeamFactory(study=study, number=1, professions=", ".join(one_line(p.text) for p in PAYLOADS[:40]))
    short = fitting(60)
    rounds = [RoundFactory(study=study, number=n, label=p.text) for n, p in enumerate(fitting(120)[:3], start=1)]
    interview = InterviewFactory(team=team, round=rounds[0], interviewer_label=short[0].text,
                                 assistant_label=short[1].text)
    areas = cycle(list(Area.objects.all()))
    for round_ in rounds:
        RoundPrompt.objects.create(round=round_, area=next(areas), quote=round_.label, follow_up=round_.label)
    # Turns: every payload, spoken by participants whose role labels are payloads.
    from transcripts.models import Participant

    participants = [Participant.objects.create(team=team, role_label=p.text, profession=p.text) for p in short[2:14]]
    speakers = cycle([None, *participants])
    specs = []
    for p in PAYLOADS:
        who = next(speakers)
        specs.append(TurnSpec(kind="interviewer" if who is None else "participant",
                              label=interview.interviewer_label if who is None else who.role_label,
                              participant=who, text=one_line(p.text), time_seconds=None))
    transcript = create_transcript(interview=interview, turns=specs, published_by=users["lead"], source_format="txt",
                                   notes=everything)
    codes, codings = [], []
    for turn, p in zip(transcript.turns.order_by("position"), PAYLOADS, strict=True):
        name = one_line(p.text) if len(one_line(p.text)) <= 120 else f"Kod {p.marker}"
        code = Code.objects.create(study=study, area=next(areas), name=name, definition=p.text, inclusion=p.text,
                                   exclusion=p.text, created_by=users["coder"])
        codes.append(code)
        end = min(turn.end, turn.start + max(4, len(turn.text) // 2))
        codings.append(Coding.objects.create(transcript=transcript, code=code, coder=users["coder"], turn=turn,
                                             start=turn.start, end=end, text=transcript.text[turn.start:end],
                                             memo=p.text))
        if p.id % 3 == 0:  # an overlapping coding by the lead: two codes on one segment
            Coding.objects.create(transcript=transcript, code=code, coder=users["lead"], turn=turn, start=turn.start,
                                  end=turn.end, text=turn.text, memo=p.text)
        Note.objects.create(study=study, author=users["lead"], kind=Note.Kind.CODE_MEMO, code=code,
                            title=p.text[:200], text=p.text)
        Note.objects.create(study=study, author=users["coder"], kind=Note.Kind.JOURNAL, title=p.text[:200],
                            text=p.text)
        theme = Theme.objects.create(study=study, area=code.area, name=p.text[:200], definition=p.text,
                                     includes=p.text, excludes=p.text, created_by=users["lead"])
        ThemeCode.objects.create(theme=theme, code=code)
        Quote.objects.create(theme=theme, coding=codings[-1], is_key=True, edited_text=p.text)
        importing.add_sensitive_term(study_id=study.pk, term=p.text, category="namn", user=users["lead"])
    Note.objects.create(study=study, author=users["coder"], kind=Note.Kind.FAMILIARISATION, transcript=transcript,
                        text=everything)
    # An import waiting for review, with the corpus as turns, notes and finding replacements.
    pending = InterviewFactory(team=team, round=rounds[1], interviewer_label=short[3].text)
    lines = [f"Intervjuare: {one_line(p.text)} Ring 070-{100 + i} 45 67." for i, p in enumerate(PAYLOADS[:60])]
    draft = importing.start_import(interview=pending, user=users["lead"], filename="fil.txt",
                                   data="\n".join([one_line(PAYLOADS[0].text), *lines]).encode())
    importing.set_mapping(draft, {"Intervjuare": importing.SpeakerTarget(importing.INTERVIEWER)})
    importing.scan(draft)
    draft.refresh_from_db()
    for row, p in zip(draft.findings, fitting(80), strict=False):
        importing.update_finding(draft, row["id"], "edit", replacement=p.text)
    return {"study": study, "users": users, "transcript": transcript, "codes": codes, "draft": draft,
            "theme": Theme.objects.filter(study=study).order_by("pk").first(), "round": rounds[0], "team": team}


class Watch:
    """Everything a page could do if a payload ran, recorded while the test browses."""

    def __init__(self, page, live_server_url: str, csp_violations: list[str]):
        self.page, self.base, self.console = page, live_server_url, csp_violations
        self.calls: list[str] = []
        self.events: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.navigations: list[str] = []
        self.expected_url = ""
        self.anywhere_here = False  # a pushed URL (hx-push-url) of this site is expected
        page.expose_function("__xss", lambda ident: self.calls.append(f"{page.url}: __xss({ident})"))
        page.expose_function("xssCspViolation", lambda event: self.events.append(event))
        page.add_init_script(RECORDER)
        page.on("dialog", self._dialog)
        page.on("request", self._request)
        page.on("framenavigated", self._navigated)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message[:80]}")
        dialog.dismiss()

    def _request(self, request) -> None:
        url = request.url
        if (not url.startswith(self.base) and not url.startswith("data:")) or MARKER_RE.search(url) \
                or LOGOUT_PATH in url or "evil" in url:
            self.requests.append(f"{request.method} {url[:120]}")

    def _navigated(self, frame) -> None:
        if frame == self.page.main_frame:
            if self.anywhere_here and frame.url.startswith(self.base + "/"):
                return
            if frame.url.split("#")[0] != self.expected_url.split("#")[0]:
                self.navigations.append(frame.url[:120])
        elif frame != self.page.main_frame:
            self.navigations.append(f"frame: {frame.url[:120]}")

    def visit(self, path: str) -> None:
        self.anywhere_here = False
        self.expected_url = self.base + path
        response = self.page.goto(self.expected_url)
        assert response is not None and response.status == 200, f"{path}: {response and response.status}"

    def settle(self, label: str, milliseconds: int = 400) -> list[str]:
        """Waits for late payloads, then lists what went wrong on this page."""
        self.page.wait_for_timeout(milliseconds)
        state = self.page.evaluate(FIRED)
        problems = [*self.calls, *(f"CSP: {e}" for e in self.events), *(f"console: {c}" for c in self.console),
                    *(f"dialog: {d}" for d in self.dialogs), *(f"request: {r}" for r in self.requests),
                    *(f"navigated: {n}" for n in self.navigations)]
        if "xss-fired" in state["title"]:
            problems.append(f"title: {state['title'][:80]}")
        if state["flag"] is not None:
            problems.append(f"window.xssFired = {state['flag']}")
        problems += [f"element: {m}" for m in state["marked"]]
        here = self.page.url.split("#")[0]
        if here != self.expected_url.split("#")[0] and not (self.anywhere_here and here.startswith(self.base + "/")):
            problems.append(f"left the page for {self.page.url}")
        problems += structure_problems(self.page.content(), live=True)
        for bucket in (self.calls, self.events, self.console, self.dialogs, self.requests, self.navigations):
            bucket.clear()
        return [f"{label}: {p}" for p in problems]


def prove_the_watch_sees_an_injection(watch: Watch, path: str) -> None:
    """The checks have teeth: markup put into the page unescaped is reported in every way."""
    watch.visit(path)
    watch.page.evaluate("""() => {
        const box = document.createElement("div");
        box.innerHTML = '<img id="xss013" src="/xss013.png" onerror="__xss(13)">' +
                        '<div id="xss114" hx-get="/konto/logga-ut/" hx-trigger="load"></div>';
        document.getElementById("main").append(box);
        htmx.process(box);
        window.__xss(0);
    }""")
    found = "\n".join(watch.settle("self-test", milliseconds=800))
    for expected in ("__xss(0)", "CSP: ", "console: ", "request: GET", "/xss013.png", "element: <img",
                     "event handler onerror", "htmx attribute hx-get"):
        assert expected in found, f"the watch missed {expected!r}:\n{found}"
    watch.visit(path)  # a fresh page: the injected nodes and the logout request are gone
    assert watch.settle("fresh page") == []


def test_the_whole_corpus_stays_inert_on_every_page(live_server, page, login, csp_violations):
    world = build_hostile_study()
    study, users, transcript = world["study"], world["users"], world["transcript"]
    watch = Watch(page, live_server.url, csp_violations)
    s = study.pk
    problems: list[str] = []

    def check(path: str, label: str | None = None) -> None:
        watch.visit(path)
        problems.extend(watch.settle(label or path))

    # The co-researcher who coded: own memos in forms, the coding popup.
    login(users["coder"])
    prove_the_watch_sees_an_injection(watch, f"/studier/{s}/")
    for path in ("/", f"/studier/{s}/", f"/studier/{s}/transkript/", f"/studier/{s}/kodbok/",
                 f"/studier/{s}/kodbok/{world['codes'][5].pk}/", f"/studier/{s}/anteckningar/",
                 f"/studier/{s}/teman/", f"/studier/{s}/teman/karta/", f"/studier/{s}/teman/jamforelse/",
                 f"/studier/{s}/teman/{world['theme'].pk}/",
                 f"/studier/{s}/anteckningar/{Note.objects.filter(kind='journal').first().pk}/"):
        check(path)

    path = transcript.get_absolute_url()
    watch.visit(path)
    for mark in page.locator("mark.coded").all()[:12:3]:  # hover and click coded passages
        mark.hover()
    page.locator("#t2 mark.coded").first.click()
    expect(page.locator("#passage-panel textarea").first).to_be_visible()
    page.locator(".turn-bars .bar").first.hover()
    problems.extend(watch.settle("transcript: hover and click"))
    turn = transcript.turns.get(position=3)
    select_text(page, 3, turn.text[-12:].strip())
    popup = page.get_by_role("dialog", name="Koda markerat avsnitt")
    expect(popup).to_be_visible()
    page.keyboard.type("<img")  # filters the list down to hostile code names
    expect(page.locator("#code-options .option").first).to_be_visible()
    problems.extend(watch.settle("transcript: popup filtered"))
    hostile_name = "<img id=xss998 src=x onerror=__xss(998)>"
    page.locator("#code-filter").fill(hostile_name)
    expect(page.locator("#opt-new")).to_contain_text(hostile_name)
    page.keyboard.press("Enter")  # creates the code and codes the selection through htmx
    expect(page.locator("#passage-panel")).to_contain_text(hostile_name)
    problems.extend(watch.settle("transcript: hostile code created inline"))
    assert Code.objects.filter(study=study, name=hostile_name).exists()

    watch.visit(f"/studier/{s}/sammanstallning/")
    watch.anywhere_here = True  # the cell link pushes its own URL
    page.locator("table.heatmap a.cell-link").first.click()
    expect(page.locator("#cell-panel #cell-quotes")).to_be_visible()
    problems.extend(watch.settle("summary: cell quotes"))

    # The project lead: imports, export, others' memos, terms.
    login(users["lead"])
    draft = world["draft"]
    for path in ("/", f"/studier/{s}/export/", f"/studier/{s}/export/utskrift/", f"/studier/{s}/kansliga-ord/",
                 f"/studier/{s}/import/", f"/studier/{s}/import/{draft.pk}/talare/",
                 f"/studier/{s}/import/{draft.pk}/granska/", f"/studier/{s}/kodbok/{world['codes'][9].pk}/",
                 f"/studier/{s}/transkript/{transcript.pk}/genomsok/", f"/studier/{s}/sammanstallning/"):
        check(path)
    watch.visit(transcript.get_absolute_url())
    page.locator("#t4 mark.coded").first.click()
    expect(page.locator("#passage-panel .coding-item").first).to_be_visible()
    problems.extend(watch.settle("transcript as lead: others' memos"))

    login(users["root"])
    theme_admin = f"/admin/coding/theme/{world['theme'].pk}/change/"
    for path in ("/admin/coding/code/", "/admin/transcripts/study/", theme_admin):
        check(path)
    assert problems == [], "\n".join(problems[:60])


def test_a_hostile_file_imported_through_the_pages_stays_inert(live_server, page, login, csp_violations, tmp_path):
    study = StudyFactory(name="Importstudie")
    lead = MembershipFactory(study=study, user=UserFactory(username="ledare"), role=Role.LEAD).user
    interview = InterviewFactory(team=TeamFactory(study=study, number=3), round=RoundFactory(study=study, number=1))
    chosen = PAYLOADS[::6]
    lines = ["Intervjuare: Välkomna!"] + [f"{'Arbetsterapeut' if i % 2 else 'Intervjuare'}: {one_line(p.text)}"
                                         for i, p in enumerate(chosen)]
    upload = tmp_path / "fokusgrupp <img src=x onerror=__xss(997)>.txt"
    upload.write_text("\n".join(lines), encoding="utf-8")
    watch = Watch(page, live_server.url, csp_violations)
    login(lead)
    watch.visit(f"/studier/{study.pk}/import/")
    page.get_by_label("Intervju").select_option(label=str(interview))
    page.get_by_label("Transkriptfil").set_input_files(str(upload))
    watch.expected_url = ""  # the form posts and redirects: navigation is expected here
    page.get_by_role("button", name="Ladda upp och läs filen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Koppla talare")
    watch.expected_url = page.url
    watch.navigations.clear()
    problems = watch.settle("speakers page")
    page.get_by_label("Roll för Intervjuare").select_option("interviewer")
    select = page.get_by_label("Roll för Arbetsterapeut")
    select.select_option("new")
    select.locator("xpath=..").get_by_label("Den nya deltagarens rollbeteckning").fill("Arbetsterapeut")
    page.get_by_role("button", name="Spara roller och sök efter personuppgifter").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Granska personuppgifter")
    watch.expected_url = page.url
    watch.navigations.clear()
    problems += watch.settle("review page")
    page.get_by_role("button", name="Godta alla förslag").click()
    expect(page.get_by_text("0 väntar på ditt beslut")).to_be_visible()
    page.get_by_role("button", name="Publicera det avidentifierade transkriptet").click()
    expect(page.get_by_text("Transkriptet publicerades")).to_be_visible()
    watch.expected_url = page.url
    watch.navigations.clear()
    problems += watch.settle("published transcript", milliseconds=1200)
    transcript = Transcript.objects.get(interview=interview)
    shown = page.locator("#transcript").inner_text()
    for p in chosen:
        if p.marker in one_line(p.text) and p.marker in transcript.text:
            assert p.marker in shown, f"{p.marker} was not shown as text"
    assert re.search(r"<script", transcript.text)
    assert problems == [], "\n".join(problems)
