"""The study archive: export a whole study, delete it, import it, and find every row again.

Rows are compared through what they point at (usernames, reference data, the rows they
hang under), never through primary keys, since an import gives every row a new one.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import zipfile
from collections import Counter
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import models
from django.urls import reverse

from bench.make_study import delete_study
from coding.demo import DEMO_STUDY_NAME, OTHER_STUDY_NAME, create_demo_study
from coding.exports import EXPORTERS
from coding.exports import archive as archive_module
from coding.exports.archive import NOT_ARCHIVED, PARTS, REFERENCE_KEYS, USERS, check_declaration, write_archive
from coding.models import (
    Area,
    Code,
    Coding,
    Note,
    PhaseChange,
    Quote,
    RoundPrompt,
    Theme,
    ThemeCode,
    ThemeStatus,
    ThemeVersion,
)
from transcripts import audit
from transcripts.importing import digest
from transcripts.models import (
    AuditEvent,
    Membership,
    Participant,
    Role,
    SensitiveTerm,
    SpiderCategory,
    SpiderScore,
    Study,
    Transcript,
    Turn,
)

pytestmark = pytest.mark.django_db
User = get_user_model()
ARCHIVED = [part.model for part in PARTS]
# Events that the export and the import themselves record, after and outside the archive.
OWN_EVENTS = ("export_downloaded", "study_imported")


# --- a study with one of everything ---------------------------------------------------------------

@pytest.fixture
def study() -> Study:
    study, _created = create_demo_study()
    lead = User.objects.get(username="projektledare")
    coder = User.objects.get(username="medforskare1")
    inactive = User.objects.create_user("tidigare", email="tidigare@example.se", first_name="Tidigare",
                                        last_name="Medforskare", is_active=False, password="ett-langt-losenord")
    Membership.objects.create(study=study, user=inactive, role=Role.CORESEARCHER)
    study.current_phase, study.blind_coding = 3, True
    study.save()
    round1, round2 = study.rounds.order_by("number")
    team = study.teams.get(number=1)
    for order, category in enumerate(SpiderCategory.objects.order_by("order")[:3]):
        SpiderScore.objects.create(team=team, round=round1, category=category, score=Decimal("3.25") + order)
        SpiderScore.objects.create(team=team, round=round2, category=category, score=Decimal("4.10"))
    SensitiveTerm.objects.create(study=study, digest=digest("solrosen"), token_count=1, hint="S…",
                                 category=SensitiveTerm.Category.WORKPLACE, added_by=lead)

    samverkan = Area.objects.get(slug="samverkan")
    parent_code = Code.objects.filter(study=study, area=samverkan).order_by("name").first()
    child_code = Code.objects.create(study=study, area=samverkan, parent=parent_code, name="Underkod",
                                     definition="Ett barn i kodträdet.", inclusion="När …", exclusion="Inte när …",
                                     colour="#123456", created_by=lead)
    transcript = Transcript.objects.filter(interview__team__study=study).order_by("pk").first()
    first, second = transcript.turns.order_by("position")[1:3]
    spanning = Coding.objects.create(transcript=transcript, code=child_code, coder=coder, turn=first,
                                     start=first.end - 5, end=second.start + 5,
                                     text=transcript.text[first.end - 5:second.start + 5], memo="Över två repliker.")
    coding = Coding.objects.filter(transcript__interview__team__study=study, memo="").exclude(pk=spanning.pk).first()

    theme = Theme.objects.create(study=study, area=samverkan, name="Samverkan bygger på personer",
                                 definition="Temats kärna.\nTvå rader.", includes="Personer", excludes="System",
                                 status=ThemeStatus.DEFINED, created_by=lead, version=3)
    Theme.objects.create(study=study, area=samverkan, parent=theme, name="Undertema", created_by=coder)
    Theme.objects.create(study=study, area=None, name="Tvärs över områdena", status=ThemeStatus.DISCARDED)
    ThemeCode.objects.create(theme=theme, code=parent_code, linked_by=lead)
    ThemeCode.objects.create(theme=theme, code=child_code, linked_by=None)
    for number in (1, 2, 3):
        ThemeVersion.objects.create(theme=theme, number=number, name=f"Namn {number}",
                                    definition=f"Definition {number}", status=ThemeStatus.CANDIDATE,
                                    changed_by=lead, note=f"Ändring {number}")
    Quote.objects.create(theme=theme, coding=spanning, is_key=True, edited_text="Redigerad för läsbarhet.",
                         marked_by=lead)
    Quote.objects.create(theme=theme, coding=coding, is_key=False, marked_by=None)
    for slug in ("samverkan", "delaktighet"):  # the demo may have made them already
        RoundPrompt.objects.get_or_create(round=round2, area=Area.objects.get(slug=slug),
                                          defaults={"quote": f"Citat om {slug}.", "follow_up": "Hur tänker ni?"})
    PhaseChange.objects.create(study=study, from_phase=1, to_phase=2, changed_by=lead, note="Läst allt.")
    PhaseChange.objects.create(study=study, from_phase=2, to_phase=3, changed_by=None)
    Note.objects.create(study=study, author=lead, kind=Note.Kind.JOURNAL, title="Dagbok", text="Reflektion.")

    audit.record(lead, "coding_created", spanning, fields=["start", "end"], detail={"turn": first.pk, "fall": "arkiv"})
    audit.record(None, "phase_changed", study, detail={"from": 1, "to": 2})
    AuditEvent.objects.create(user=coder, username=coder.username, action="login", study_id=study.pk,
                              ip_address="192.0.2.7", at=datetime.datetime(2026, 3, 1, 9, 30, 15, 123456,
                                                                            tzinfo=datetime.UTC))
    other = Study.objects.get(name=OTHER_STUDY_NAME)
    audit.record(None, "phase_changed", other)  # another study's event: never archived
    assert Turn.objects.filter(transcript__interview__team__study=study).withdrawn().exists()
    assert Participant.objects.filter(team__study=study).withdrawn().exists()
    return study


# --- comparing rows without primary keys -----------------------------------------------------------

class Rows:
    """Every row of every archived model, as content: a foreign key becomes the content of the
    row it points at (a user its username, reference data its pk, which never changes)."""

    def __init__(self) -> None:
        self.objects = {model: {obj.pk: obj for obj in model.objects.all()} for model in ARCHIVED}
        self.studies = {pk: study.name for pk, study in self.objects[Study].items()}
        self.users = dict(User.objects.values_list("pk", "username"))
        self.cache: dict[tuple, tuple] = {}

    def identity(self, model, pk) -> tuple:
        key = (model, pk)
        if key not in self.cache:
            obj = self.objects[model][pk]
            self.cache[key] = tuple((f.name, self.value(obj, f)) for f in model._meta.concrete_fields
                                    if not f.primary_key)
        return self.cache[key]

    def value(self, obj, field):
        value = getattr(obj, field.attname)
        if value is None:
            return None
        if field.is_relation and field.related_model is User:
            return ("user", self.users[value])
        if field.is_relation and field.related_model in self.objects:
            return self.identity(field.related_model, value)
        if field.is_relation:
            return ("reference", field.related_model._meta.label, value)
        if obj.__class__ is AuditEvent and field.name == "study_id":
            return ("study", self.studies.get(value, value))
        if isinstance(field, models.JSONField):
            return json.dumps(value, sort_keys=True)
        return value

    def content(self) -> dict[str, Counter]:
        result = {}
        for model in ARCHIVED:
            rows = self.objects[model].values()
            if model is AuditEvent:
                rows = [e for e in rows if e.study_id is not None and e.action not in OWN_EVENTS]
            result[model._meta.label] = Counter(self.identity(model, row.pk) for row in rows)
        return result


def text_digest(study_name: str) -> str:
    """One SHA-256 over every text of the study, in a fixed order."""
    study = Study.objects.get(name=study_name)
    texts = [
        *Transcript.objects.filter(interview__team__study=study).order_by("interview__round__number",
                                                                           "interview__team__number")
        .values_list("text", "notes"),
        *Turn.objects.filter(transcript__interview__team__study=study)
        .order_by("transcript__interview__round__number", "transcript__interview__team__number", "position")
        .values_list("text", "speaker_label"),
        *Coding.objects.filter(transcript__interview__team__study=study)
        .order_by("transcript__interview__round__number", "transcript__interview__team__number", "start", "end",
                  "code__name", "coder__username").values_list("text", "memo"),
        *Note.objects.filter(study=study).order_by("kind", "author__username", "title", "text")
        .values_list("title", "text"),
        *Theme.objects.filter(study=study).order_by("name").values_list("definition", "includes", "excludes"),
        *ThemeVersion.objects.filter(theme__study=study).order_by("theme__name", "number")
        .values_list("definition", "note"),
        *Quote.objects.filter(theme__study=study).order_by("theme__name", "coding__start").values_list("edited_text"),
        *RoundPrompt.objects.filter(round__study=study).order_by("area__order").values_list("quote", "follow_up"),
        *Code.objects.filter(study=study).order_by("area__order", "name").values_list("definition", "inclusion"),
    ]
    return hashlib.sha256(json.dumps(texts, ensure_ascii=False).encode()).hexdigest()


def study_counts(study: Study) -> dict[str, int]:
    return {part.label: part.rows(study).count() for part in PARTS}


def all_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in [*ARCHIVED, User]}


def export(study: Study, path: Path) -> Path:
    call_command("export_study", str(study.pk), "--format", "archive", "-o", str(path))
    return path


def import_(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_study", str(path), *args, stdout=out)
    return out.getvalue()


def wipe(study: Study) -> None:
    """Delete the study, its audit trail and its people, as if restoring into another database.
    The admin stays, to show that an existing user of the same name is reused."""
    usernames = set(study.memberships.values_list("user__username", flat=True)) - {"administrator"}
    AuditEvent.objects.filter(study_id=study.pk).delete()
    delete_study(study)
    User.objects.filter(username__in=usernames).delete()


# --- the round trip --------------------------------------------------------------------------------

def test_it_restores_every_row_of_every_archived_model(study, tmp_path):
    before = Rows().content()
    texts = text_digest(DEMO_STUDY_NAME)
    counts = study_counts(study)
    source_pk = study.pk
    path = export(study, tmp_path / "studie.zip")
    assert AuditEvent.objects.filter(action="export_downloaded", study_id=source_pk,
                                     detail={"format": "archive", "via": "command"}).exists()

    wipe(study)
    assert not Study.objects.filter(name=DEMO_STUDY_NAME).exists()
    assert not Transcript.objects.exists() and not AuditEvent.objects.filter(study_id=source_pk).exists()
    output = import_(path)

    restored = Study.objects.get(name=DEMO_STUDY_NAME)
    assert restored.pk != source_pk
    after = Rows().content()
    for label, rows in before.items():
        assert after[label] == rows, f"{label} differs after the round trip"
    assert text_digest(DEMO_STUDY_NAME) == texts
    events = counts["transcripts.auditevent"] + 1  # and study_imported
    assert study_counts(restored) == {**counts, "transcripts.auditevent": events}
    event = AuditEvent.objects.get(action="study_imported")
    assert event.study_id == restored.pk and event.detail["source_study_id"] == source_pk
    assert "Importerade studien" in output


def test_it_keeps_offsets_and_texts_exact(study, tmp_path):
    path = export(study, tmp_path / "studie.zip")
    wipe(study)
    import_(path)
    restored = Study.objects.get(name=DEMO_STUDY_NAME)
    turns = Turn.objects.filter(transcript__interview__team__study=restored).select_related("transcript")
    assert turns.count() > 100
    for turn in turns:
        assert turn.transcript.text[turn.start:turn.end] == turn.text
    codings = Coding.objects.filter(transcript__interview__team__study=restored).select_related("transcript", "turn")
    assert codings.filter(memo="Över två repliker.").exists()
    for coding in codings:
        assert coding.transcript.text[coding.start:coding.end] == coding.text
        assert coding.turn.transcript_id == coding.transcript_id
        assert coding.turn.start <= coding.start < max(coding.turn.end, coding.turn.start + 1)


def test_it_keeps_withdrawals_trees_times_and_audit_ids(study, tmp_path):
    old_event = AuditEvent.objects.get(study_id=study.pk, detail__fall="arkiv")
    note_times = set(Note.objects.filter(study=study).values_list("created_at", "updated_at"))
    path = export(study, tmp_path / "studie.zip")
    wipe(study)
    import_(path)
    restored = Study.objects.get(name=DEMO_STUDY_NAME)
    assert Participant.objects.filter(team__study=restored, consent_withdrawn=datetime.date(2026, 10, 30)).exists()
    assert Turn.objects.filter(transcript__interview__team__study=restored).withdrawn().exists()
    child = Code.objects.get(study=restored, name="Underkod")
    assert child.parent.study_id == restored.pk
    assert Theme.objects.get(study=restored, name="Undertema").parent.name == "Samverkan bygger på personer"
    assert set(Note.objects.filter(study=restored).values_list("created_at", "updated_at")) == note_times
    event = AuditEvent.objects.get(study_id=restored.pk, detail__fall="arkiv")
    assert (event.object_id, event.detail, event.at) == (old_event.object_id, old_event.detail, old_event.at)
    assert AuditEvent.objects.get(action="login", study_id=restored.pk).at.microsecond == 123456


def test_it_gives_new_users_no_password_and_reuses_existing_ones(study, tmp_path):
    admin = User.objects.get(username="administrator")
    path = export(study, tmp_path / "studie.zip")
    wipe(study)
    output = import_(path)
    assert User.objects.get(username="administrator").pk == admin.pk
    assert User.objects.get(username="administrator").has_usable_password()
    inactive = User.objects.get(username="tidigare")
    assert (inactive.email, inactive.first_name, inactive.last_name, inactive.is_active) == (
        "tidigare@example.se", "Tidigare", "Medforskare", False)
    for username in ("projektledare", "medforskare1", "medforskare2", "tidigare"):
        assert not User.objects.get(username=username).has_usable_password()
    assert "4 nya, 1 fanns redan" in output
    with zipfile.ZipFile(path) as archive:
        assert b"password" not in archive.read("auth.user.jsonl")
        assert b"md5$" not in archive.read("auth.user.jsonl")


def test_it_carries_password_hashes_only_when_asked(study, tmp_path):
    path = tmp_path / "med-hash.zip"
    with path.open("wb") as out:
        write_archive(study, SimpleNamespace(include_password_hashes=True), out)
    wipe(study)
    import_(path)
    user = User.objects.get(username="projektledare")
    assert user.check_password("nvos-demo-2026")


def test_it_reports_row_counts(study, tmp_path):
    path = export(study, tmp_path / "studie.zip")
    wipe(study)
    output = import_(path)
    restored = Study.objects.get(name=DEMO_STUDY_NAME)
    lines = dict(line.split() for line in output.splitlines() if line.startswith("  "))
    expected = study_counts(restored)
    expected["transcripts.auditevent"] -= 1  # study_imported, recorded after the rows
    for label, count in expected.items():
        assert int(lines[label]) == count
    assert int(lines[USERS]) == 5
    assert int(lines["transcripts.turn"]) > 100


def test_it_writes_a_manifest_with_counts_checksums_and_every_field(study, tmp_path):
    path = export(study, tmp_path / "studie.zip")
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "nvos-studiearkiv" and manifest["format_version"] == 1
    assert manifest["study"]["name"] == DEMO_STUDY_NAME
    assert manifest["created_at"].endswith("+00:00") and manifest["app_version"]
    entries = {entry["model"]: entry for entry in manifest["models"]}
    for part in PARTS:
        fields = {f.name for f in part.model._meta.concrete_fields if not f.primary_key}
        assert set(entries[part.label]["fields"]) == fields, part.label
        assert entries[part.label]["rows"] == part.rows(study).exclude(**(
            {"action": "export_downloaded"} if part.model is AuditEvent else {})).count(), part.label
    transcripts = Transcript.objects.filter(interview__team__study=study)
    assert manifest["text_checksums"]["transcripts.transcript.text"] == {
        str(t.pk): hashlib.sha256(t.text.encode()).hexdigest() for t in transcripts}
    assert len(manifest["text_checksums"]["coding.coding.text"]) == Coding.objects.filter(
        transcript__in=transcripts).count()
    assert entries["coding.code"]["fields"]["area"] == "reference:coding.area.slug"


# --- refusing ----------------------------------------------------------------------------------

def test_it_refuses_a_study_of_the_same_name_unless_renamed(study, tmp_path):
    path = export(study, tmp_path / "studie.zip")
    counts = all_counts()
    with pytest.raises(CommandError, match="Det finns redan en studie som heter"):
        import_(path)
    assert all_counts() == counts
    with pytest.raises(CommandError, match="Det finns redan en studie"):
        import_(path, "--rename", OTHER_STUDY_NAME)
    assert all_counts() == counts

    import_(path, "--rename", "Kopia av demostudien")
    copy = Study.objects.get(name="Kopia av demostudien")
    # The copy has the imported events plus study_imported; the original those plus export_downloaded.
    assert study_counts(copy) == study_counts(study)
    assert text_digest("Kopia av demostudien") == text_digest(DEMO_STUDY_NAME)
    assert User.objects.count() == counts["auth.User"]  # everyone reused


def rewrite(path: Path, target: Path, edit=None, *, fix_checksums: bool = False, edit_manifest=None) -> Path:
    """Copy an archive, passing each member's bytes through edit(name, data). With
    fix_checksums the manifest's sizes, counts and checksums are made to match, as a careful
    forger would; edit_manifest(manifest) may change it further."""
    with zipfile.ZipFile(path) as source:
        members = {name: source.read(name) for name in source.namelist()}
    manifest = json.loads(members.pop("manifest.json"))
    if edit is not None:
        members = {name: edit(name, data) for name, data in members.items()}
    if fix_checksums:
        for entry in manifest["models"]:
            data = members[entry["file"]]
            entry.update(bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), rows=len(data.splitlines()))
        for line in members["transcripts.transcript.jsonl"].splitlines():
            row = json.loads(line)
            manifest["text_checksums"]["transcripts.transcript.text"][str(row["id"])] = hashlib.sha256(
                row["text"].encode()).hexdigest()
    if edit_manifest is not None:
        edit_manifest(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target


def flip_transcript_text(name: str, data: bytes) -> bytes:
    """One byte of the first transcript's text, changed in place: "Välkomna" becomes "Wälkomna"."""
    if name != "transcripts.transcript.jsonl":
        return data
    at = data.index(b'"text":"') + len(b'"text":"')
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1:]


