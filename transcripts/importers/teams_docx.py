"""Microsoft Teams transcript exports (.docx, or the same text pasted into a .txt).

Two layouts exist:

* "head" (current Teams): a line ``Anna Andersson   0:03`` (name, spaces or a tab,
  m:ss or h:mm:ss) followed by the spoken text on the next line(s), often in the same
  paragraph after a line break. A header (meeting title, date, duration,
  "Transkription", "X started transcription") comes first.
* "arrow" (older Teams): ``0:0:0.0 --> 0:0:4.860``, then the name line, then the text.

The parser works on cleaned lines, so it does not care whether a line break was a
paragraph or a ``<w:br/>`` in Word.
"""

from __future__ import annotations

import re
from collections import Counter

from .base import ParsedTurn, append_merging
from .labels import SENTENCE_WORDS, time_to_seconds, words

UNKNOWN_SPEAKER = "Okänd talare"

_HEAD_RE = re.compile(r"^(?P<name>\S.{0,98}?)\s+(?P<time>\d{1,2}:\d{1,2}(?::\d{1,2})?)$")
_COLON_LABEL_RE = re.compile(r"^[^:]{1,50}:\s")  # "Talare: text" lines, for telling the layouts apart
_TIME_LINE_RE = re.compile(r"^\d{1,2}:\d{1,2}(?::\d{1,2})?$")
_ARROW_RE = re.compile(r"^(?P<start>\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d+)?)\s*-->\s*\d{1,2}:\d{1,2}:\d{1,2}(?:[.,]\d+)?$")
_TRANSCRIPTION_EVENT_RE = re.compile(
    r"\b(?:started|stopped|startade|stoppade|avslutade|slutade|har\s+startat|har\s+stoppat|"
    r"har\s+avslutat)\s+(?:the\s+)?(?:transcription|transkribering(?:en)?|transkription(?:en)?)\b",
    re.IGNORECASE,
)
_HEADER_WORD_RE = re.compile(r"^(?:transcript|transkription|transkribering|transkript)$", re.IGNORECASE)
_MONTHS = frozenset(
    words(
        "januari februari mars april maj juni juli augusti september oktober november december "
        "january february march may june july august october"
    )
)
_NAME_WORD_STRIP = "()[],.:;\"'’"
_MAX_NAME_WORDS = 8


def name_ok(name: str) -> bool:
    """Teams shows display names ("Andersson Anna (Region Östergötland)", an e-mail):
    looser than a hand-typed label, but a sentence ending in a time is not a name."""
    if not name or name[-1] in ".,!?;:" or not name[0].isalpha():
        return False
    words = [w.strip(_NAME_WORD_STRIP).casefold() for w in name.split()]
    if len(words) > _MAX_NAME_WORDS:
        return False
    return not any(w in SENTENCE_WORDS or w in _MONTHS or (w.isdigit() and len(w) == 4) for w in words)


def _head(line: str) -> tuple[str, int | None] | None:
    match = _HEAD_RE.match(line)
    if not match or not name_ok(match["name"]):
        return None
    return match["name"], time_to_seconds(match["time"])


def join_split_heads(lines: list[str]) -> list[str]:
    """Some exports put the name and the time on separate lines: make them one head line."""
    joined: list[str] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _TIME_LINE_RE.match(following) and name_ok(line) and not _HEAD_RE.match(line):
            joined.append(f"{line} {following}")
            index += 2
        else:
            joined.append(line)
            index += 1
    return joined


def detect(lines: list[str]) -> str | None:
    """Return "head", "arrow" or None: is this a Teams export (not ``Talare: text``)?

    ``lines`` must have been through :func:`join_split_heads`.
    """
    arrows = sum(1 for line in lines if _ARROW_RE.match(line))
    if arrows >= 2:
        return "arrow"
    heads = Counter(head[0] for line in lines if (head := _head(line)))
    total = sum(heads.values())
    if not total:
        return None
    recurring = any(count >= 2 for count in heads.values())
    marker = any(_TRANSCRIPTION_EVENT_RE.search(line) or _HEADER_WORD_RE.match(line) for line in lines)
    colon_lines = sum(1 for line in lines if _COLON_LABEL_RE.match(line))
    if (recurring or marker) and total >= colon_lines:
        return "head"
    return None


def parse_lines(lines: list[str], style: str) -> tuple[list[ParsedTurn], list[str]]:
    """Return (turns, notes); consecutive entries of one speaker are merged."""
    entries, notes = _arrow_entries(lines) if style == "arrow" else _head_entries(lines)
    return _merge(entries), notes


Entry = tuple[str, int | None, list[str]]


def _head_entries(lines: list[str]) -> tuple[list[Entry], list[str]]:
    heads = [_head(line) for line in lines]
    counts = Counter(head[0] for head in heads if head)
    first = next(
        (i for i, head in enumerate(heads) if head and counts[head[0]] >= 2),
        next((i for i, head in enumerate(heads) if head), len(lines)),
    )
    notes = [line for line in lines[:first] if line]
    entries: list[Entry] = []
    for line, head in zip(lines[first:], heads[first:], strict=True):
        if head:
            entries.append((head[0], head[1], []))
        elif _TRANSCRIPTION_EVENT_RE.search(line):
            notes.append(line)
        elif line and entries:
            entries[-1][2].append(line)
    return entries, notes


def _arrow_entries(lines: list[str]) -> tuple[list[Entry], list[str]]:
    notes: list[str] = []
    entries: list[Entry] = []
    expect_name_at: int | None = None
    for index, line in enumerate(lines):
        arrow = _ARROW_RE.match(line)
        if arrow:
            expect_name_at = index + 1
            entries.append(("", time_to_seconds(arrow["start"]), []))
        elif not line:
            if expect_name_at == index:
                expect_name_at += 1
        elif not entries or _TRANSCRIPTION_EVENT_RE.search(line):
            notes.append(line)
        elif expect_name_at == index and name_ok(line) and len(line) <= 100:
            entries[-1] = (line, entries[-1][1], [])
        else:
            entries[-1][2].append(line)
    resolved: list[Entry] = []
    previous = UNKNOWN_SPEAKER
    for speaker, time, texts in entries:
        previous = speaker or previous
        resolved.append((previous, time, texts))
    return resolved, notes


def _merge(entries: list[Entry]) -> list[ParsedTurn]:
    """Teams cuts one person's speech into many entries; one turn reads better.

    Entries are joined with a space (Teams' cut points are arbitrary, not paragraphs).
    """
    turns: list[ParsedTurn] = []
    for speaker, time, texts in entries:
        text = "\n".join(texts)
        if text:
            append_merging(turns, speaker, text, time)
    return turns
