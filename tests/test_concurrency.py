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