def test_it_refuses_a_changed_transcript_text_and_writes_nothing(study, tmp_path):
    path = rewrite(export(study, tmp_path / "studie.zip"), tmp_path / "andrad.zip", flip_transcript_text)
    wipe(study)
    counts = all_counts()
    pattern = r"Kontrollsumman för transcripts.transcript \d+ \(text\) stämmer inte"
    with pytest.raises(CommandError, match=pattern) as error:
        import_(path)
    assert "Inget importerades" in str(error.value)
    assert all_counts() == counts


def test_it_refuses_a_flipped_byte_in_the_compressed_file(study, tmp_path):
    path = export(study, tmp_path / "studie.zip")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("transcripts.transcript.jsonl")
    data = bytearray(path.read_bytes())
    data[info.header_offset + 30 + len(info.filename) + 100] ^= 0xFF  # inside the compressed text
    path.write_bytes(bytes(data))
    wipe(study)
    counts = all_counts()
    with pytest.raises(CommandError, match="skadad|Kontrollsumman"):
        import_(path)
    assert all_counts() == counts


def test_it_rolls_back_when_a_late_member_fails_while_writing(study, tmp_path, monkeypatch):
    """Even past the check (here switched off), a problem found while writing undoes it all."""
    def break_quotes(name: str, data: bytes) -> bytes:
        return data + b'{"id":999999,"theme":424242,"coding":1}\n' if name == "coding.quote.jsonl" else data

    path = rewrite(export(study, tmp_path / "studie.zip"), tmp_path / "trasig.zip", break_quotes)
    wipe(study)
    counts = all_counts()
    monkeypatch.setattr(archive_module, "verify", lambda archive, manifest: None)
    with pytest.raises(CommandError):
        import_(path)
    assert all_counts() == counts


