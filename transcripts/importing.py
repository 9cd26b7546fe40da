"""The import pipeline: file → draft → speaker mapping → anonymisation review → publish.

Until publishing, everything lives in one ImportDraft row (the parsed file, real speaker
names included). Publishing writes only the anonymised text and role labels and deletes
the draft in the same transaction; drafts older than 24 hours are purged. The browser
views and the `import_transcript` command both go through these functions.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .anonymising import Finding, Scanner, apply_replacements, normalise_term, plan_placeholders
from .anonymising.lexicon import lexicon
from .importers import ParsedTranscript, parse_file, parse_single_speaker
from .models import ImportDraft, Interview, Participant, SensitiveTerm, SpeakerKind, Transcript
from .publishing import TurnSpec, create_transcript, normalise_text

INTERVIEWER, ASSISTANT, NEW = "interviewer", "assistant", "new"
TEAMS_FORMATS = {"vtt", "teams-docx"}
PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"


class ImportProblem(ValueError):
    """A step that cannot be taken yet; str() is a message for the user."""


@functools.cache
def _digest_key(secret: str) -> bytes:
    return hashlib.sha256(f"nvos.sensitive-term:{secret}".encode()).digest()


def digest(term: str) -> str:
    """Keyed fingerprint of a normalised sensitive term. Keyed BLAKE2b with a key derived
    from SECRET_KEY: without the key, a stolen database cannot be tested against name
    lists; it is also about three times faster than HMAC-SHA256 on the scan's hot path."""
    return hashlib.blake2b(term.encode(), key=_digest_key(settings.SECRET_KEY), digest_size=32).hexdigest()


def purge_expired_drafts() -> int:
    return ImportDraft.purge_expired()


# ---- 1. upload -------------------------------------------------------------------------

def start_import(*, interview: Interview, user, filename: str, data: bytes, single_speaker: bool = False,
                 request=None) -> ImportDraft:
    """Parses the upload; raises importers.TranscriptFileError with a Swedish message. Nothing is
    stored unless parsing succeeded."""
    if hasattr(interview, "transcript"):
        raise ImportProblem(_("This interview already has a published transcript."))
    limits = {"max_bytes": settings.NVOS_UPLOAD_MAX_BYTES,
              "max_uncompressed_bytes": settings.NVOS_DOCX_MAX_UNCOMPRESSED_BYTES}
    parsed = parse_single_speaker(filename, data, **limits) if single_speaker else parse_file(filename, data, **limits)
    draft = ImportDraft.objects.create(interview=interview, created_by=user, source_format=parsed.format,
                                       parsed=parsed.to_json())
    draft.speaker_map = suggest_mapping(draft)
    draft.save(update_fields=["speaker_map"])
    audit.record(request or user, "import_started", interview, study_id=interview.team.study_id,
                 detail={"format": parsed.format, "turns": len(parsed.turns)})
    return draft


def parsed_of(draft: ImportDraft) -> ParsedTranscript:
    return ParsedTranscript.from_json(draft.parsed)


# ---- 2. speakers -----------------------------------------------------------------------

@dataclass(frozen=True)
class SpeakerTarget:
    """Where one speaker label of the file goes: a value like "interviewer", "assistant",
    "p:<participant id>" or "new" (with the new participant's role label)."""

    value: str
    new_label: str = ""


def speaker_choices(interview: Interview) -> list[tuple[str, str]]:
    choices = [(INTERVIEWER, _("Interviewer (%(label)s)") % {"label": interview.interviewer_label}),
               (ASSISTANT, _("Assistant (%(label)s)") % {"label": interview.assistant_label})]
    for participant in interview.team.participants.all():
        suffix = _(" – consent withdrawn") if participant.is_withdrawn else ""
        choices.append((f"p:{participant.pk}", f"{participant.role_label}{suffix}"))
    choices.append((NEW, _("New participant…")))
    return choices


_INTERVIEWER_WORDS = {"intervjuare", "intervjuaren", "moderator", "moderatorn", "interviewer", "i", "int"}
_ASSISTANT_WORDS = {"medhjälpare", "medhjälparen", "assistent", "bisittare", "observatör"}


