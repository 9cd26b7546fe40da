"""Storing an anonymised transcript: the one place that creates Transcript and Turn rows.

The text is the turns' texts joined by TURN_SEPARATOR, and every Turn records its span,
so that Transcript.text[turn.start:turn.end] == turn.text holds for every turn.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from .models import TURN_SEPARATOR, Interview, Participant, SpeakerKind, Transcript, Turn


@dataclass(frozen=True)
class TurnSpec:
    kind: str                      # SpeakerKind value
    label: str                     # role label shown for the turn
    text: str
    participant: Participant | None = None
    time_seconds: int | None = None


def normalise_text(text: str) -> str:
    """NFC, no NUL or other control characters except newline and tab, trimmed lines."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


@transaction.atomic
def create_transcript(*, interview: Interview, turns: list[TurnSpec], published_by, source_format: str,
                      notes: str = "", open_findings: int = 0) -> Transcript:
    texts = [normalise_text(t.text) for t in turns]
    kept = [(spec, text) for spec, text in zip(turns, texts, strict=True) if text]
    full = TURN_SEPARATOR.join(text for _spec, text in kept)
    transcript = Transcript.objects.create(
        interview=interview, text=full, notes=normalise_text(notes), source_format=source_format,
        word_count=len(full.split()), char_count=len(full), published_by=published_by,
        last_scanned_at=timezone.now(), open_findings=open_findings,
    )
    rows, offset = [], 0
    for position, (spec, text) in enumerate(kept, start=1):
        rows.append(Turn(
            transcript=transcript, position=position, speaker_kind=spec.kind,
            participant=spec.participant if spec.kind == SpeakerKind.PARTICIPANT else None,
            speaker_label=spec.label, text=text, start=offset, end=offset + len(text),
            time_seconds=spec.time_seconds,
        ))
        offset += len(text) + len(TURN_SEPARATOR)
    Turn.objects.bulk_create(rows, batch_size=1000)
    return transcript