def test_it_refuses_a_dangling_key_even_with_matching_checksums(study, tmp_path):
    def dangling(name: str, data: bytes) -> bytes:
        if name != "coding.quote.jsonl":
            return data
        lines = data.splitlines(keepends=True)
        row = json.loads(lines[0])
        row["coding"] = 10**9
        return json.dumps(row).encode() + b"\n" + b"".join(lines[1:])

    path = rewrite(export(study, tmp_path / "studie.zip"), tmp_path / "hal.zip", dangling, fix_checksums=True)
    wipe(study)
    counts = all_counts()
    with pytest.raises(CommandError, match="pekar via coding på en rad som saknas"):
        import_(path)
    assert all_counts() == counts


def test_it_refuses_unknown_reference_data(study, tmp_path):
    def unknown_area(name: str, data: bytes) -> bytes:
        return data.replace(b'"area":"samverkan"', b'"area":"okant-omrade"') if name == "coding.code.jsonl" else data

    path = rewrite(export(study, tmp_path / "studie.zip"), tmp_path / "ref.zip", unknown_area, fix_checksums=True)
    wipe(study)
    counts = all_counts()
    with pytest.raises(CommandError, match="Referensdata saknas i databasen: coding.area 'okant-omrade'"):
        import_(path)
    assert all_counts() == counts


