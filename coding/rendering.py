"""HTML for transcript turns with their coded passages.

A turn's text is cut at every coding boundary into segments; each segment carries its
global offset (code points into the published text) in `data-o`, which is what the
selection script reads to compute a new coding's offsets. Rendering is done here in
Python, not in the template language, because a 500-turn transcript has thousands of
segments and this is the hot path of the page a coder keeps open all day. Every piece
of text goes through `escape()`.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from transcripts.models import SpeakerKind, Turn

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def safe_colour(value: str | None) -> str:
    """A colour that is certainly #rrggbb, so it can be written into CSS."""
    return value if value and _COLOUR.match(value) else "#57606a"


@dataclass(frozen=True)
class Mark:
    """The part of one coding that is rendered: enough for colour, bars and the panel."""

    id: int
    code_id: int
    start: int
    end: int
    label: str  # "Code name – coder", shown on the margin bar


def marks_by_turn(turns: Sequence[Turn], marks: Iterable[Mark]) -> dict[int, list[Mark]]:
    """Assigns each mark to every turn it overlaps (a passage may span turns)."""
    by_turn: dict[int, list[Mark]] = defaultdict(list)
    starts = [t.start for t in turns]
    for mark in marks:
        index = max(bisect.bisect_right(starts, mark.start) - 1, 0)
        while index < len(turns) and turns[index].start < mark.end:
            if turns[index].end > mark.start:
                by_turn[turns[index].pk].append(mark)
            index += 1
    return by_turn


def segments(turn: Turn, marks: Sequence[Mark]) -> list[tuple[int, int, list[Mark]]]:
    """Cuts [turn.start, turn.end) at the marks' boundaries: (start, end, covering marks)."""
    cuts = {turn.start, turn.end}
    for mark in marks:
        cuts.add(min(max(mark.start, turn.start), turn.end))
        cuts.add(min(max(mark.end, turn.start), turn.end))
    points = sorted(cuts)
    result = []
    for a, b in zip(points, points[1:], strict=False):
        covering = [m for m in marks if m.start <= a and m.end >= b]
        result.append((a, b, covering))
    return result


def render_turn(turn: Turn, marks: Sequence[Mark], *, codable: bool) -> SafeString:
    """One turn: meta column, margin bars, and the segmented text."""
    withdrawn = turn.participant is not None and turn.participant.consent_withdrawn is not None
    classes = ["turn", turn.speaker_kind]
    if withdrawn:
        classes.append("withdrawn")
    parts: list[str] = []
    for a, b, covering in segments(turn, marks):
        text = escape(turn.text[a - turn.start:b - turn.start])
        if covering:
            top = min(covering, key=lambda m: (m.end - m.start, -m.id))
            ids = " ".join(str(m.id) for m in covering)
            multi = " multi" if len({m.code_id for m in covering}) > 1 else ""
            parts.append(f'<mark class="coded k{top.code_id}{multi}" data-o="{a}" data-c="{ids}">{text}</mark>')
        else:
            parts.append(f'<span data-o="{a}">{text}</span>')
    bars = "".join(
        f'<span class="bar k{m.code_id}" data-s="{m.start}" data-e="{m.end}" data-c="{m.id}" '
        f'title="{escape(m.label)}"></span>'
        for m in sorted(marks, key=lambda m: (m.start, -m.end))
    )
    note = ""
    if withdrawn:
        note = '<p class="withdrawn-note">{}</p>'.format(
            escape(_("Consent withdrawn: this turn is not part of the analysis and cannot be coded."))
        )
    time_label = f'<span class="time">{turn.time_label}</span>' if turn.time_seconds is not None else ""
    speaker_class = "speaker interviewer" if turn.speaker_kind != SpeakerKind.PARTICIPANT else "speaker"
    label = _("Turn %(number)s, %(speaker)s") % {"number": turn.position, "speaker": turn.speaker_label}
    html = (
        f'<section class="{" ".join(classes)}" id="t{turn.position}" data-turn="{turn.position}" '
        f'data-start="{turn.start}" data-end="{turn.end}" data-codable="{"1" if codable and not withdrawn else "0"}" '
        f'tabindex="-1" aria-label="{escape(label)}">'
        f'<div class="turn-meta"><span class="turn-number">{turn.position}</span>'
        f'<span class="{speaker_class}">{escape(turn.speaker_label)}</span>{time_label}</div>'
        f'<div class="turn-bars" aria-hidden="true">{bars}</div>'
        f'<div class="turn-body"><p class="turn-text" data-o="{turn.start}">{"".join(parts)}</p>{note}</div>'
        "</section>"
    )
    return mark_safe(html)  # noqa: S308 - every text piece above is escaped


def render_turns(turns: Sequence[Turn], marks: Iterable[Mark], *, codable: bool) -> SafeString:
    grouped = marks_by_turn(turns, marks)
    return mark_safe("".join(render_turn(t, grouped.get(t.pk, []), codable=codable) for t in turns))  # noqa: S308
