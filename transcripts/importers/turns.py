"""Turning classified lines (from a text file or a Word document) into speaker turns.

Works in three passes because whether ``Word: text`` is a speaker often depends on the
whole document: a label that recurs is a speaker, a one-off ``Datum: 12 mars`` before
the first real turn is a header note, and ``Det var så här: vi ringde.`` is never a label.

1. classify every line on its own (:func:`classify`),
2. decide which label candidates are accepted, using how often each label occurs,
3. assemble turns and notes from the first "anchor" turn on.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import Enum

from .base import ParsedTurn
from .labels import (
    LABEL_ALONE_RE,
    LABEL_COLON_RE,
    LEADING_TIME_RE,
    LabelInfo,
    clean,
    first_time,
    is_time_only,
    judge_label,
    time_to_seconds,
)

# A label line without a colon must be short; longer lines are speech.
_MAX_ALONE_CHARS = 60
# Header fields do not repeat; a header key used this often is a speaker ("Deltagare:").
_HEADER_AS_SPEAKER_MIN = 3
# A one-off label before the first recurring one is still a turn when its text is long.
_ANCHOR_MIN_WORDS = 12
_LEADING_SEPARATORS = ":–—- \t"


@dataclass
class Line:
    """One line of input, already whitespace-cleaned (may hold "\\n" for table cells)."""

    text: str
    heading: bool = False  # Word heading style: always a note
    bold_label: str | None = None  # Word: leading bold text of a line that continues
    bold_rest: str = ""  # Word: the text after the bold prefix
    all_bold: bool = False  # Word: the whole line is bold
    cell_label: str | None = None  # Word table: text of the speaker column
    cell_time: int | None = None  # Word table: time column
    tab_label: str | None = None  # "IP1<tab>text": text before the first tab
    tab_rest: str = ""


_TAB_SPLIT_RE = re.compile(r"^\s*([^\t]{1,60}?)[ \xa0]*\t\s*(\S.*)$", re.DOTALL)


def make_line(raw: str, *, heading: bool = False) -> Line:
    """Build a Line from a raw (uncleaned) line, remembering a tab after a short prefix."""
    line = Line(clean(raw), heading=heading)
    if "\t" in raw:
        match = _TAB_SPLIT_RE.match(raw)
        if match:
            line.tab_label, line.tab_rest = clean(match[1]), clean(match[2])
    return line


class Kind(Enum):
    BLANK = "blank"
    TIME = "time"
    NOTE = "note"
    LABEL = "label"
    TEXT = "text"


@dataclass
class Item:
    kind: Kind
    text: str  # the whole line, used when the line ends up as a note or continuation
    info: LabelInfo | None = None
    form: str = ""  # colon | bold | tab | alone | cell
    time: int | None = None
    had_time: bool = False
    rest: str = ""
    explicit: bool = False  # a colon (or a table column) marks the label explicitly


@dataclass
class _Turn:
    speaker: str
    time: int | None
    paragraphs: list[str] = field(default_factory=list)


# --- pass 1: classify ---------------------------------------------------------------------


def classify(line: Line) -> Item:
    """Classify one line without looking at its neighbours."""
    text = line.text
    if line.cell_label is not None:
        return _classify_cell(line)
    if not text:
        return Item(Kind.BLANK, "")
    if line.heading:
        return Item(Kind.NOTE, text)
    if is_time_only(text):
        return Item(Kind.TIME, text, time=time_to_seconds(text), had_time=True)
    colon, tab = _classify_colon(text), _classify_tab(line)
    if tab is not None and (colon is None or len(tab.rest) > len(colon.rest)):
        colon = None  # "IP1<tab>Anna: …": the tab comes first, so it separates the label
    return colon or _classify_bold(line) or tab or _classify_alone(text, bold=line.all_bold) or Item(Kind.TEXT, text)


def _classify_colon(text: str) -> Item | None:
    match = LABEL_COLON_RE.match(text)
    if not match:
        return None
    info = judge_label(match["label"])
    if info is None:
        return None
    had_time, seconds = first_time(match["t1"], match["t2"], match["t3"])
    return Item(Kind.LABEL, text, info, "colon", seconds, had_time, match["rest"].strip(), explicit=True)


def _classify_bold(line: Line) -> Item | None:
    """``**Arbetsterapeut** Ja, alltså …`` or ``**Arbetsterapeut:** Ja …``."""
    if not line.bold_label:
        return None
    prefix = line.bold_label.strip()
    explicit = prefix.endswith(":") or line.bold_rest.lstrip().startswith(":")
    match = LABEL_ALONE_RE.match(prefix.rstrip(": \t").strip())
    info = judge_label(match["label"]) if match else None
    if info is None:
        return None
    rest = line.bold_rest.lstrip(_LEADING_SEPARATORS)
    leading = LEADING_TIME_RE.match(rest)  # "**Arbetsterapeut** [00:12:40] Det tar …"
    had_time, seconds = first_time(match["t1"], match["t2"], leading["time"] if leading else None)
    if leading:
        rest = leading["rest"]
    return Item(Kind.LABEL, line.text, info, "bold", seconds, had_time, rest, explicit=explicit)


def _classify_tab(line: Line) -> Item | None:
    """``IP1<tab>Ja, precis.``: a speaker column made with a tab instead of a colon."""
    if not line.tab_label:
        return None
    match = LABEL_ALONE_RE.match(line.tab_label)
    info = judge_label(match["label"]) if match else None
    if info is None:
        return None
    had_time, seconds = first_time(match["t1"], match["t2"])
    return Item(Kind.LABEL, line.text, info, "tab", seconds, had_time, line.tab_rest)


def _classify_alone(text: str, *, bold: bool) -> Item | None:
    """A line that is only a label: ``Intervjuare`` or Teams-like ``Anna Ek 0:03``."""
    candidate = text.rstrip(":").rstrip() if bold else text
    if len(candidate) > _MAX_ALONE_CHARS:
        return None
    match = LABEL_ALONE_RE.match(candidate)
    info = judge_label(match["label"]) if match else None
    if info is None:
        return None
    had_time, seconds = first_time(match["t1"], match["t2"])
    form = "bold" if bold else "alone"
    return Item(Kind.LABEL, text, info, form, seconds, had_time, "", explicit=bold and text.endswith(":"))


def _classify_cell(line: Line) -> Item:
    raw = line.cell_label or ""
    match = LABEL_ALONE_RE.match(raw.rstrip(": \t").strip())
    info = judge_label(match["label"]) if match else None
    if info is None:
        joined = clean(f"{raw} {line.text}")
        return Item(Kind.TEXT, joined) if joined else Item(Kind.BLANK, "")
    had_time, seconds = first_time(match["t1"], match["t2"])
    if seconds is None and line.cell_time is not None:
        had_time, seconds = True, line.cell_time
    full = f"{info.label}: {line.text}".strip()
    return Item(Kind.LABEL, full, info, "cell", seconds, had_time, line.text, explicit=True)


# --- pass 2: accept -----------------------------------------------------------------------


def _accepts(items: list[Item]) -> list[bool]:
    """Which LABEL items really start a turn."""
    counts = Counter(item.info.key for item in items if item.kind is Kind.LABEL and item.info)
    accepted = [False] * len(items)
    next_kind = _next_non_blank_kinds(items)
    for index, item in enumerate(items):
        if item.kind is Kind.LABEL and item.info is not None:
            accepted[index] = _accept(item, item.info, counts[item.info.key], next_kind[index])
    return accepted


def _next_non_blank_kinds(items: list[Item]) -> list[Kind | None]:
    result: list[Kind | None] = [None] * len(items)
    upcoming: Kind | None = None
    for index in range(len(items) - 1, -1, -1):
        result[index] = upcoming
        if items[index].kind is not Kind.BLANK:
            upcoming = items[index].kind
    return result


def _accept(item: Item, info: LabelInfo, count: int, next_kind: Kind | None) -> bool:
    if info.header:
        return item.explicit and count >= _HEADER_AS_SPEAKER_MIN and not info.designated
    if item.form == "cell":
        return True
    if item.form == "colon":
        return info.strict or info.known or count >= 2
    if item.form == "bold" and item.rest:
        if item.explicit:
            return info.strict or info.known or count >= 2
        # Bold without colon may just be emphasis ("**Viktigt** är att …"): a one-off
        # needs the speech after it to start like a sentence.
        starts_sentence = not item.rest[0].isalpha() or item.rest[0].isupper()
        return (info.strict and starts_sentence) or count >= 2
    if item.form == "bold" and item.explicit:
        return info.strict or info.known or count >= 2
    if item.form == "tab":
        return info.known or info.designated or count >= 2
    # A line holding only a label: "Anna Ek 0:03" (the time makes it a label) or
    # "Intervjuare" / bold "Arbetsterapeut" alone. Must be followed by speech.
    if next_kind not in (Kind.TEXT, Kind.TIME):
        return False
    if item.had_time:
        return info.strict or count >= 2
    return info.strict and (info.known or info.designated or count >= 2)


# --- pass 3: assemble ---------------------------------------------------------------------


def _is_anchor(item: Item, info: LabelInfo, count: int) -> bool:
    """A turn that certainly belongs to the interview, not to a header block."""
    if info.header:
        return False
    return (
        count >= 2
        or info.known
        or info.designated
        or item.form == "cell"
        or len(item.rest.split()) >= _ANCHOR_MIN_WORDS
    )


def _find_anchor(items: list[Item], accepted: list[bool]) -> int | None:
    counts = Counter(item.info.key for item, ok in zip(items, accepted, strict=True) if ok and item.info)
    fallback: int | None = None
    for index, (item, ok) in enumerate(zip(items, accepted, strict=True)):
        if not ok or item.info is None:
            continue
        if _is_anchor(item, item.info, counts[item.info.key]):
            return index
        if fallback is None and not item.info.header:
            fallback = index
    return fallback


def assemble(lines: list[Line]) -> tuple[list[ParsedTurn], list[str]]:
    """Return (turns, notes). ``turns`` is empty when no speaker label was recognised."""
    items = [classify(line) for line in lines]
    accepted = _accepts(items)
    anchor = _find_anchor(items, accepted)
    if anchor is None:
        return [], [item.text for item in items if item.kind is not Kind.BLANK]
    notes, pending_time = _header_notes(items[:anchor])
    turns = _body_turns(items[anchor:], accepted[anchor:], notes, pending_time)
    return turns, notes


def _header_notes(items: list[Item]) -> tuple[list[str], int | None]:
    notes: list[str] = []
    pending: int | None = None
    for item in items:
        if item.kind is Kind.TIME:
            pending = item.time
        elif item.kind is not Kind.BLANK:
            notes.append(item.text)
            pending = None
    return notes, pending


def _body_turns(items: list[Item], accepted: list[bool], notes: list[str], pending: int | None) -> list[ParsedTurn]:
    turns: list[ParsedTurn] = []
    current: _Turn | None = None
    for item, ok in zip(items, accepted, strict=True):
        if ok and item.info is not None:
            _flush(current, turns)
            current = _Turn(item.info.label, item.time if item.time is not None else pending)
            pending = None
            if item.rest:
                current.paragraphs.append(item.rest)
        elif item.kind is Kind.TIME:
            if current is not None and not current.paragraphs and current.time is None:
                current.time = item.time
            else:
                pending = item.time
        elif item.kind is Kind.NOTE or (item.info is not None and item.info.header):
            notes.append(item.text)
        elif item.kind is not Kind.BLANK and current is not None:
            current.paragraphs.append(item.text)
    _flush(current, turns)
    return turns


def _flush(current: _Turn | None, turns: list[ParsedTurn]) -> None:
    """Close a turn; a label followed by no text at all is dropped (nothing was said)."""
    if current is not None and current.paragraphs:
        turns.append(ParsedTurn(current.speaker, "\n".join(current.paragraphs), current.time))