def suggest_mapping(draft: ImportDraft) -> dict[str, dict]:
    """A first guess the user confirms: interviewer and assistant labels by name, labels
    equal to an existing role label to that participant, everything else unmapped."""
    interview = draft.interview
    participants = {p.role_label.casefold(): p for p in interview.team.participants.all()}
    mapping: dict[str, dict] = {}
    for label in parsed_of(draft).speakers():
        key = label.casefold().strip()
        if key in _INTERVIEWER_WORDS or key == interview.interviewer_label.casefold():
            mapping[label] = {"value": INTERVIEWER}
        elif key in _ASSISTANT_WORDS or key == interview.assistant_label.casefold():
            mapping[label] = {"value": ASSISTANT}
        elif key in participants:
            mapping[label] = {"value": f"p:{participants[key].pk}"}
        else:
            mapping[label] = {"value": ""}
    return mapping


def unmapped(draft: ImportDraft) -> list[str]:
    return [label for label in parsed_of(draft).speakers()
            if not draft.speaker_map.get(label, {}).get("value")]


_ROLE_LABEL_RE = re.compile(r"^[\wÅÄÖåäöéü][\w .,()/&+-]{0,58}$")


def set_mapping(draft: ImportDraft, targets: dict[str, SpeakerTarget]) -> list[str]:
    """Validates and stores the mapping; returns error messages (empty when all is well).

    A new role label may not be (or contain) one of the real speaker names of the file,
    since role labels are what gets stored."""
    errors: list[str] = []
    valid = {value for value, _label in speaker_choices(draft.interview)}
    names = _real_name_words(draft)
    mapping: dict[str, dict] = {}
    for label in parsed_of(draft).speakers():
        target = targets.get(label)
        if target is None or not target.value:
            mapping[label] = {"value": ""}
            continue
        if target.value not in valid:
            errors.append(_("Choose a role for every speaker."))
            continue
        entry = {"value": target.value}
        if target.value == NEW:
            role = " ".join(target.new_label.split())
            if not role or not _ROLE_LABEL_RE.match(role):
                errors.append(_("Give the new participant a role label, for example \"Sjuksköterska 2\"."))
                continue
            if set(normalise_term(role).split()) & names:
                errors.append(_("The role label \"%(role)s\" contains a name from the file. Use a role, "
                                "for example \"Arbetsterapeut\".") % {"role": role})
                continue
            entry["new_label"] = role
        mapping[label] = entry
    new_labels = [e["new_label"].casefold() for e in mapping.values() if e.get("new_label")]
    if len(new_labels) != len(set(new_labels)):
        errors.append(_("Two speakers got the same new role label. Number them, for example \"Sjuksköterska 2\"."))
    if not errors:
        draft.speaker_map = mapping
        draft.save(update_fields=["speaker_map"])
    return errors