def test_it_refuses_rows_the_database_rejects_and_writes_nothing(study, tmp_path):
    def twice(name: str, data: bytes) -> bytes:
        if name != "transcripts.membership.jsonl":
            return data
        row = json.loads(data.splitlines()[0])
        return data + json.dumps({**row, "id": 10**9}).encode() + b"\n"  # the same person twice

    path = rewrite(export(study, tmp_path / "studie.zip"), tmp_path / "dubbel.zip", twice, fix_checksums=True)
    wipe(study)
    counts = all_counts()
    with pytest.raises(CommandError, match=r"Databasen godtog inte raderna för transcripts.membership "
                                           r"\(IntegrityError\). Inget importerades."):
        import_(path)
    assert all_counts() == counts


def test_it_reads_an_archive_with_fewer_or_more_fields_than_the_models(study, tmp_path):
    """An older archive lacks a field added since (the default applies); a newer one has a
    field this version lacks (left out, with a warning)."""
    def drift(name: str, data: bytes) -> bytes:
        if name != "coding.note.jsonl":
            return data
        rows = [json.loads(line) for line in data.splitlines()]
        return b"".join(json.dumps({**{k: v for k, v in row.items() if k != "is_done"}, "farg": "gul"},
                                   ensure_ascii=False).encode() + b"\n" for row in rows)

    def fields(manifest: dict) -> None:
        entry = next(e for e in manifest["models"] if e["model"] == "coding.note")
        entry["fields"] = {**{k: v for k, v in entry["fields"].items() if k != "is_done"}, "farg": "value"}

    path = rewrite(export(study, tmp_path / "studie.zip"), tmp_path / "drift.zip", drift, fix_checksums=True,
                   edit_manifest=fields)
    wipe(study)
    output = import_(path)
    restored = Study.objects.get(name=DEMO_STUDY_NAME)
    assert "coding.note: fälten farg finns inte i den här versionen" in output
    assert not Note.objects.filter(study=restored, is_done=True).exists()


