"""Personas and a small study world shared by the tests.

`world` builds two studies side by side, so every test can also try the other study's ids.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from transcripts.models import Role, Study

from .factories import (
    InterviewFactory,
    MembershipFactory,
    RoundFactory,
    StudyFactory,
    TeamFactory,
    UserFactory,
    make_transcript,
)

TURNS = [
    ("Intervjuare", "Välkomna! Berätta gärna hur ni samarbetar i teamet."),
    ("Arbetsterapeut", "Vi träffas varje morgon och går igenom vilka som ska hem från sjukhuset."),
    ("Sjuksköterska", "Det gör att vi hinner planera tillsammans innan personen kommer hem."),
    ("Intervjuare", "Hur gör ni individen delaktig i planeringen?"),
    ("Arbetsterapeut", "Vi frågar alltid vad personen själv vill klara av, det är utgångspunkten."),
]


@dataclass
class World:
    study: Study
    other_study: Study
    users: dict[str, object] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    other_ids: dict[str, int] = field(default_factory=dict)


def build_study_objects(study: Study, owner) -> dict[str, object]:
    """One of everything a URL can point at, so every pattern can be requested."""
    from coding.models import Area, Code, Coding, Note, Theme, ThemeCode
    from transcripts.models import ImportDraft, SensitiveTerm

    team = TeamFactory(study=study, number=1)
    round1 = RoundFactory(study=study, number=1)
    round2 = RoundFactory(study=study, number=2)
    interview = InterviewFactory(team=team, round=round1)
    second = InterviewFactory(team=team, round=round2)
    transcript = make_transcript(interview, TURNS)
    code = Code.objects.create(study=study, area=Area.objects.get(slug="samverkan"), name="Gemensam planering")
    turn = transcript.turns.get(position=2)
    coding = Coding.objects.create(transcript=transcript, code=code, coder=owner, turn=turn, start=turn.start,
                                   end=turn.end, text=turn.text)
    note = Note.objects.create(study=study, author=owner, kind=Note.Kind.JOURNAL, title="Dagbok", text="Tankar")
    draft = ImportDraft.objects.create(
        interview=second, created_by=owner, source_format="txt",
        parsed={"format": "txt", "turns": [{"speaker": "Intervjuare", "text": "Hej", "time_seconds": None}],
                "notes": [], "encoding": "utf-8"},
        findings=[{"id": 1, "turn": 0, "start": 0, "end": 3, "text": "Hej", "category": "namn",
                   "placeholder": "[namn 1]", "replacement": "[namn 1]", "reason": "test", "certain": True,
                   "key": "namn:hej", "status": "pending"}],
        speaker_map={"Intervjuare": {"value": "interviewer"}}, step="review",
    )
    term = SensitiveTerm.objects.create(study=study, digest=f"{study.pk:064d}", token_count=1, hint="E…")
    theme = Theme.objects.create(study=study, area=code.area, name="Vardagens samverkan", created_by=owner)
    ThemeCode.objects.create(theme=theme, code=code)
    return {"team": team, "round": round1, "interview": interview, "transcript": transcript, "code": code,
            "coding": coding, "note": note, "draft": draft, "finding": type("F", (), {"pk": 1})(), "term": term,
            "theme": theme}


@pytest.fixture
def world(db) -> World:
    study = StudyFactory(name="Studie A")
    other = StudyFactory(name="Studie B")
    users = {
        "coresearcher": MembershipFactory(study=study, user=UserFactory(username="medforskare"),
                                          role=Role.CORESEARCHER).user,
        "lead": MembershipFactory(study=study, user=UserFactory(username="ledare"), role=Role.LEAD).user,
        "admin": MembershipFactory(study=study, user=UserFactory(username="admin"), role=Role.ADMIN).user,
        "outsider": MembershipFactory(study=other, user=UserFactory(username="utomstaende"),
                                      role=Role.LEAD).user,
    }
    objects = build_study_objects(study, users["coresearcher"])
    other_objects = build_study_objects(other, users["outsider"])
    ids = {"study_id": study.pk, **{f"{name}_id": obj.pk for name, obj in objects.items()}}
    other_ids = {"study_id": other.pk, **{f"{name}_id": obj.pk for name, obj in other_objects.items()}}
    return World(study=study, other_study=other, users=users, ids=ids, other_ids=other_ids)


@pytest.fixture
def coresearcher(world):
    return world.users["coresearcher"]


@pytest.fixture
def lead(world):
    return world.users["lead"]


@pytest.fixture(autouse=True)
def _empty_cache():
    """Ids repeat between tests, so nothing cached (such as "already read") may carry over."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _reference_data_for_transactional_tests(request):
    """live_server and transactional tests flush every table, reference data included
    (pytest-django#1062); put it back before such a test runs."""
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    if transactional or "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        from coding.reference_data import sync_reference_data as sync_coding
        from transcripts.reference_data import sync_reference_data as sync_transcripts

        sync_transcripts()
        sync_coding()