def _speaker_names(draft: ImportDraft) -> list[str]:
    """Labels of the file that are people's names. Teams files carry real names; in other
    files a label counts as a name when one of its words is a known first name or surname."""
    labels = parsed_of(draft).speakers()
    if draft.source_format in TEAMS_FORMATS:
        return labels
    lex = lexicon()
    names = []
    for label in labels:
        words = [w.casefold() for w in re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", label)]
        if any(lex.is_name(w) and w not in lex.never_names for w in words):
            names.append(label)
    return names


def _real_name_words(draft: ImportDraft) -> set[str]:
    words: set[str] = set()
    for name in _speaker_names(draft):
        words.update(normalise_term(re.sub(r"\(.*?\)", " ", name)).split())
    return {w for w in words if len(w) > 1}


# ---- 3. anonymisation review -----------------------------------------------------------

def _scanner(draft: ImportDraft, *, extra_terms=()) -> Scanner:
    study_id = draft.interview.team.study_id
    terms = SensitiveTerm.objects.filter(study_id=study_id).values_list("digest", "token_count", "category")
    return Scanner(speaker_names=_speaker_names(draft), extra_terms=extra_terms,
                   term_digests=list(terms), digest_fn=digest)


def turn_texts(draft: ImportDraft) -> list[str]:
    return [normalise_text(t.text) for t in parsed_of(draft).turns]


def scan(draft: ImportDraft) -> list[dict]:
    """Scans every turn and stores the findings with transcript-wide placeholders.
    Certain findings start accepted, weak ones wait for the reviewer."""
    texts = turn_texts(draft)
    scanner = _scanner(draft)
    per_turn = [scanner.scan(text) for text in texts]
    per_turn = plan_placeholders(per_turn).apply(per_turn)
    findings = []
    for index, turn_findings in enumerate(per_turn):
        for finding in turn_findings:
            findings.append(_as_row(len(findings) + 1, index, finding, ACCEPTED if finding.certain else PENDING))
    draft.findings = findings
    draft.step = ImportDraft.Step.REVIEW
    draft.save(update_fields=["findings", "step"])
    return findings


def _as_row(row_id: int, turn: int, finding: Finding, status: str) -> dict:
    return {"id": row_id, "turn": turn, "start": finding.start, "end": finding.end, "text": finding.text,
            "category": finding.category, "placeholder": finding.placeholder, "replacement": finding.placeholder,
            "reason": finding.reason, "certain": finding.certain, "key": finding.key, "status": status}


def update_finding(draft: ImportDraft, finding_id: int, action: str, *, replacement: str = "",
                   everywhere: bool = False) -> list[dict]:
    """Accept, reject or edit one finding, or every finding with the same key."""
    rows = draft.findings
    target = next((r for r in rows if r["id"] == finding_id), None)
    if target is None:
        raise ImportProblem(_("The finding no longer exists. Reload the page."))
    chosen = [r for r in rows if r["key"] == target["key"]] if everywhere else [target]
    replacement = " ".join(replacement.split())[:80]
    for row in chosen:
        if action == "accept":
            row["status"] = ACCEPTED
        elif action == "reject":
            row["status"] = REJECTED
        elif action == "edit":
            if not replacement:
                raise ImportProblem(_("Write the text that should replace the finding, for example [namn 3]."))
            row["replacement"], row["status"] = replacement, ACCEPTED
        else:
            raise ImportProblem(_("Unknown action."))
    draft.save(update_fields=["findings"])
    return chosen


def decide_all(draft: ImportDraft, action: str) -> int:
    """"accept" accepts every suggestion; "reject_uncertain" rejects the weak pending ones."""
    changed = 0
    for row in draft.findings:
        if action == "accept" and row["status"] != ACCEPTED:
            row["status"], changed = ACCEPTED, changed + 1
        elif action == "reject_uncertain" and row["status"] == PENDING and not row["certain"]:
            row["status"], changed = REJECTED, changed + 1
    draft.save(update_fields=["findings"])
    return changed


CATEGORY_PLACEHOLDERS = {"namn": None, "kommun": "[kommun]", "arbetsplats": "[arbetsplats]", "ort": "[ort]",
                         "telefon": "[telefonnummer]", "epost": "[e-post]", "personnummer": "[personnummer]",
                         "annat": "[uppgift]"}


def add_finding(draft: ImportDraft, *, turn: int, start: int, end: int, category: str,
                remember: bool = False, user=None) -> list[dict]:
    """A reviewer marks text the scanner missed. Every other occurrence of the same words
    (whole words, any case) in the transcript is added too, with the same placeholder."""
    texts = turn_texts(draft)
    if category not in CATEGORY_PLACEHOLDERS:
        raise ImportProblem(_("Choose what kind of information it is."))
    if not (0 <= turn < len(texts)) or not (0 <= start < end <= len(texts[turn])):
        raise ImportProblem(_("The marked text could not be found. Reload the page and mark it again."))
    phrase = texts[turn][start:end].strip()
    if len(phrase) < 2:
        raise ImportProblem(_("Mark at least two characters."))
    key = f"{category}:{normalise_term(phrase)}"
    existing = next((r for r in draft.findings if r["key"] == key), None)
    placeholder = existing["replacement"] if existing else CATEGORY_PLACEHOLDERS[category]
    if placeholder is None:
        used = {int(n) for r in draft.findings for n in re.findall(r"\[namn (\d+)\]", r["replacement"])}
        placeholder = f"[namn {max(used, default=0) + 1}]"
    pattern = re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE)
    taken = {(r["turn"], r["start"], r["end"]) for r in draft.findings}
    added = []
    for index, text in enumerate(texts):
        for match in pattern.finditer(text):
            span = (index, match.start(), match.end())
            if span in taken or _overlaps(draft.findings + added, *span):
                continue
            row = _as_row(len(draft.findings) + len(added) + 1, index, Finding(
                start=match.start(), end=match.end(), text=match.group(), category=category,
                placeholder=placeholder, reason=_("Marked by the reviewer"), certain=True, key=key), ACCEPTED)
            added.append(row)
    draft.findings = draft.findings + added
    draft.save(update_fields=["findings"])
    if remember:
        add_sensitive_term(study_id=draft.interview.team.study_id, term=phrase,
                           category=_term_category(category), user=user)
    return added


