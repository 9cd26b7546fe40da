"""The audit trail: who did what and when, metadata only, append-only, nothing bypasses it;
and requests that fail halfway leave nothing half-written."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from coding.codebook import merge_codes
from coding.models import Code, Coding
from transcripts.models import AuditEvent, ImportDraft, Membership, Participant, Role, Transcript

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def actions(**filters) -> list[str]:
    return list(AuditEvent.objects.filter(**filters).values_list("action", flat=True))


def test_it_records_logins_and_failed_logins(world):
    from tests.factories import UserFactory

    UserFactory(username="eva")
    client = Client()
    client.post(reverse("login"), {"username": "eva", "password": "fel"})
    client.post(reverse("login"), {"username": "eva", "password": "test-password-123"})
    assert actions(username="eva") == ["login", "login_failed"]


def test_it_records_reading_coding_and_codebook_changes_without_text(client, world):
    transcript = Coding.objects.filter(code__study=world.study).first().transcript
    turn = transcript.turns.get(position=3)
    code = Code.objects.get(study=world.study)
    client.force_login(world.users["lead"])
    client.get(transcript.get_absolute_url())
    client.post(reverse("coding:coding_create", args=[world.study.pk, transcript.pk]),
                {"start": turn.start, "end": turn.end, "codes": [code.pk]})
    coding = Coding.objects.get(turn=turn)
    client.post(reverse("coding:coding_delete", args=[world.study.pk, coding.pk]))
    client.post(reverse("coding:code_detail", args=[world.study.pk, code.pk]),
                {"name": "Nytt namn", "area": code.area_id})
    recorded = actions(study_id=world.study.pk)
    for action in ("transcript_read", "coding_created", "coding_deleted", "code_changed"):
        assert action in recorded
    event = AuditEvent.objects.get(action="code_changed")
    assert event.fields == ["name"] and event.user == world.users["lead"] and event.object_id == str(code.pk)
    for row in AuditEvent.objects.values("fields", "detail", "object_id", "username"):
        assert turn.text not in str(row) and "planera" not in str(row)


def test_it_records_admin_changes_to_consent_and_memberships(admin_client, world):
    participant = Participant.objects.filter(team__study=world.study).first()
    url = reverse("admin:transcripts_participant_change", args=[participant.pk])
    response = admin_client.post(url, {"team": participant.team_id, "role_label": participant.role_label,
                                       "profession": "", "consent_given": "", "consent_withdrawn": "2026-11-30"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin_change", object_type="participant")
    assert "consent_withdrawn" in event.fields and event.study_id == world.study.pk
    Membership.objects.filter(user=world.users["coresearcher"]).delete()
    response = admin_client.post(reverse("admin:transcripts_membership_add"), {
        "study": world.study.pk, "user": world.users["coresearcher"].pk, "role": Role.CORESEARCHER})
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="admin_create", object_type="membership").exists()


def test_it_keeps_the_audit_trail_append_only_in_the_admin(admin_client, world):
    client = Client()
    client.force_login(world.users["lead"])
    client.get(reverse("coding:study_dashboard", args=[world.study.pk]))
    event = AuditEvent.objects.first()
    listing = admin_client.get(reverse("admin:transcripts_auditevent_changelist") + "?action=login")
    assert listing.status_code == 200
    assert admin_client.post(reverse("admin:transcripts_auditevent_delete", args=[event.pk]),
                             {"post": "yes"}).status_code == 403
    assert admin_client.get(reverse("admin:transcripts_auditevent_add")).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_it_scopes_the_admin_to_the_studies_a_staff_user_administers(world):
    admin_user = world.users["admin"]
    admin_user.is_staff = True
    admin_user.save()
    from django.contrib.auth.models import Permission

    admin_user.user_permissions.add(*Permission.objects.filter(content_type__app_label="transcripts"))
    client = Client()
    client.force_login(admin_user)
    listing = client.get(reverse("admin:transcripts_team_changelist")).content.decode()
    assert f"/admin/transcripts/team/{world.study.teams.first().pk}/" in listing
    assert f"/admin/transcripts/team/{world.other_study.teams.first().pk}/" not in listing
    other_team = world.other_study.teams.first()
    assert client.get(reverse("admin:transcripts_team_change", args=[other_team.pk])).status_code in (302, 404)


def _functions_with_bulk_writes(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            calls = [n for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)]
            names = {c.func.attr for c in calls}
            # Only ORM writes: the receiver is a manager or queryset ("X.objects…", "….filter(…)").
            bulk = [c for c in calls if c.func.attr in {"update", "bulk_create", "delete", "bulk_update"}
                    and ("objects" in ast.unparse(c.func.value) or ".filter(" in ast.unparse(c.func.value))]
            if bulk:
                yield node.name, "record" in names


# Functions that write in bulk without recording, each for a stated reason.
EXEMPT = {
    "purge_expired",          # deletes transient import drafts (never research data)
    "log_change",             # the short-lived polling log of open transcript pages
    "_log_transcripts",       # the same log, for merges and deletes (their callers record)
    "_touch",                 # bumps a theme's version number; every caller records the change
    "create_transcript",      # called only by importing.publish (records) and the demo
    "create_demo_analysis",   # synthetic demo data
}


def test_it_records_every_bulk_write_in_the_audit_trail():
    """QuerySet.update()/delete()/bulk_create() bypass model signals, so every function that
    uses them must call audit.record itself (or be a listed transient/reference exception)."""
    missing = []
    for folder in ("transcripts", "coding"):
        for path in (ROOT / folder).rglob("*.py"):
            if "migrations" in path.parts or "management" in path.parts or "exports" in path.parts:
                continue
            for name, records in _functions_with_bulk_writes(path):
                if not records and name not in EXEMPT:
                    missing.append(f"{path.relative_to(ROOT)}:{name}")
    assert missing == []


def test_it_checks_that_exempt_functions_record_or_are_transient():
    """The exemption list is not a loophole: the audited domain functions in it do record."""
    import inspect

    from coding import codebook, themes
    from transcripts import importing

    for module, names in ((codebook, ["merge_codes", "delete_code", "save_code"]),
                          (themes, ["split_theme", "merge_themes", "mark_quote", "create_theme", "change_phase"])):
        for name in names:
            assert "audit.record" in inspect.getsource(getattr(module, name)), name
    assert "audit.record" in inspect.getsource(importing.publish)


def test_it_leaves_nothing_half_written_when_publishing_fails(world, monkeypatch):
    from tests.transcripts.test_import_flow import TEAMS_FILE
    from transcripts import importing, publishing

    ImportDraft.objects.all().delete()
    from tests.factories import InterviewFactory, TeamFactory

    interview = InterviewFactory(team=TeamFactory(study=world.study, number=9), round=world.study.rounds.get(number=1))
    draft = importing.start_import(interview=interview, user=world.users["lead"], filename="m.vtt",
                                   data=TEAMS_FILE.read_bytes())
    importing.set_mapping(draft, {label: importing.SpeakerTarget("interviewer") for label in
                                  importing.parsed_of(draft).speakers()})
    importing.scan(draft)
    importing.decide_all(draft, "accept")
    before = (Transcript.objects.count(), Participant.objects.count(), AuditEvent.objects.count())

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(publishing.Turn.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        importing.publish(draft, user=world.users["lead"])
    assert (Transcript.objects.count(), Participant.objects.count(), AuditEvent.objects.count()) == before
    assert ImportDraft.objects.filter(pk=draft.pk).exists(), "the draft survives for another try"


def test_it_leaves_nothing_half_written_when_a_merge_fails(world, monkeypatch):
    from coding import codebook

    source = Code.objects.get(study=world.study)
    target = Code.objects.create(study=world.study, area=source.area, name="Mål")
    codings_before = list(Coding.objects.filter(code=source).values_list("pk", flat=True))

    def explode(*args, **kwargs):
        raise RuntimeError("connection lost")

    monkeypatch.setattr(codebook.audit, "record", explode)
    with pytest.raises(RuntimeError):
        merge_codes(source=source, target=target, user=world.users["lead"])
    assert Code.objects.filter(pk=source.pk).exists()
    assert list(Coding.objects.filter(code=source).values_list("pk", flat=True)) == codings_before


def test_it_answers_500_and_rolls_back_a_failing_request(world, monkeypatch):
    from coding import codings

    client = Client(raise_request_exception=False)
    client.force_login(world.users["lead"])
    transcript = Coding.objects.filter(code__study=world.study).first().transcript
    turn = transcript.turns.get(position=5)

    def explode(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(codings, "log_change", explode)
    response = client.post(reverse("coding:coding_create", args=[world.study.pk, transcript.pk]),
                           {"start": turn.start, "end": turn.end, "codes": [Code.objects.get(study=world.study).pk]})
    assert response.status_code == 500
    assert not Coding.objects.filter(turn=turn).exists()
    assert not AuditEvent.objects.filter(action="coding_created").exists()