def test_it_refuses_a_newer_format_version_in_swedish(study, tmp_path):
    def newer(manifest: dict) -> None:
        manifest["format_version"] = 2

    path = rewrite(export(study, tmp_path / "studie.zip"), tmp_path / "ny.zip", edit_manifest=newer)
    wipe(study)
    counts = all_counts()
    with pytest.raises(CommandError, match="Arkivet har formatversion 2 .* Uppdatera NVOS Kodning"):
        import_(path)
    assert all_counts() == counts


@pytest.mark.parametrize("content", [
    b"Talare 1: Det h\xc3\xa4r \xc3\xa4r ingen zip-fil.\n",
    b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcb\x48\xcd\xc9\xc9\x07\x00\x86\xa6\x10\x36\x05\x00\x00\x00",  # gzip
    b"",
])
def test_it_refuses_a_file_that_is_not_an_archive(tmp_path, world, content):
    path = tmp_path / "inte-ett-arkiv.zip"
    path.write_bytes(content)
    counts = all_counts()
    with pytest.raises(CommandError, match="Filen är inte ett NVOS-studiearkiv eller är skadad"):
        import_(path)
    assert all_counts() == counts


def test_it_refuses_a_zip_without_a_manifest_or_a_missing_file(tmp_path, world):
    path = tmp_path / "annan.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("dokument.txt", "Hej")
    with pytest.raises(CommandError, match="manifest.json saknas"):
        import_(path)
    with pytest.raises(CommandError, match="Filen finns inte"):
        import_(tmp_path / "saknas.zip")