def _overlaps(rows: list[dict], turn: int, start: int, end: int) -> bool:
    return any(r["turn"] == turn and r["start"] < end and start < r["end"] and r["status"] != REJECTED for r in rows)


def _term_category(category: str) -> str:
    return {"namn": "namn", "kommun": "ort", "ort": "ort", "arbetsplats": "arbetsplats"}.get(category, "annat")


def add_sensitive_term(*, study_id: int, term: str, category: str, user=None) -> SensitiveTerm | None:
    """Stores only a keyed fingerprint and a masked hint ("A… S…") of the term."""
    normalised = normalise_term(term)
    if not normalised:
        return None
    hint = " ".join(f"{w[0].upper()}…" for w in normalised.split())[:80]
    entry, _created = SensitiveTerm.objects.get_or_create(
        study_id=study_id, digest=digest(normalised),
        defaults={"token_count": len(normalised.split()), "hint": hint, "category": category, "added_by": user},
    )
    return entry


# ---- 4. publish ------------------------------------------------------------------------

def anonymised_texts(draft: ImportDraft) -> list[str]:
    """The turn texts with every accepted finding replaced."""
    texts = turn_texts(draft)
    by_turn: dict[int, list[tuple[int, int, str]]] = {}
    for row in draft.findings:
        if row["status"] == ACCEPTED:
            by_turn.setdefault(row["turn"], []).append((row["start"], row["end"], row["replacement"]))
    result = []
    for index, text in enumerate(texts):
        spans = _without_overlaps(sorted(by_turn.get(index, [])))
        result.append(apply_replacements(text, spans)[0] if spans else text)
    return result


