"""Applying accepted replacements to a text, and moving offsets along with them.

The importer keeps turn boundaries (and later, coded passages) as offsets into the text,
so replacing "Anna-Karin" by "[namn 1]" must also say where every old offset went.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence


def apply_replacements(
    text: str, replacements: Sequence[tuple[int, int, str]]
) -> tuple[str, Callable[[int], int]]:
    """Replace the spans [start, end) by new strings; return the new text and an offset map.

    Spans may come in any order but must not overlap (a ValueError says so without
    quoting the text, which may hold personal data). An empty span inserts text.

    The map takes an offset into the old text (0 to len(text)) to the new text: offsets
    before a span stay put relative to it, offsets after it shift by the change in
    length, a span's start maps to the start of its replacement, and an offset strictly
    inside a span maps to the end of the replacement, so a replacement is never split
    and belongs to the turn in which its span began.
    """
    spans = sorted(replacements, key=lambda r: (r[0], r[1]))
    length = len(text)
    previous_end = 0
    for start, end, _new in spans:
        if not 0 <= start <= end <= length:
            raise ValueError(f"replacement span {start}-{end} is outside the text (length {length})")
        if start < previous_end:
            raise ValueError(f"replacement span {start}-{end} overlaps the span ending at {previous_end}")
        previous_end = end

    pieces: list[str] = []
    old_starts: list[int] = []
    old_ends: list[int] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    cursor = 0
    new_length = 0
    for start, end, new in spans:
        pieces.append(text[cursor:start])
        new_length += start - cursor
        old_starts.append(start)
        old_ends.append(end)
        new_starts.append(new_length)
        pieces.append(new)
        new_length += len(new)
        new_ends.append(new_length)
        cursor = end
    pieces.append(text[cursor:])

    def new_offset(offset: int) -> int:
        if not 0 <= offset <= length:
            raise ValueError(f"offset {offset} is outside the text (length {length})")
        k = bisect.bisect_right(old_starts, offset) - 1
        if k < 0:
            return offset
        if offset >= old_ends[k]:
            return offset - old_ends[k] + new_ends[k]
        if offset == old_starts[k]:
            return new_starts[k]
        return new_ends[k]

    return "".join(pieces), new_offset
