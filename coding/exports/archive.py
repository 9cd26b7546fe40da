"""The study archive: one whole study in one file, for backup and restore.

    python manage.py export_study STUDY_ID --format archive -o studie.zip
    python manage.py import_study studie.zip [--rename "Nytt namn"] [--user USERNAME]

Format, version 1
-----------------
A zip file (deflate). Every member except the manifest is JSON Lines: one JSON object per
line, one member per model, named after the model (`transcripts.turn.jsonl`):

- `manifest.json`: `format` ("nvos-studiearkiv"), `format_version`, `app_version`,
  `created_at` (UTC, ISO 8601), `study` (source id and name), `database`, `schema` (the
  last applied migration of each app), `password_hashes` (whether user rows carry them),
  `sensitive_term_key` (the keyed digest of a fixed word, to tell whether the sensitive
  terms' digests were made with this installation's SECRET_KEY), `models` (in restore
  order: model, file, rows, bytes, sha256 of the member's bytes, and how each field is
  written), and `text_checksums`: the SHA-256 of every transcript text and every coding
  text, by archive id.
- `auth.user.jsonl`: the users that any archived row points at (members, coders, authors,
  audit-event users), by username, first and last name, e-mail and is_active; the
  password hash only when asked for.
- one member per model in PARTS. A row holds "id" (the row's primary key in the source
  database, which is only the archive id) and every concrete field of the model, read
  through `_meta`, under the field's name: so a field added to a model later is archived
  without a change here. A foreign key to another archived row holds that row's archive
  id; a foreign key to a user holds the user's archive id; a foreign key to reference
  data (areas, phases, municipalities, service areas, spider categories) holds its
  natural key (slug, number, SCB code), never a pk. Dates and times are ISO 8601 strings
  (UTC for times), decimals are strings, JSON fields are JSON.

Restoring gives every row a new primary key and rewrites every foreign key in the archive
through the old-to-new mapping, also AuditEvent.study_id. AuditEvent.object_id and ids
inside AuditEvent.detail stay as they were in the source database: the audit trail is a
record of what happened there, and those ids are not foreign keys.

ImportDraft and CodingChange rows are not archived (NOT_ARCHIVED says why). A test fails
when a model of the transcripts or coding app is in neither list.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
import time
import uuid
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import identify_hasher
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from transcripts import audit
from transcripts.models import (
    AuditEvent,
    ImportDraft,
    Interview,
    Membership,
    Municipality,
    Participant,
    Round,
    SensitiveTerm,
    ServiceArea,
    SpiderCategory,
    SpiderScore,
    Study,
    Team,
    Transcript,
    Turn,
)

from ..models import (
    Area,
    Assignment,
    Code,
    Coding,
    CodingChange,
    Note,
    Phase,
    PhaseChange,
    Quote,
    RoundPrompt,
    Theme,
    ThemeCode,
    ThemeVersion,
)

FORMAT = "nvos-studiearkiv"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
USERS = "auth.user"
USER_FIELDS = ("username", "first_name", "last_name", "email", "is_active")
BATCH_SIZE = 1000
WRITE_BUFFER = 1 << 20
READ_CHUNK = 1 << 20
SENSITIVE_TERM_CANARY = "nvos-arkiv-kontrollord"

# Limits against hostile files. The uncompressed total and the compression ratio are
# checked on the zip's directory before anything is read; zipfile never returns more bytes
# than a member declares, so the declared sizes bound the reading. The total can be changed
# with the setting NVOS_ARCHIVE_MAX_BYTES.
MAX_UNCOMPRESSED_BYTES = 4 * 1024**3  # the 100-transcript benchmark study is about 40 MB
MAX_MANIFEST_BYTES = 32 * 1024**2  # about 400,000 coding checksums
MAX_LINE_BYTES = 64 * 1024**2
MAX_RATIO = 200  # deflate reaches about 1000:1 on a bomb; a study's JSON Lines about 5–20:1
RATIO_CHECK_FROM = 1024**2  # small members may compress better than that
MAX_MEMBERS = 200


class ArchiveError(Exception):
    """An archive cannot be written or read; str() is a Swedish message for the user and
    never holds transcript text."""


@dataclass(frozen=True)
class Part:
    """One archived model: its rows of a study, in restore order."""

    model: type[models.Model]
    rows: Callable[[Study], models.QuerySet]
    chunk_size: int = 2000
    # Plain integer columns that hold another archived row's id (not foreign keys).
    id_columns: Mapping[str, type[models.Model]] = field(default_factory=dict)
    # Text fields whose SHA-256 per row goes into the manifest.
    checksummed: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.model._meta.label_lower

    @property
    def filename(self) -> str:
        return f"{self.label}.jsonl"


# Parents before children: every foreign key points at a part earlier in the list, at the
# same model (restored in a second step), at a user or at reference data.
PARTS: tuple[Part, ...] = (
    Part(Study, lambda study: Study.objects.filter(pk=study.pk)),
    Part(Membership, lambda study: Membership.objects.filter(study=study)),
    Part(Team, lambda study: Team.objects.filter(study=study)),
    Part(Round, lambda study: Round.objects.filter(study=study)),
    Part(Interview, lambda study: Interview.objects.filter(team__study=study)),
    Part(Participant, lambda study: Participant.objects.filter(team__study=study)),
    Part(SpiderScore, lambda study: SpiderScore.objects.filter(team__study=study)),
    Part(SensitiveTerm, lambda study: SensitiveTerm.objects.filter(study=study)),
    Part(Transcript, lambda study: Transcript.objects.filter(interview__team__study=study), chunk_size=20,
         checksummed=("text",)),
    Part(Turn, lambda study: Turn.objects.filter(transcript__interview__team__study=study)),
    Part(Code, lambda study: Code.objects.filter(study=study)),
    Part(Coding, lambda study: Coding.objects.filter(transcript__interview__team__study=study),
         checksummed=("text",)),
    Part(Assignment, lambda study: Assignment.objects.filter(transcript__interview__team__study=study)),
    Part(Note, lambda study: Note.objects.filter(study=study)),
    Part(Theme, lambda study: Theme.objects.filter(study=study)),
    Part(ThemeCode, lambda study: ThemeCode.objects.filter(theme__study=study)),
    Part(ThemeVersion, lambda study: ThemeVersion.objects.filter(theme__study=study)),
    Part(Quote, lambda study: Quote.objects.filter(theme__study=study)),
    Part(RoundPrompt, lambda study: RoundPrompt.objects.filter(round__study=study)),
    Part(PhaseChange, lambda study: PhaseChange.objects.filter(study=study)),
    Part(AuditEvent, lambda study: AuditEvent.objects.filter(study_id=study.pk), id_columns={"study_id": Study}),
)

# Reference data is never archived: rows point at it by natural key, and every database
# has it after `migrate`.
REFERENCE_KEYS: dict[type[models.Model], str] = {
    Area: "slug",
    Phase: "number",
    Municipality: "code",
    ServiceArea: "slug",
    SpiderCategory: "slug",
}

NOT_ARCHIVED: dict[type[models.Model], str] = {
    ImportDraft: "an upload between parsing and publishing: transient, holds real speaker names and is "
                 "deleted within 24 hours; a restored study starts with no imports in progress",
    CodingChange: "a short-lived log for polling transcript pages, pruned after a day",
    **{model: f"reference data, referred to by its natural key ({key})" for model, key in REFERENCE_KEYS.items()},
}


# --- the columns of a part ------------------------------------------------------------------------

VALUE, ROW, SELF, USER, REFERENCE = "value", "row", "self", "user", "reference"


@dataclass(frozen=True)
class Column:
    field: models.Field
    kind: str
    target: type[models.Model] | None = None

    @property
    def name(self) -> str:
        return self.field.name

    def describe(self) -> str:
        if self.kind == REFERENCE:
            return f"{REFERENCE}:{self.target._meta.label_lower}.{REFERENCE_KEYS[self.target]}"
        if self.kind in (ROW, SELF):
            return f"{ROW}:{self.target._meta.label_lower}"
        return self.kind


def columns(part: Part) -> list[Column]:
    """Every concrete field but the primary key, with how it is written."""
    User = get_user_model()
    archived = {p.model for p in PARTS}
    result = []
    for model_field in part.model._meta.concrete_fields:
        if model_field.primary_key or getattr(model_field, "generated", False):
            continue
        if model_field.is_relation:
            target = model_field.related_model
            if not model_field.target_field.primary_key:
                raise ImproperlyConfigured(f"{part.label}.{model_field.name}: only keys to a primary key are archived")
            if target is part.model:
                result.append(Column(model_field, SELF, target))
            elif target is User:
                result.append(Column(model_field, USER, target))
            elif target in REFERENCE_KEYS:
                result.append(Column(model_field, REFERENCE, target))
            elif target in archived:
                result.append(Column(model_field, ROW, target))
            else:
                raise ImproperlyConfigured(f"{part.label}.{model_field.name} points at {target._meta.label}, "
                                           "which is neither archived nor reference data")
        elif model_field.name in part.id_columns:
            result.append(Column(model_field, ROW, part.id_columns[model_field.name]))
        else:
            result.append(Column(model_field, VALUE))
    return result


def check_declaration() -> None:
    """PARTS is complete and in restore order; raises ImproperlyConfigured otherwise."""
    seen: set[type[models.Model]] = set()
    for part in PARTS:
        if part.model in seen or part.model in NOT_ARCHIVED:
            raise ImproperlyConfigured(f"{part.label} is declared twice")
        for column in columns(part):
            if column.kind == ROW and column.target not in seen:
                raise ImproperlyConfigured(f"{part.label}.{column.name} points at a part restored later")
            if column.kind == SELF and not column.field.null:
                raise ImproperlyConfigured(f"{part.label}.{column.name} must be nullable to be restored")
        seen.add(part.model)
    if PARTS[0].model is not Study:
        raise ImproperlyConfigured("the study comes first")


# --- values ------------------------------------------------------------------------------------

def _to_json(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.time):  # datetimes too
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    return value


# Values of these field types are JSON as read; others go through _to_json (dates, decimals, ...).
JSON_NATIVE = {
    "CharField", "TextField", "SlugField", "EmailField", "URLField", "BooleanField", "JSONField",
    "GenericIPAddressField", "FloatField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
}


def _converter(column: Column) -> Callable[[Any], Any] | None:
    if column.kind != VALUE or column.field.get_internal_type() in JSON_NATIVE:
        return None
    return _to_json


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _app_version() -> str:
    try:
        return metadata.version("nvos-kodning")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a plain checkout
        return ""


def _schema() -> dict[str, str]:
    applied = MigrationRecorder(connection).applied_migrations()
    latest: dict[str, str] = {}
    for app, name in applied:
        if app in ("auth", "transcripts", "coding"):
            latest[app] = max(latest.get(app, ""), name)
    return dict(sorted(latest.items()))


def _sensitive_term_key() -> str:
    from transcripts.importing import digest

    return digest(SENSITIVE_TERM_CANARY)


# --- export ------------------------------------------------------------------------------------

class _Member:
    """A zip member written line by line, with its size and SHA-256."""

    def __init__(self, archive: zipfile.ZipFile, name: str) -> None:
        info = zipfile.ZipInfo(name, date_time=time.localtime()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED
        self._file = archive.open(info, "w", force_zip64=True)
        self._buffer: list[bytes] = []
        self._buffered = 0
        self.sha256 = hashlib.sha256()
        self.size = 0
        self.rows = 0

    def write_row(self, row: dict[str, Any]) -> None:
        line = json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        self._buffer.append(line)
        self._buffered += len(line)
        self.rows += 1
        if self._buffered >= WRITE_BUFFER:
            self._flush()

    def _flush(self) -> None:
        data = b"".join(self._buffer)
        self._buffer, self._buffered = [], 0
        self.sha256.update(data)
        self.size += len(data)
        self._file.write(data)

    def close(self) -> None:
        self._flush()
        self._file.close()


@contextmanager
def _snapshot():
    """On PostgreSQL, read the whole study in one REPEATABLE READ transaction, as pg_dump
    does, so that rows added while exporting cannot leave a coding without its code. (On
    SQLite a transaction here would block every writer, so the export reads as it goes.)"""
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            yield
    else:
        yield


def write_archive(study: Study, options: Any, out: BinaryIO) -> dict[str, int]:
    """Write the whole study as an archive to `out` (the export registry's writer). The export
    choices do not apply. User password hashes are included only when `options` has a true
    `include_password_hashes`. Returns the row count per model."""
    check_declaration()
    include_hashes = bool(getattr(options, "include_password_hashes", False))
    with _snapshot():
        return _write(study, out, include_hashes=include_hashes)


def _write(study: Study, out: BinaryIO, *, include_hashes: bool) -> dict[str, int]:
    natural = {model: dict(model.objects.values_list("pk", key)) for model, key in REFERENCE_KEYS.items()}
    exported: dict[type[models.Model], set[int]] = {}
    user_ids: set[int] = set()
    entries: dict[str, dict[str, Any]] = {}
    text_checksums: dict[str, dict[str, str]] = {}
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for part in PARTS:
            cols = columns(part)
            ids: set[int] = set()
            parents: list[tuple[int, int]] = []
            sums = {name: text_checksums.setdefault(f"{part.label}.{name}", {}) for name in part.checksummed}
            member = _Member(archive, part.filename)
            rows = (part.rows(study).order_by("pk").values_list("pk", *(c.field.attname for c in cols))
                    .iterator(chunk_size=part.chunk_size))
            plan = [(c.name, c.kind, exported.get(c.target), _converter(c)) for c in cols]
            for pk, *values in rows:
                row: dict[str, Any] = {"id": pk}
                for (name, kind, targets, convert), value, column in zip(plan, values, cols, strict=True):
                    if value is None:
                        row[name] = None
                    elif kind is VALUE:
                        row[name] = value if convert is None else convert(value)
                    elif kind is ROW:
                        if value not in targets:
                            raise ArchiveError(_outside(part, pk, column, value))
                        row[name] = value
                    elif kind is SELF:
                        parents.append((pk, value))
                        row[name] = value
                    elif kind is USER:
                        user_ids.add(value)
                        row[name] = value
                    else:
                        row[name] = natural[column.target][value]
                for name, text in sums.items():
                    text[str(pk)] = _sha256(row[name] or "")
                ids.add(pk)
                member.write_row(row)
            member.close()
            for pk, parent in parents:
                if parent not in ids:
                    raise ArchiveError(_outside(part, pk, next(c for c in cols if c.kind == SELF), parent))
            exported[part.model] = ids
            entries[part.label] = _entry(part.label, part.filename, member,
                                         {c.name: c.describe() for c in cols})
        entries[USERS] = _write_users(archive, user_ids, include_hashes)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": _app_version(),
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "study": {"id": study.pk, "name": study.name},
            "database": connection.vendor,
            "schema": _schema(),
            "password_hashes": include_hashes,
            "sensitive_term_key": _sensitive_term_key(),
            "models": [entries[USERS], *(entries[part.label] for part in PARTS)],
            "text_checksums": text_checksums,
        }
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
    return {entry["model"]: entry["rows"] for entry in manifest["models"]}


def _outside(part: Part, pk: int, column: Column, value: int) -> str:
    return (f"Studien kan inte arkiveras: {part.label} {pk} pekar via {column.name} på "
            f"{column.target._meta.label_lower} {value}, som inte hör till studien.")


def _entry(label: str, filename: str, member: _Member, fields: dict[str, str]) -> dict[str, Any]:
    return {"model": label, "file": filename, "rows": member.rows, "bytes": member.size,
            "sha256": member.sha256.hexdigest(), "fields": fields}


def _write_users(archive: zipfile.ZipFile, user_ids: set[int], include_hashes: bool) -> dict[str, Any]:
    User = get_user_model()
    names = ("pk", *USER_FIELDS, *(("password",) if include_hashes else ()))
    member = _Member(archive, f"{USERS}.jsonl")
    ordered = sorted(user_ids)
    for start in range(0, len(ordered), 500):
        for values in User.objects.filter(pk__in=ordered[start:start + 500]).order_by("pk").values_list(*names):
            member.write_row({("id" if name == "pk" else name): value for name, value in zip(names, values,
                                                                                               strict=True)})
    member.close()
    return _entry(USERS, f"{USERS}.jsonl", member, dict.fromkeys(names[1:], VALUE))


# --- reading an archive --------------------------------------------------------------------------

BROKEN = "Filen är inte ett NVOS-studiearkiv eller är skadad ({reason}). Inget importerades."


def _broken(reason: str) -> ArchiveError:
    return ArchiveError(BROKEN.format(reason=reason))


def _limit(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def _open(path: Path) -> zipfile.ZipFile:
    if not path.is_file():
        raise ArchiveError(f"Filen finns inte: {path}")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise _broken("ingen läsbar zip-fil") from exc
    try:
        _check_directory(archive)
    except ArchiveError:
        archive.close()
        raise
    return archive


def _check_directory(archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise _broken(f"{len(infos)} filer i arkivet")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise _broken("samma fil finns flera gånger")
    total = 0
    max_total = _limit("NVOS_ARCHIVE_MAX_BYTES", MAX_UNCOMPRESSED_BYTES)
    for info in infos:
        if info.flag_bits & 0x1:
            raise _broken("krypterad fil")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _broken("okänd komprimering")
        if info.file_size > RATIO_CHECK_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise _broken(f"{info.filename[:80]} packas upp {info.file_size // max(info.compress_size, 1)} "
                          "gånger, en så kallad zip-bomb")
        total += info.file_size
    if total > max_total:
        raise _broken(f"uppackat {total // 1024**2} MB, mer än gränsen {max_total // 1024**2} MB")


def read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    """The manifest, checked: a newer format version is refused with a clear message."""
    try:
        info = archive.getinfo(MANIFEST)
    except KeyError as exc:
        raise _broken("manifest.json saknas") from exc
    if info.file_size > MAX_MANIFEST_BYTES:
        raise _broken("manifest.json är för stor")
    try:
        with archive.open(info) as member:
            manifest = json.loads(member.read(MAX_MANIFEST_BYTES + 1))
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, RecursionError) as exc:
        raise _broken("manifest.json går inte att läsa") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise _broken("manifest.json beskriver inget NVOS-studiearkiv")
    version = manifest.get("format_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _broken("formatversionen saknas")
    if version > FORMAT_VERSION:
        app = manifest.get("app_version") or "okänd"
        raise ArchiveError(
            f"Arkivet har formatversion {version} (skapat med NVOS Kodning {app}), men den här versionen av "
            f"NVOS Kodning ({_app_version() or 'okänd'}) kan bara läsa formatversion {FORMAT_VERSION} och äldre. "
            "Uppdatera NVOS Kodning och försök igen. Inget importerades."
        )
    study = manifest.get("study")
    if not isinstance(study, dict) or not isinstance(study.get("name"), str) or not study["name"].strip():
        raise _broken("studiens namn saknas")
    entries = manifest.get("models")
    expected = [USERS, *(part.label for part in PARTS)]
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise _broken("tabellistan saknas")
    labels = [entry.get("model") for entry in entries]
    if sorted(map(str, labels)) != sorted(expected):
        missing = sorted(set(expected) - set(labels))
        raise _broken(f"tabeller saknas: {', '.join(missing)}" if missing else "okända tabeller")
    for entry in entries:
        if (entry.get("file") != f"{entry['model']}.jsonl" or not _count(entry.get("rows"))
                or not _count(entry.get("bytes")) or not _hex(entry.get("sha256"))):
            raise _broken(f"manifestets rad för {entry['model']} är ogiltig")
    checksums = manifest.get("text_checksums")
    wanted = {f"{part.label}.{name}" for part in PARTS for name in part.checksummed}
    if (not isinstance(checksums, dict) or set(checksums) != wanted
            or not all(isinstance(sums, dict) for sums in checksums.values())):
        raise _broken("kontrollsummorna för texterna saknas")
    return manifest


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _hex(value: Any) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _entries(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["model"]: entry for entry in manifest["models"]}


def _rows(archive: zipfile.ZipFile, entry: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The rows of one member, checked against the manifest as they are read: row count, size
    and SHA-256 of the bytes. A mismatch raises ArchiveError after the last row at the latest."""
    label = entry["model"]
    try:
        info = archive.getinfo(entry["file"])
    except KeyError as exc:
        raise _broken(f"{entry['file']} saknas") from exc
    if info.file_size != entry["bytes"]:
        raise _mismatch(label)
    digest = hashlib.sha256()
    count = 0
    seen: set[int] = set()
    rest = b""
    try:
        with archive.open(info) as member:
            while chunk := member.read(READ_CHUNK):
                digest.update(chunk)
                lines = (rest + chunk).split(b"\n")
                rest = lines.pop()
                if len(rest) > MAX_LINE_BYTES:
                    raise _broken(f"för lång rad i {entry['file']}")
                for line in lines:
                    count += 1
                    if count > entry["rows"]:
                        raise _mismatch(label)
                    yield _parse(line, label, seen)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise _broken(f"{entry['file']} går inte att packa upp") from exc
    if rest:
        count += 1
        if count > entry["rows"]:
            raise _mismatch(label)
        yield _parse(rest, label, seen)
    if count != entry["rows"] or digest.hexdigest() != entry["sha256"]:
        raise _mismatch(label)


def _parse(line: bytes, label: str, seen: set[int]) -> dict[str, Any]:
    try:
        row = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise _broken(f"en rad i {label} är inte JSON") from exc
    if not isinstance(row, dict) or not _count(row.get("id")) or row["id"] in seen:
        raise _broken(f"en rad i {label} saknar ett giltigt id")
    seen.add(row["id"])
    return row


def _mismatch(label: str) -> ArchiveError:
    return ArchiveError(f"Kontrollsumman stämmer inte för {label}: arkivet är skadat eller har ändrats efter "
                        "exporten. Inget importerades.")


def verify(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Read every member once and check it against the manifest, writing nothing."""
    checksums = manifest["text_checksums"]
    for entry in manifest["models"]:
        part = next((p for p in PARTS if p.label == entry["model"]), None)
        names = part.checksummed if part else ()
        expected = {name: checksums[f"{entry['model']}.{name}"] for name in names}
        matched = dict.fromkeys(names, 0)
        for row in _rows(archive, entry):
            for name, sums in expected.items():
                text = row.get(name)
                if not isinstance(text, str) or sums.get(str(row["id"])) != _sha256(text):
                    raise ArchiveError(
                        f"Kontrollsumman för {entry['model']} {row['id']} ({name}) stämmer inte: arkivet är "
                        "skadat eller har ändrats efter exporten. Inget importerades.")
                matched[name] += 1
        for name, sums in expected.items():
            if matched[name] != len(sums):
                raise _mismatch(entry["model"])


# --- import ------------------------------------------------------------------------------------

@dataclass
class ImportResult:
    study: Study
    counts: dict[str, int]
    users_created: int
    users_reused: int
    warnings: list[str]
    manifest: dict[str, Any]
    seconds: float


def import_archive(path: Path, *, rename: str | None = None, user=None) -> ImportResult:
    """Restore the study in the archive at `path`, all or nothing. The archive is checked in
    full (manifest, sizes, SHA-256 of every member and of every transcript and coding text)
    before anything is written; raises ArchiveError with a Swedish message."""
    started = time.perf_counter()
    check_declaration()
    if not connection.features.can_return_rows_from_bulk_insert:  # pragma: no cover - MySQL, Oracle
        raise ArchiveError("Databasen kan inte ta emot ett studiearkiv (bulk_create ger inga id:n).")
    with _open(Path(path)) as archive:
        manifest = read_manifest(archive)
        name = manifest["study"]["name"] if rename is None else rename.strip()
        _check_name(name, renamed=rename is not None)
        verify(archive, manifest)
        restorer = None
        try:
            with transaction.atomic():
                _check_name(name, renamed=rename is not None)
                restorer = _Restorer(archive, manifest, name)
                study = restorer.run()
                audit.record(user, "study_imported", study, study_id=study.pk, detail={
                    "format": "archive",
                    "format_version": manifest["format_version"],
                    "source_study_id": manifest["study"].get("id"),
                    "archive_created_at": manifest.get("created_at"),
                    "renamed": rename is not None,
                    "rows": sum(restorer.counts.values()),
                })
        except DatabaseError as exc:
            where = (restorer.current if restorer is not None else "") or "studien"
            raise ArchiveError(f"Databasen godtog inte raderna för {where} ({type(exc).__name__}). "
                               "Inget importerades.") from exc
    return ImportResult(study=study, counts=restorer.counts, users_created=restorer.users_created,
                        users_reused=restorer.users_reused, warnings=restorer.warnings, manifest=manifest,
                        seconds=time.perf_counter() - started)


def _check_name(name: str, *, renamed: bool) -> None:
    if not name:
        raise ArchiveError("Studiens namn får inte vara tomt.")
    if len(name) > Study._meta.get_field("name").max_length:
        raise ArchiveError("Studiens namn är för långt (högst 200 tecken).")
    if Study.objects.filter(name=name).exists():
        if renamed:
            raise ArchiveError(f'Det finns redan en studie som heter "{name}". Välj ett annat namn med --rename.')
        raise ArchiveError(f'Det finns redan en studie som heter "{name}". Inget importerades. '
                           'Importera den under ett annat namn med --rename "Nytt namn".')


class _Restorer:
    """Writes the rows of a verified archive, remapping every key; runs inside one transaction."""

    def __init__(self, archive: zipfile.ZipFile, manifest: dict[str, Any], name: str) -> None:
        self.archive = archive
        self.manifest = manifest
        self.entries = _entries(manifest)
        self.name = name
        self.ids: dict[type[models.Model], dict[int, int]] = {}
        self.users: dict[int, int] = {}
        self.counts: dict[str, int] = {}
        self.users_created = 0
        self.users_reused = 0
        self.warnings: list[str] = []
        self.current = USERS
        self.natural = {model: dict(model.objects.values_list(key, "pk")) for model, key in REFERENCE_KEYS.items()}

    def run(self) -> Study:
        self._restore_users()
        for part in PARTS:
            self.current = part.label
            self._restore(part)
        self.current = ""
        study_id = next(iter(self.ids[Study].values()))
        self._check_sensitive_terms()
        return Study.objects.get(pk=study_id)

    def _restore_users(self) -> None:
        User = get_user_model()
        rows = list(_rows(self.archive, self.entries[USERS]))
        username_field = User.USERNAME_FIELD
        wanted: dict[str, dict[str, Any]] = {}
        for row in rows:
            username = row.get("username")
            if not isinstance(username, str) or not username or len(username) > 150:
                raise _broken("en användare saknar användarnamn")
            wanted[username] = row
        existing: dict[str, int] = {}
        names = list(wanted)
        for start in range(0, len(names), 500):
            existing.update(User.objects.filter(**{f"{username_field}__in": names[start:start + 500]})
                            .values_list(username_field, "pk"))
        new_users = []
        for username, row in wanted.items():
            if username in existing:
                continue
            values = {name: self._user_value(User, name, row[name]) for name in USER_FIELDS[1:] if name in row}
            new_user = User(**{username_field: username}, **values)
            password = row.get("password")
            if isinstance(password, str) and password and _usable_hash(password):
                new_user.password = password
            else:
                new_user.set_unusable_password()
            new_users.append(new_user)
        for created in User.objects.bulk_create(new_users, batch_size=BATCH_SIZE):
            existing[created.get_username()] = created.pk
        self.users = {row["id"]: existing[row["username"]] for row in rows}
        self.users_created = len(new_users)
        self.users_reused = len(wanted) - len(new_users)
        self.counts[USERS] = len(rows)

    def _user_value(self, User, name: str, value: Any) -> Any:
        try:
            return User._meta.get_field(name).to_python(value)
        except ValidationError as exc:
            raise _broken(f"fältet {name} för en användare är ogiltigt") from exc

    def _restore(self, part: Part) -> None:
        entry = self.entries[part.label]
        cols = columns(part)
        known = {"id", *(c.name for c in cols)}
        unknown = sorted(set(entry.get("fields", {})) - known)
        if unknown:
            self.warnings.append(f"{part.label}: fälten {', '.join(unknown)} finns inte i den här versionen "
                                 "och lästes inte in.")
        stamped = [c.field.attname for c in cols if getattr(c.field, "auto_now", False)
                   or getattr(c.field, "auto_now_add", False)]
        mapping: dict[int, int] = {}
        self.ids[part.model] = mapping
        parents: list[tuple[int, int]] = []  # (old id, old parent id)
        batch: list[tuple[int, models.Model]] = []
        count = 0
        for row in _rows(self.archive, entry):
            if part.model is Study:
                row = {**row, "name": self.name}
            batch.append((row["id"], self._instance(part, cols, row, parents)))
            count += 1
            if len(batch) >= BATCH_SIZE:
                self._save(part, batch, mapping, stamped)
                batch = []
        self._save(part, batch, mapping, stamped)
        if part.model is Study and count != 1:
            raise _broken("arkivet ska innehålla exakt en studie")
        if parents:
            self_column = next(c for c in cols if c.kind == SELF)
            objects = []
            for old, parent in parents:
                if parent not in mapping:
                    raise _broken(f"{part.label} {old} pekar på en rad som saknas")
                objects.append(part.model(pk=mapping[old], **{self_column.field.attname: mapping[parent]}))
            part.model.objects.bulk_update(objects, [self_column.field.attname], batch_size=BATCH_SIZE)
        self.counts[part.label] = count

    def _instance(self, part: Part, cols: list[Column], row: dict[str, Any],
                  parents: list[tuple[int, int]]) -> models.Model:
        values: dict[str, Any] = {}
        for column in cols:
            if column.name not in row:
                continue  # written by an older version: the model's default applies
            value = row[column.name]
            attname = column.field.attname
            if value is None:
                values[attname] = None
            elif column.kind == VALUE:
                try:
                    values[attname] = column.field.to_python(value)
                except (ValidationError, TypeError, ValueError) as exc:
                    raise _broken(f"{part.label} {row['id']}: fältet {column.name} är ogiltigt") from exc
            elif column.kind == ROW:
                values[attname] = self._lookup(self.ids[column.target], value, part, row, column)
            elif column.kind == USER:
                values[attname] = self._lookup(self.users, value, part, row, column)
            elif column.kind == SELF:
                parents.append((row["id"], value))
                values[attname] = None
            else:
                try:
                    values[attname] = self.natural[column.target][value]
                except (KeyError, TypeError) as exc:
                    raise ArchiveError(
                        f"Referensdata saknas i databasen: {column.target._meta.label_lower} {value!r}. Kör "
                        "manage.py migrate (och seed_reference_data) först. Inget importerades.") from exc
        return part.model(**values)

    @staticmethod
    def _lookup(mapping: dict[int, int], value: Any, part: Part, row: dict[str, Any], column: Column) -> int:
        try:
            return mapping[value]
        except (KeyError, TypeError) as exc:
            raise _broken(f"{part.label} {row['id']} pekar via {column.name} på en rad som saknas") from exc

    @staticmethod
    def _save(part: Part, batch: list[tuple[int, models.Model]], mapping: dict[int, int],
              stamped: list[str]) -> None:
        if not batch:
            return
        # bulk_create sets auto_now(_add) fields to now; keep the archived times.
        times = [{name: getattr(obj, name) for name in stamped} for _old, obj in batch]
        created = part.model.objects.bulk_create([obj for _old, obj in batch])
        for (old, _obj), obj in zip(batch, created, strict=True):
            mapping[old] = obj.pk
        if stamped:
            for obj, values in zip(created, times, strict=True):
                for name, value in values.items():
                    setattr(obj, name, value if value is not None else timezone.now())
            part.model.objects.bulk_update(created, stamped, batch_size=BATCH_SIZE)

    def _check_sensitive_terms(self) -> None:
        terms = self.counts.get(SensitiveTerm._meta.label_lower, 0)
        if terms and self.manifest.get("sensitive_term_key") != _sensitive_term_key():
            self.warnings.append(
                f"De {terms} känsliga termerna skapades med en annan SECRET_KEY och känns inte igen här: "
                "lägg in dem igen under Känsliga termer.")


def _usable_hash(password: str) -> bool:
    try:
        identify_hasher(password)
    except ValueError:
        return False
    return True
