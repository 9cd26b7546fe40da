"""Real concurrent transactions on PostgreSQL: nothing acknowledged is lost.

Each thread uses its own Django test client and therefore its own database connection.
SQLite serialises writers, so these tests need PostgreSQL and skip with a reason elsewhere.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

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

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises all writers (run with DATABASE_URL=postgres://…)")


def run_threads(workers) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(workers))

    def wrap(fn):
        def target():
            try:
                barrier.wait()
                fn()
            except BaseException as exc:  # noqa: BLE001 - reported by the test
                errors.append(exc)
            finally:
                connections.close_all()
        return target

    threads = [threading.Thread(target=wrap(fn)) for fn in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return errors


@pytest.fixture
def coding_world():
    study = StudyFactory()
    users = [MembershipFactory(study=study, user=UserFactory(username=f"kodare{i}"), role=Role.CORESEARCHER).user
             for i in range(4)]
    interview = InterviewFactory(team=TeamFactory(study=study), round=RoundFactory(study=study))
    transcript = make_transcript(interview, [("Arbetsterapeut", f"Replik nummer {i} om samverkan i teamet.")
                                             for i in range(40)])
    codes = [Code.objects.create(study=study, area=Area.objects.get(slug="samverkan"), name=f"Kod {i}")
             for i in range(3)]
    return study, users, transcript, codes


def test_it_keeps_every_coding_when_coders_work_on_one_transcript_at_once(coding_world):
    study, users, transcript, codes = coding_world
    turns = list(transcript.turns.order_by("position"))
    acknowledged: list[tuple[str, int, int, int]] = []
    lock = threading.Lock()

    def coder(user):
        def work():
            client = Client()
            client.force_login(user)
            url = reverse("coding:coding_create", args=[study.pk, transcript.pk])
            for turn in turns:
                for code in codes[:2]:
                    response = client.post(url, {"start": turn.start, "end": turn.end, "codes": [code.pk]})
                    assert response.status_code == 200, response.content
                    with lock:
                        acknowledged.append((user.username, code.pk, turn.start, turn.end))
        return work

    assert run_threads([coder(u) for u in users]) == []
    stored = set(Coding.objects.values_list("coder__username", "code_id", "start", "end"))
    assert set(acknowledged) <= stored
    assert Coding.objects.count() == len(users) * len(turns) * 2 == len(set(acknowledged))


def test_it_removes_and_applies_concurrently_without_duplicates(coding_world):
    study, users, transcript, codes = coding_world
    turns = list(transcript.turns.order_by("position"))[:10]

    def same_span_twice(user):
        def work():
            client = Client()
            client.force_login(user)
            url = reverse("coding:coding_create", args=[study.pk, transcript.pk])
            for turn in turns:
                client.post(url, {"start": turn.start, "end": turn.end, "codes": [codes[0].pk]})
        return work

    user = users[0]
    assert run_threads([same_span_twice(user), same_span_twice(user), same_span_twice(user)]) == []
    assert Coding.objects.filter(coder=user).count() == len(turns), "one coding per span, however often applied"


def test_it_loses_no_acknowledged_coding_while_codes_are_merged(coding_world):
    study, users, transcript, codes = coding_world
    source, target = codes[0], codes[1]
    turns = list(transcript.turns.order_by("position"))
    lead = MembershipFactory(study=study, user=UserFactory(username="ledaren"), role=Role.LEAD).user
    acknowledged: list[tuple[str, int, int]] = []
    lock = threading.Lock()

    def coder(user):
        def work():
            client = Client()
            client.force_login(user)
            url = reverse("coding:coding_create", args=[study.pk, transcript.pk])
            for turn in turns:
                response = client.post(url, {"start": turn.start, "end": turn.end, "codes": [source.pk]})
                if response.status_code == 200:
                    with lock:
                        acknowledged.append((user.username, turn.start, turn.end))
                else:
                    assert response.status_code == 422, response.status_code
        return work

    def merger():
        client = Client()
        client.force_login(lead)
        threading.Event().wait(0.05)
        response = client.post(reverse("coding:code_merge", args=[study.pk, source.pk]), {"target": target.pk})
        assert response.status_code == 302

    assert run_threads([coder(u) for u in users[:3]] + [merger]) == []
    assert not Code.objects.filter(pk=source.pk).exists()
    stored = set(Coding.objects.filter(code=target).values_list("coder__username", "start", "end"))
    assert set(acknowledged) <= stored, "an acknowledged coding disappeared in the merge"
    assert Coding.objects.filter(code_id=source.pk).count() == 0
    assert Coding.objects.count() == len(set(Coding.objects.values_list("transcript", "code", "coder", "start",
                                                                         "end")))


def test_it_keeps_one_of_two_simultaneous_theme_edits_and_tells_the_other(coding_world):
    from coding.models import Theme
    from coding.themes import create_theme

    study, users, _transcript, codes = coding_world
    leads = [MembershipFactory(study=study, user=UserFactory(username=f"ledare{i}"), role=Role.LEAD).user
             for i in range(2)]
    theme = create_theme(study=study, user=leads[0], name="Utgångsläge", codes=codes[:1])
    outcomes: list[int] = []
    lock = threading.Lock()

    def editor(user, name):
        def work():
            client = Client()
            client.force_login(user)
            response = client.post(reverse("coding:theme_detail", args=[study.pk, theme.pk]), {
                "name": name, "status": "kandidat", "definition": f"Definition av {name}", "includes": "",
                "excludes": "", "version": theme.version}, follow=True)
            with lock:
                outcomes.append("Någon annan ändrade temat" in response.content.decode())
        return work

    assert run_threads([editor(leads[0], "Version A"), editor(leads[1], "Version B")]) == []
    theme.refresh_from_db()
    assert sorted(outcomes) == [False, True], "exactly one edit wins, the other is told"
    assert theme.name in {"Version A", "Version B"} and theme.definition == f"Definition av {theme.name}"
    assert theme.version == 2 and theme.versions.count() == 2
    assert Theme.objects.count() == 1
