"""Every URL pattern against the permission matrix, and studies kept apart.

The expected answer for each pattern and persona comes from `transcripts.permissions.MATRIX`
and the action the view declares (`view.nvos_action`), so a new view is covered the moment it
gets a URL, and a view without a declared action fails here.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from django.apps import apps
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BaseForm
from django.test import Client
from django.test.utils import ContextList
from django.urls import reverse

from coding.models import Area, Code, Coding, Note, Theme
from transcripts.models import Participant, Role
from transcripts.permissions import MATRIX, Action

from .factories import UserFactory
from .url_patterns import Route, project_routes

pytestmark = pytest.mark.django_db

ROLES = {"coresearcher": Role.CORESEARCHER, "lead": Role.LEAD, "admin": Role.ADMIN}
PERSONAS = ("anonymous", "coresearcher", "lead", "admin", "outsider", "superuser")
KNOWN_ACTIONS = {a.value for a in Action} | {"login", "public"}

# Study views declared with VIEW_STUDY whose POST changes something: the POST needs this
# action, and roles without it must get 403 (the view checks it itself).
POST_ACTIONS = {
    "codebook": Action.EDIT_CODEBOOK,
    "code_detail": Action.EDIT_CODEBOOK,
    "theme_list": Action.EDIT_THEMES,
    "theme_detail": Action.EDIT_THEMES,
}

# Tables that requests may legitimately write without acting: the audit trail and the
# change log that open transcript pages poll.
UNWATCHED_MODELS = {"auditevent", "codingchange"}

# Names given to study B's objects, so a page that shows one of them gives it away.
B_MARKERS = {"code": "HemligKodB", "theme": "HemligtTemaB", "note": "HemligAnteckningB", "memo": "HemligMemoB"}


# --- helpers -------------------------------------------------------------------------------------

def clients_for(world) -> dict[str, Client]:
    """One logged-in client per persona; the superuser is a member of no study."""
    users = {**world.users, "superuser": UserFactory(username="superanvandare", is_superuser=True, is_staff=True)}
    world.users["superuser"] = users["superuser"]
    clients = {"anonymous": Client(raise_request_exception=False)}
    for name, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        clients[name] = client
    return clients


def ids_by_persona(world) -> dict[str, dict[str, int]]:
    """Study A's ids; note_id is each member's own journal note (notes are private)."""
    result = {}
    for persona in PERSONAS:
        ids = dict(world.ids)
        if persona in ("lead", "admin", "superuser"):
            ids["note_id"] = Note.objects.create(study=world.study, author=world.users[persona],
                                                 kind=Note.Kind.JOURNAL, title="Egen", text="Egen").pk
        result[persona] = ids
    return result


def get_query(route: Route, ids: dict[str, int]) -> dict:
    """Query strings some GET views need to answer anything but 404/400."""
    if route.name == "summary_cell":
        return {"cell_round": ids["round_id"], "cell_team": ids["team_id"],
                "cell_area": Area.objects.get(slug="samverkan").pk}
    if route.name == "export_download":
        return {"format": "csv"}
    return {}


def expectation(route: Route, persona: str, method: str) -> str | int | None:
    """'login' (302 to the login page), 403, 404, 'ok' (neither 403/404 nor 5xx), or None
    when the request must not be made (a POST as a permitted persona would act)."""
    action = route.action
    if action == "public":
        if method == "get":
            return "ok"
        return "ok" if persona == "anonymous" else None  # logging a user out would end the sweep
    if persona == "anonymous":
        return "login"
    if action == "login":
        return "ok" if method == "get" else None
    if persona == "outsider":
        return 404
    if persona == "superuser":
        return "ok" if method == "get" else None
    if method == "get":
        return "ok" if ROLES[persona] in MATRIX[Action(action)] else 403
    needed = POST_ACTIONS.get(route.name, Action(action))
    return None if ROLES[persona] in MATRIX[needed] else 403


def meets(response, expected: str | int) -> bool:
    if expected == "login":
        return response.status_code == 302 and response["Location"].startswith(reverse("login"))
    if expected == "ok":
        return response.status_code not in (403, 404) and response.status_code < 500
    return response.status_code == expected


def snapshot() -> dict[str, list[dict]]:
    """Every row of the domain tables (both apps), for before/after comparisons."""
    models = [m for label in ("transcripts", "coding") for m in apps.get_app_config(label).get_models()
              if m._meta.model_name not in UNWATCHED_MODELS]
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in models}


def changed_tables(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def table(rows: Iterable[tuple], header: tuple) -> str:
    rows = [tuple(str(c) for c in header), *[tuple(str(c) for c in r) for r in rows]]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def mark_study_b(world) -> None:
    ids = world.other_ids
    Code.objects.filter(pk=ids["code_id"]).update(name=B_MARKERS["code"])
    Theme.objects.filter(pk=ids["theme_id"]).update(name=B_MARKERS["theme"])
    Note.objects.filter(pk=ids["note_id"]).update(title=B_MARKERS["note"], text=B_MARKERS["note"])
    Coding.objects.filter(pk=ids["coding_id"]).update(memo=B_MARKERS["memo"])


def body_text(response) -> str:
    """The body as text; a streaming body can be read only once, so it is kept."""
    if not getattr(response, "streaming", False):
        return response.content.decode("utf-8", errors="replace")
    if not hasattr(response, "nvos_text"):
        response.nvos_text = b"".join(response.streaming_content).decode("utf-8", errors="replace")
    return response.nvos_text


def leaks(response) -> list[str]:
    text = body_text(response)
    return [marker for marker in B_MARKERS.values() if marker in text]


# --- every pattern × every persona ---------------------------------------------------------------

def test_it_answers_every_url_as_the_permission_matrix_says(world):
    routes = project_routes()
    assert len(routes) > 40
    clients = clients_for(world)
    ids = ids_by_persona(world)
    failures: list[tuple] = []
    for route in routes:
        if route.action not in KNOWN_ACTIONS:
            failures.append(("-", "-", route.name, route.route, "a declared action", repr(route.action)))
    checked = [r for r in routes if r.action in KNOWN_ACTIONS]

    count = 0
    for route in checked:
        for persona in PERSONAS:
            expected = expectation(route, persona, "get")
            url = route.url(ids[persona])
            response = clients[persona].get(url, get_query(route, ids[persona]))
            count += 1
            if not meets(response, expected):
                failures.append(("GET", persona, route.name, url, expected, response.status_code))

    # Denied POSTs, with an empty body: they must be refused before the view acts.
    before = snapshot()
    for route in checked:
        for persona in PERSONAS:
            expected = expectation(route, persona, "post")
            if expected is None:
                continue
            url = route.url(ids[persona])
            response = clients[persona].post(url)
            count += 1
            if not meets(response, expected):
                failures.append(("POST", persona, route.name, url, expected, response.status_code))
    changed = changed_tables(before, snapshot())
    if changed:
        failures.append(("POST", "denied", "-", "-", "no rows changed", ", ".join(changed)))

    print(f"\n{len(checked)} URL patterns, {len(PERSONAS)} personas, {count} requests")
    assert not failures, "\n" + table(failures, ("method", "persona", "name", "url", "expected", "got"))


def test_it_lists_only_declared_actions_in_the_matrix():
    """Every action a view declares is a row of the matrix (a typo would grant nothing)."""
    declared = {r.action for r in project_routes()} - {"login", "public"}
    assert declared <= set(MATRIX)
    assert set(MATRIX) == set(Action)


# --- no object of study B through study A's URLs -------------------------------------------------

def test_it_reaches_no_object_of_another_study_through_a_studys_urls(world):
    mark_study_b(world)
    clients = clients_for(world)
    object_routes = [r for r in project_routes() if r.action not in ("login", "public") and len(r.kwargs) > 1]
    assert len(object_routes) > 20
    mixed = {**world.other_ids, "study_id": world.study.pk}
    # The superuser may open both studies, so only the objects' own study can stop it.
    reversed_ids = {**world.ids, "study_id": world.other_study.pk}
    attempts = [("lead", mixed), ("superuser", mixed), ("superuser", reversed_ids)]
    before = snapshot()
    failures = []
    for route in object_routes:
        for persona, ids in attempts:
            url = route.url(ids)
            statuses = []
            for method in ("get", "post"):
                response = getattr(clients[persona], method)(url)
                statuses.append(response.status_code)
                # 405 (wrong method) is decided before any object is looked up: it tells nothing.
                if response.status_code not in (404, 405) or leaks(response):
                    failures.append((method.upper(), persona, route.name, url, response.status_code,
                                     ", ".join(leaks(response))))
            if 404 not in statuses:
                failures.append(("GET+POST", persona, route.name, url, "/".join(map(str, statuses)), ""))
    changed = changed_tables(before, snapshot())
    if changed:
        failures.append(("POST", "-", "-", "-", "rows changed", ", ".join(changed)))
    assert not failures, "\n" + table(failures, ("method", "persona", "name", "url", "status", "leaked"))


# --- ids of study B in request bodies and query strings ------------------------------------------

def _error_shown(response) -> bool:
    """A 4xx, a form re-rendered with errors, or an error message carried to the next page."""
    if 400 <= response.status_code < 500:
        return True
    contexts = response.context if isinstance(response.context, ContextList) else [response.context]
    for context in (c.flatten() for c in contexts if c is not None):
        if context.get("errors") or context.get("error"):
            return True
        if any(isinstance(value, BaseForm) and value.errors for value in context.values()):
            return True
    return any(m.level == messages.ERROR for m in get_messages(response.wsgi_request))


def foreign_ids(world) -> dict[str, int]:
    """Study B's ids, plus the ids of B's people and of the B interview without a transcript."""
    b = world.other_ids
    return {**b, "user_id": world.users["outsider"].pk,
            "participant_id": Participant.objects.filter(team_id=b["team_id"]).order_by("pk").first().pk,
            "interview_id": world.other_study.teams.get().interviews.order_by("pk").last().pk}


def body_cases(world, body: dict, path: dict) -> list[tuple[str, str, str, dict, str]]:
    """(label, method, url, data, rule) with the foreign ids `body` in the request data and
    `path` in the URL. Rule 'error': a 4xx or a shown error; 'noop': any answer below 500;
    'mixed': like 'error', for a valid id of study A next to the foreign one. In every case
    nothing at all may change."""
    a = world.ids
    area = str(Area.objects.get(slug="samverkan").pk)
    transcript = Coding.objects.get(pk=a["coding_id"]).transcript
    turn = transcript.turns.get(position=2)

    def url(name: str, **kwargs) -> str:
        namespace = "" if name.startswith(("import_", "sensitive_", "transcript_rescan")) else "coding:"
        return reverse(namespace + name, kwargs={"study_id": a["study_id"], **kwargs})

    selection = {"start": turn.start, "end": turn.end, "text": turn.text}
    upload = SimpleUploadedFile("t.txt", b"Intervjuare: Hej\n\nDeltagare: Hej hej\n")
    return [
        ("coding_create codes=[B]", "post", url("coding_create", transcript_id=a["transcript_id"]),
         {**selection, "codes": [body["code_id"]]}, "error"),
        ("coding_create codes=[A, B]", "post", url("coding_create", transcript_id=a["transcript_id"]),
         {**selection, "codes": [a["code_id"], body["code_id"]]}, "mixed"),
        ("theme_code_link theme=A code=B", "post", url("theme_code_link"),
         {"theme": a["theme_id"], "code": body["code_id"]}, "error"),
        ("theme_code_link theme=B code=A", "post", url("theme_code_link"),
         {"theme": body["theme_id"], "code": a["code_id"]}, "error"),
        ("theme_code_link unlink B's link", "post", url("theme_code_link"),
         {"theme": body["theme_id"], "code": body["code_id"], "action": "unlink"}, "error"),
        ("code_merge target=B", "post", url("code_merge", code_id=a["code_id"]), {"target": body["code_id"]},
         "error"),
        ("theme_merge target=B", "post", url("theme_merge", theme_id=a["theme_id"]), {"target": body["theme_id"]},
         "error"),
        ("theme_split codes=[B]", "post", url("theme_split", theme_id=a["theme_id"]),
         {"codes": [body["code_id"]], "name": "Delat tema"}, "error"),
        ("quote_update coding=B", "post", url("quote_update", theme_id=a["theme_id"], coding_id=path["coding_id"]),
         {"is_key": "on", "edited_text": "x"}, "error"),
        ("transcript_assign users=[B's lead]", "post", url("transcript_assign", transcript_id=a["transcript_id"]),
         {"users": [body["user_id"]]}, "noop"),
        ("import_finding_add turn=B's turn", "post", url("import_finding_add", draft_id=a["draft_id"]),
         {"turn": body["coding_id"], "start": 0, "end": 3, "category": "namn", "remember": "1"}, "error"),
        ("import_speakers speaker=B's participant", "post", url("import_speakers", draft_id=a["draft_id"]),
         {"speaker-0": f"p:{body['participant_id']}"}, "error"),
        ("import_start interview=B", "post", url("import_start"),
         {"interview": body["interview_id"], "file": upload}, "error"),
        ("codebook parent=B", "post", url("codebook"),
         {"name": "Ny kod", "area": area, "parent": body["code_id"]}, "error"),
        ("code_detail parent=B", "post", url("code_detail", code_id=a["code_id"]),
         {"name": "Gemensam planering", "area": area, "parent": body["code_id"]}, "error"),
        ("code_create_inline parent=B", "post", url("code_create_inline"),
         {"name": "Ny kod", "area": area, "parent": body["code_id"]}, "error"),
        ("theme_list parent=B", "post", url("theme_list"),
         {"name": "Nytt tema", "area": area, "parent": body["theme_id"], "status": "kandidat"}, "error"),
        ("theme_detail parent=B", "post", url("theme_detail", theme_id=a["theme_id"]),
         {"name": "Vardagens samverkan", "area": area, "parent": body["theme_id"], "status": "kandidat",
          "version": 1}, "error"),
        *[(f"export_download {key}=B", "get", url("export_download"), {"format": "csv", key: body[f"{key}_id"]},
           "error") for key in ("theme", "round", "team")],
        *[(f"report_print {key}=B", "get", url("report_print"), {key: body[f"{key}_id"]}, "error")
          for key in ("theme", "round", "team")],
        ("summary_cell round/team=B", "get", url("summary_cell"),
         {"cell_round": body["round_id"], "cell_team": body["team_id"], "cell_area": area}, "error"),
        ("summary filters=B", "get", url("summary"),
         {"round": body["round_id"], "team": body["team_id"], "code": body["code_id"], "theme": body["theme_id"],
          "coder": body["user_id"]}, "noop"),
        ("passage_detail c=B coding", "get", url("passage_detail", transcript_id=a["transcript_id"]),
         {"c": str(body["coding_id"])}, "noop"),
        ("transcript_detail visa=B's coder", "get", url("transcript_detail", transcript_id=a["transcript_id"]),
         {"visa": str(body["user_id"])}, "noop"),
        ("round_comparison val=theme-B", "get", url("round_comparison"), {"val": f"theme-{body['theme_id']}"},
         "noop"),
        ("code_quotes_csv code=B", "get", url("code_quotes_csv", code_id=path["code_id"]), {}, "error"),
    ]


def run_body_cases(world, body: dict, path: dict, skip: set[str] = frozenset()) -> list[tuple]:
    clients = clients_for(world)
    failures = []
    before = snapshot()
    for label, method, url, data, rule in body_cases(world, body, path):
        if rule in skip:
            continue
        response = getattr(clients["lead"], method)(url, data)
        after = snapshot()
        changed = changed_tables(before, after)
        before = after
        problems = []
        if response.status_code >= 500:
            problems.append("server error")
        if changed:
            problems.append("changed " + ", ".join(changed))
        if leaks(response):
            problems.append("leaked " + ", ".join(leaks(response)))
        if rule in ("error", "mixed") and not _error_shown(response):
            problems.append("no error shown")
        if problems:
            failures.append((label, method.upper(), url, response.status_code, "; ".join(problems)))
    return failures


HEADER = ("case", "method", "url", "status", "problem")


def test_it_ignores_another_studys_ids_in_request_bodies(world):
    mark_study_b(world)
    foreign = foreign_ids(world)
    failures = run_body_cases(world, foreign, foreign)
    assert not failures, "\n" + table(failures, HEADER)


@pytest.mark.parametrize("value", [2**63, "x"], ids=["out-of-range", "not-a-number"])
def test_it_refuses_malformed_ids_in_request_bodies_without_an_error_page(world, value, request):
    """Ids no database row can have must give a 4xx or a form error, never a 500."""
    keys = [*foreign_ids(world)]
    failures = run_body_cases(world, dict.fromkeys(keys, value), dict.fromkeys(keys, 2**63), skip={"mixed"})
    assert not failures, "\n" + table(failures, HEADER)


def test_it_answers_404_to_out_of_range_ids_in_urls(world):
    """An id past the database's integer range is an id nobody has: 404, not a 500."""
    client = clients_for(world)["superuser"]
    ids = {key: (value if key == "study_id" else 2**63) for key, value in world.ids.items()}
    failures = []
    for route in project_routes():
        if route.action in ("login", "public") or len(route.kwargs) < 2:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(route.url(ids))
            if response.status_code not in (404, 405):
                failures.append((method.upper(), route.name, response.status_code))
    response = client.get(reverse("coding:study_dashboard", args=[2**63]))
    if response.status_code != 404:
        failures.append(("GET", "study_dashboard (study_id)", response.status_code))
    assert not failures, "\n" + table(failures, ("method", "name", "status"))