def test_it_refuses_a_truncated_archive(study, tmp_path):
    path = export(study, tmp_path / "studie.zip")
    data = path.read_bytes()
    wipe(study)
    counts = all_counts()
    for size in (len(data) // 2, len(data) - 10):
        path.write_bytes(data[:size])
        with pytest.raises(CommandError, match="Filen är inte ett NVOS-studiearkiv eller är skadad"):
            import_(path)
    assert all_counts() == counts


def test_it_refuses_a_zip_bomb(tmp_path, world):
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("manifest.json", json.dumps({"format": "nvos-studiearkiv", "format_version": 1}))
        with archive.open("transcripts.turn.jsonl", "w") as member:
            zeros = b"\0" * 1024**2
            for _ in range(40):
                member.write(zeros)
    assert path.stat().st_size < 200_000
    with pytest.raises(CommandError, match="zip-bomb"):
        import_(path)


def test_it_refuses_an_archive_larger_than_the_limit(study, tmp_path, settings):
    path = export(study, tmp_path / "studie.zip")
    settings.NVOS_ARCHIVE_MAX_BYTES = 50_000
    with pytest.raises(CommandError, match="mer än gränsen"):
        import_(path, "--rename", "Annat namn")


# --- the declaration ------------------------------------------------------------------------------

def test_it_archives_every_model_or_says_why_not():
    check_declaration()
    declared = [*ARCHIVED, *NOT_ARCHIVED]
    assert len(declared) == len(set(declared)), "a model is both archived and excluded"
    models_of_apps = {model for label in ("transcripts", "coding")
                      for model in apps.get_app_config(label).get_models(include_auto_created=True)}
    assert models_of_apps - set(declared) == set(), "archive these models or say in NOT_ARCHIVED why not"
    assert all(reason.strip() for reason in NOT_ARCHIVED.values())
    assert set(REFERENCE_KEYS) <= set(NOT_ARCHIVED)
    for model, key in REFERENCE_KEYS.items():
        assert model._meta.get_field(key).unique, f"{model._meta.label}.{key} is not a natural key"


def test_it_registers_the_archive_for_the_command_but_not_the_browser(client, world, tmp_path):
    """The archive holds everything (withdrawn participants' words, e-mail addresses), so
    only an operator on the server makes it; the export page never offers it."""
    assert EXPORTERS["archive"].extension == "zip" and not EXPORTERS["archive"].web
    client.force_login(world.users["lead"])
    response = client.get(reverse("coding:export_download", args=[world.study.pk]), {"format": "archive"})
    assert response.status_code == 400
    path = export(world.study, tmp_path / "a.zip")
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["study"]["name"] == "Studie A"


def test_it_names_the_importer_in_the_audit_trail(study, tmp_path):
    path = export(study, tmp_path / "studie.zip")
    import_(path, "--rename", "Kopia", "--user", "administrator")
    event = AuditEvent.objects.get(action="study_imported")
    assert event.username == "administrator" and event.detail["renamed"] is True
    with pytest.raises(CommandError, match="Det finns ingen användare"):
        import_(path, "--rename", "Kopia 2", "--user", "okand")
