"""Applying and removing codings: offset validation, concurrency, change log, audit.

Only the turns a selection touches are read, never the whole transcript text, so applying
a coding costs the same on a 12,000-word and a 48,000-word transcript.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from transcripts import audit
from transcripts.ids import int_id
from transcripts.models import TURN_SEPARATOR, Role, Study, Transcript, Turn

from .models import Code, Coding, CodingChange


class CodingError(ValueError):
    """A selection that cannot be coded; str() is a message for the user."""


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    text: str
    first: Turn
    last: Turn
    turns: list[Turn]  # every turn the selection touches, participants loaded


_WS = re.compile(r"\s+")


def resolve_span(transcript: Transcript, start: int, end: int, expected_text: str | None = None) -> Span:
    """Checks a selection against the published text and trims it to whole characters of
    turns: no leading or trailing whitespace, no turn separator at either end."""
    if not (0 <= start < end <= transcript.char_count):
        raise CodingError(_("The selection does not lie within the transcript's text. Reload the page and try again."))
    turns = list(
        Turn.objects.filter(transcript=transcript, end__gt=start, start__lt=end)
        .select_related("participant")
        .order_by("position")
    )
    if not turns:
        raise CodingError(_("The selection contains no text of any turn."))
    if any(t.participant is not None and t.participant.consent_withdrawn is not None for t in turns):
        raise CodingError(_("The selection includes words of a participant who has withdrawn consent. "
                            "They cannot be coded."))
    start = max(start, turns[0].start)
    end = min(end, turns[-1].end)
    pieces = [t.text[max(start, t.start) - t.start:min(end, t.end) - t.start] for t in turns]
    text = TURN_SEPARATOR.join(pieces)
    stripped = text.strip()
    if not stripped:
        raise CodingError(_("The selection contains no text."))
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    start, end, text = start + lead, end - trail, stripped
    if expected_text is not None and _WS.sub(" ", expected_text).strip() != _WS.sub(" ", text):
        raise CodingError(_("The selection does not match the transcript's text. Reload the page and try again."))
    first = next(t for t in turns if t.end > start)
    last = next(t for t in reversed(turns) if t.start < end)
    return Span(start=start, end=end, text=text, first=first, last=last,
                turns=[t for t in turns if first.position <= t.position <= last.position])


def apply_codings(*, transcript: Transcript, codes: Sequence[Code | int], coder, start: int, end: int,
                  expected_text: str | None = None, request=None, study_id: int | None = None,
                  ) -> tuple[list[Coding], Span]:
    """Codes one selection with one or more codes (Code objects or ids). Applying the same
    code twice to the same span by the same coder is a no-op, also when two requests race."""
    code_ids = list(dict.fromkeys(c if isinstance(c, int) else c.pk for c in codes))
    if not code_ids:
        raise CodingError(_("Choose at least one code."))
    span = resolve_span(transcript, start, end, expected_text)
    study_id = study_id or transcript.interview.team.study_id
    created: list[Coding] = []
    with transaction.atomic():
        _lock_codes(code_ids, study_id)
        for code_id in code_ids:
            coding = Coding(transcript=transcript, code_id=code_id, coder=coder, start=span.start, end=span.end,
                            text=span.text, turn=span.first)
            try:
                with transaction.atomic():
                    coding.save(force_insert=True)
            except IntegrityError:
                continue  # the same coder already applied this code to this span
            created.append(coding)
            audit.record(request or coder, "coding_created", coding, study_id=study_id,
                         detail={"transcript": transcript.pk, "code": code_id})
        log_change(transcript, span.first.position, span.last.position)
    return created, span


def _lock_codes(ids: list[int], study_id: int) -> None:
    """Holds a key-share lock on the codes until the coding is committed.

    Coders do not block each other, but a merge or delete of the code (which takes FOR
    UPDATE) waits for them, and a coder arriving after the merge finds the code gone and
    gets a clear message instead of a coding that the merge would silently drop.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT id FROM "{Code._meta.db_table}" WHERE id = ANY(%s) AND study_id = %s '
                           "FOR KEY SHARE", [ids, study_id])
            found = {row[0] for row in cursor.fetchall()}
    else:  # SQLite runs one writer at a time
        found = set(Code.objects.filter(pk__in=ids, study_id=study_id).values_list("pk", flat=True))
    if found != set(ids):
        raise CodingError(_("The code no longer exists: it may have been merged with another code or deleted. "
                            "Reload the page."))


def remove_coding(*, coding: Coding, user, request=None) -> tuple[int, int]:
    """Deletes one coding; returns the first and last turn positions to re-render."""
    with transaction.atomic():
        positions = list(
            Turn.objects.filter(transcript_id=coding.transcript_id, end__gt=coding.start, start__lt=coding.end)
            .order_by("position").values_list("position", flat=True)
        )
        first, last = (positions[0], positions[-1]) if positions else (0, 0)
        audit.record(request or user, "coding_deleted", coding, study_id=coding.code.study_id,
                     detail={"transcript": coding.transcript_id, "code": coding.code_id})
        coding.delete()
        log_change(coding.transcript, first, last)
    return first, last


def log_change(transcript: Transcript, first: int, last: int) -> CodingChange:
    change = CodingChange.objects.create(transcript=transcript, first_turn=first, last_turn=last)
    if change.pk % 500 == 0:  # prune now and then; open pages only need the last minutes
        CodingChange.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()
    return change


def visible_codings(study: Study, user, role: str | None, mode: str, coder_id: int | None = None) -> QuerySet:
    """Codings the user may see in the chosen view. Under blind coding co-researchers see
    only their own, whatever they ask for."""
    qs = Coding.objects.filter(code__study=study)
    if study.blind_coding and role == Role.CORESEARCHER:
        return qs.filter(coder=user)
    if mode == "mine":
        return qs.filter(coder=user)
    if mode == "coder" and coder_id:
        return qs.filter(coder_id=coder_id)
    return qs


def view_mode(request, study: Study) -> tuple[str, int | None]:
    """The coding view filter, from the query string or remembered per study in the session."""
    key = f"coding_view_{study.pk}"
    raw = request.GET.get("visa")
    if raw is None:
        raw = request.session.get(key, "all")
    elif request.session.get(key) != raw:
        request.session[key] = raw
    if raw in {"mine", "all"}:
        return raw, None
    coder_id = int_id(raw)
    if coder_id is not None:
        return "coder", coder_id
    return "all", None