# --- finer rules inside a permitted action ---------------------------------------------------------

def test_it_keeps_codings_memos_and_notes_to_their_owners(world):
    """CODE lets a co-researcher remove and annotate their own codings only; notes are private."""
    clients = clients_for(world)
    ids = world.ids
    lead_coding = Coding.objects.create(
        transcript_id=ids["transcript_id"], code_id=ids["code_id"], coder=world.users["lead"],
        turn=Coding.objects.get(pk=ids["coding_id"]).turn, start=0, end=5, text="Välko")
    before = snapshot()
    attempts = [
        ("coresearcher", "coding:coding_delete", {"coding_id": lead_coding.pk}, 403),
        ("coresearcher", "coding:coding_memo_update", {"coding_id": lead_coding.pk}, 403),
        ("lead", "coding:coding_memo_update", {"coding_id": ids["coding_id"]}, 403),
        ("lead", "coding:note_edit", {"note_id": ids["note_id"]}, 404),
        ("lead", "coding:note_delete", {"note_id": ids["note_id"]}, 404),
        ("admin", "coding:note_delete", {"note_id": ids["note_id"]}, 404),
    ]
    failures = []
    for persona, name, kwargs, expected in attempts:
        url = reverse(name, kwargs={"study_id": ids["study_id"], **kwargs})
        response = clients[persona].post(url, {"memo": "Inte min", "title": "x", "text": "x"})
        if response.status_code != expected:
            failures.append((persona, name, response.status_code, expected))
    changed = changed_tables(before, snapshot())
    assert not failures, "\n" + table(failures, ("persona", "name", "got", "expected"))
    assert not changed, changed
