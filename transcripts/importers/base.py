"""Result types and the error every importer raises.

Kept in their own module so the format parsers can import them without importing the
package's dispatcher (which imports the parsers): no import cycles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

FORMATS = ("txt", "docx", "vtt", "teams-docx")

ERROR_CODES = frozenset(
    {
        "empty",
        "too_large",
        "binary",
        "encoding",
        "not_docx",
        "old_doc",
        "pdf",
        "zip_bomb",
        "xml_entities",
        "vtt_timestamp",
        "vtt_invalid",
        "no_turns",
        "unsupported",
    }
)

JSON_VERSION = 1

# A "word" for counting: letters/digits, with inner hyphens, apostrophes, colons and dots
# kept inside one word ("Anna-Karin", "10:30", "t.ex") so counts match what a reader sees.
_WORD_RE = re.compile(r"[^\W_]+(?:[-'’:.][^\W_]+)*")


class TranscriptFileError(ValueError):
    """Bad input file. ``str(error)`` is a Swedish message meant for the user.

    ``code`` is stable so views and tests can branch on it without parsing the text;
    ``line`` points at the offending line where that helps the user fix the file.
    """

    def __init__(self, message: str, code: str, line: int | None = None) -> None:
        if code not in ERROR_CODES:
            raise ValueError(f"unknown TranscriptFileError code {code!r}")
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"TranscriptFileError(code={self.code!r}, line={self.line!r}, message={self.message!r})"


@dataclass(frozen=True)
class ParsedTurn:
    """One speaker turn as found in the file, before anonymisation."""

    speaker: str
    text: str
    time_seconds: int | None = None


@dataclass
class ParsedTranscript:
    """A parsed file: turns plus the header lines that are not speech (``notes``)."""

    format: str
    turns: list[ParsedTurn]
    notes: list[str] = field(default_factory=list)
    encoding: str | None = None

    def speakers(self) -> list[str]:
        """Distinct speaker labels in order of first appearance (the UI maps them to roles)."""
        return list(dict.fromkeys(turn.speaker for turn in self.turns))

    def word_count(self) -> int:
        """Words spoken in the turns (notes excluded: they are not part of the interview)."""
        return sum(len(_WORD_RE.findall(turn.text)) for turn in self.turns)

    def to_json(self) -> dict[str, Any]:
        """Plain dict for a JSONField or the session, so a preview can survive a request."""
        return {
            "version": JSON_VERSION,
            "format": self.format,
            "encoding": self.encoding,
            "notes": list(self.notes),
            "turns": [{"speaker": t.speaker, "text": t.text, "time_seconds": t.time_seconds} for t in self.turns],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ParsedTranscript:
        """Inverse of :meth:`to_json`; validates types because the dict may come from storage."""
        try:
            fmt = data["format"]
            turns_data = data["turns"]
            notes = data.get("notes", [])
            encoding = data.get("encoding")
            if fmt not in FORMATS:
                raise ValueError(f"unknown format {fmt!r}")
            if not isinstance(turns_data, list) or not isinstance(notes, list):
                raise ValueError("turns and notes must be lists")
            if encoding is not None and not isinstance(encoding, str):
                raise ValueError("encoding must be a string or None")
            turns = [_turn_from_json(item) for item in turns_data]
            if not all(isinstance(note, str) for note in notes):
                raise ValueError("notes must be strings")
        except (KeyError, TypeError) as exc:
            raise ValueError(f"invalid ParsedTranscript JSON: {exc}") from exc
        return cls(format=fmt, turns=turns, notes=list(notes), encoding=encoding)


def _turn_from_json(item: dict[str, Any]) -> ParsedTurn:
    speaker, text, time = item["speaker"], item["text"], item.get("time_seconds")
    if not isinstance(speaker, str) or not isinstance(text, str):
        raise ValueError("turn speaker and text must be strings")
    if time is not None and (isinstance(time, bool) or not isinstance(time, int)):
        raise ValueError("turn time_seconds must be an integer or None")
    return ParsedTurn(speaker=speaker, text=text, time_seconds=time)


def no_turns_error() -> TranscriptFileError:
    """The message the upload form shows next to its "import as one speaker" button."""
    return TranscriptFileError(
        "Inga talarturer hittades i filen. Varje tur ska börja på en ny rad med talarens "
        "beteckning och ett kolon, till exempel ”Intervjuare: Välkomna hit.” eller "
        "”IP 3: Jag tycker att …”. Transkript från Microsoft Teams kan laddas upp direkt "
        "som .vtt-fil eller som Teams-export i .docx. Du kan också importera hela texten "
        "som en talare och dela upp den i turer efteråt.",
        "no_turns",
    )


def append_merging(turns: list[ParsedTurn], speaker: str, text: str, time_seconds: int | None) -> None:
    """Adds a turn, or extends the last one when the same speaker goes on: Teams splits one
    person's speech into many short cues or paragraphs."""
    if turns and turns[-1].speaker == speaker:
        last = turns[-1]
        turns[-1] = ParsedTurn(speaker, f"{last.text} {text}", last.time_seconds)
    else:
        turns.append(ParsedTurn(speaker, text, time_seconds))