def _without_overlaps(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    kept: list[tuple[int, int, str]] = []
    for span in spans:
        if kept and span[0] < kept[-1][1]:
            if span[1] - span[0] > kept[-1][1] - kept[-1][0]:
                kept[-1] = span
            continue
        kept.append(span)
    return kept


def publish_problems(draft: ImportDraft) -> list[str]:
    problems = []
    missing = unmapped(draft)
    if missing:
        problems.append(_("%(n)s speakers have no role yet.") % {"n": len(missing)})
    if draft.step != ImportDraft.Step.REVIEW:
        problems.append(_("The text has not been scanned for personal data yet."))
    pending = sum(1 for r in draft.findings if r["status"] == PENDING)
    if pending:
        problems.append(_("%(n)s findings are waiting for your decision.") % {"n": pending})
    return problems


@transaction.atomic
def publish(draft: ImportDraft, *, user, request=None) -> Transcript:
    """Stores the anonymised transcript with role labels and deletes the draft."""
    draft = ImportDraft.objects.select_for_update().select_related("interview__team").get(pk=draft.pk)
    problems = publish_problems(draft)
    if problems:
        raise ImportProblem(" ".join(problems))
    interview = draft.interview
    if Transcript.objects.filter(interview=interview).exists():
        raise ImportProblem(_("This interview already has a published transcript."))
    parsed = parsed_of(draft)
    participants = {p.pk: p for p in interview.team.participants.all()}
    created: dict[str, Participant] = {}
    speakers: dict[str, tuple[str, str, Participant | None]] = {}
    for label, entry in draft.speaker_map.items():
        value = entry["value"]
        if value == INTERVIEWER:
            speakers[label] = (SpeakerKind.INTERVIEWER, interview.interviewer_label, None)
        elif value == ASSISTANT:
            speakers[label] = (SpeakerKind.ASSISTANT, interview.assistant_label, None)
        elif value == NEW:
            role = entry["new_label"]
            if role not in created:
                created[role], _new = Participant.objects.get_or_create(
                    team=interview.team, role_label=role, defaults={"profession": role.rstrip(" 0123456789").lower()})
            speakers[label] = (SpeakerKind.PARTICIPANT, role, created[role])
        else:
            participant = participants[int(value.removeprefix("p:"))]
            speakers[label] = (SpeakerKind.PARTICIPANT, participant.role_label, participant)
    texts = anonymised_texts(draft)
    scanner = _scanner(draft)  # one scanner (and one read of the study's terms) for the whole publish
    remaining = _remaining_findings(scanner, texts)
    specs = [TurnSpec(kind=speakers[t.speaker][0], label=speakers[t.speaker][1], participant=speakers[t.speaker][2],
                      text=text, time_seconds=t.time_seconds) for t, text in zip(parsed.turns, texts, strict=True)]
    notes = "\n".join(parsed.notes)
    if notes:
        notes = _anonymise_notes(draft, scanner, notes)
    transcript = create_transcript(interview=interview, turns=specs, published_by=user,
                                   source_format=draft.source_format, notes=notes, open_findings=remaining)
    accepted = sum(1 for r in draft.findings if r["status"] == ACCEPTED)
    audit.record(request or user, "transcript_published", transcript, study_id=interview.team.study_id,
                 detail={"turns": len(specs), "replacements": accepted, "remaining": remaining,
                         "new_participants": len(created)})
    draft.delete()
    return transcript


def _remaining_findings(scanner: Scanner, texts: list[str]) -> int:
    """Certain findings still in the anonymised text (the reviewer rejected them)."""
    return sum(1 for text in texts for f in scanner.scan(text) if f.certain)


def _anonymise_notes(draft: ImportDraft, scanner: Scanner, notes: str) -> str:
    """Header lines may hold names too (a Teams meeting title): replace what the scanner finds."""
    known = {r["key"]: r["replacement"] for r in draft.findings if r["status"] == ACCEPTED}
    text = normalise_text(notes)
    findings = scanner.scan(text)
    spans = [(f.start, f.end, known.get(f.key, f.placeholder)) for f in findings]
    return apply_replacements(text, spans)[0] if spans else text


def cancel(draft: ImportDraft, *, user, request=None) -> None:
    audit.record(request or user, "import_cancelled", draft.interview, study_id=draft.interview.team.study_id)
    draft.delete()


# ---- after publishing ------------------------------------------------------------------

def rescan(transcript: Transcript, *, user=None, request=None) -> list[tuple[int, Finding]]:
    """Scans a published transcript again (study terms and name lists; the file's speaker
    names are gone by design). Stores the count so the transcript page can warn."""
    study_id = transcript.interview.team.study_id
    terms = SensitiveTerm.objects.filter(study_id=study_id).values_list("digest", "token_count", "category")
    scanner = Scanner(term_digests=list(terms), digest_fn=digest)
    found: list[tuple[int, Finding]] = []
    for turn in transcript.turns.order_by("position"):
        found += [(turn.position, f) for f in scanner.scan(turn.text)]
    transcript.open_findings = sum(1 for _p, f in found if f.certain)
    transcript.last_scanned_at = timezone.now()
    transcript.save(update_fields=["open_findings", "last_scanned_at"])
    audit.record(request or user, "transcript_rescanned", transcript, study_id=study_id,
                 detail={"findings": len(found)})
    return found


def context_snippet(text: str, start: int, end: int, width: int = 60) -> tuple[str, str, str]:
    """Text before, the finding, and text after, for showing a finding in context."""
    before = text[max(0, start - width):start]
    after = text[end:end + width]
    return (("…" if start > width else "") + before, text[start:end], after + ("…" if end + width < len(text) else ""))

