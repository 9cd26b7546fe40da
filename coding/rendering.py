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
from html import escape
from typing import NamedTuple

from django.db.models import QuerySet
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from transcripts.models import SpeakerKind

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


def marks_by_turn(turns: Sequence[TurnRow], marks: Iterable[Mark]) -> dict[int, list[Mark]]:
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


def segments(turn: TurnRow, marks: Sequence[Mark]) -> list[tuple[int, int, list[Mark]]]:
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


class TurnRow(NamedTuple):
    """The columns of a turn the page needs, read with values_list: building 500 model
    instances (and their participants) would cost more than rendering them."""

    pk: int
    position: int
    speaker_kind: str
    speaker_label: str
    text: str
    start: int
    end: int
    time_seconds: int | None
    withdrawn: bool


TURN_COLUMNS = ("pk", "position", "speaker_kind", "speaker_label", "text", "start", "end", "time_seconds",
                "participant__consent_withdrawn")


def turn_row(turn) -> TurnRow:
    """A TurnRow from a Turn instance whose participant is loaded."""
    withdrawn = turn.participant is not None and turn.participant.consent_withdrawn is not None
    return TurnRow(turn.pk, turn.position, turn.speaker_kind, turn.speaker_label, turn.text, turn.start, turn.end,
                   turn.time_seconds, withdrawn)


def turn_rows(turns: QuerySet) -> list[TurnRow]:
    return [TurnRow(*row[:-1], row[-1] is not None) for row in turns.order_by("position").values_list(*TURN_COLUMNS)]


def _time_label(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def render_turn(turn: TurnRow, marks: Sequence[Mark], *, codable: bool, oob: bool = False,
                texts: dict[str, str] | None = None) -> str:
    """One turn: meta column, margin bars, and the segmented text (every text escaped)."""
    texts = texts or _texts()
    withdrawn = turn.withdrawn
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
    note = f'<p class="withdrawn-note">{texts["withdrawn"]}</p>' if withdrawn else ""
    time_label = f'<span class="time">{_time_label(turn.time_seconds)}</span>' if turn.time_seconds is not None else ""
    participant = turn.speaker_kind == SpeakerKind.PARTICIPANT
    speaker = escape(turn.speaker_label)
    label = escape(texts["label"] % {"number": turn.position, "speaker": turn.speaker_label})
    swap = 'hx-swap-oob="true" ' if oob else ""
    return (
        f'<section {swap}class="turn {turn.speaker_kind}'
        f'{" withdrawn" if withdrawn else ""}" id="t{turn.position}" data-turn="{turn.position}" '
        f'data-start="{turn.start}" data-end="{turn.end}" data-codable="{"1" if codable and not withdrawn else "0"}" '
        f'tabindex="-1" aria-label="{label}">'
        f'<div class="turn-meta"><span class="turn-number">{turn.position}</span>'
        f'<span class="speaker{"" if participant else " interviewer"}">{speaker}</span>{time_label}</div>'
        f'<div class="turn-bars" aria-hidden="true">{bars}</div>'
        f'<div class="turn-body"><p class="turn-text" data-o="{turn.start}">{"".join(parts)}</p>{note}</div>'
        "</section>"
    )


def _texts() -> dict[str, str]:
    """The translated strings of a turn, looked up once per page rather than once per turn."""
    return {
        "withdrawn": escape(_("Consent withdrawn: this turn is not part of the analysis and cannot be coded.")),
        "label": _("Turn %(number)s, %(speaker)s"),
    }


def render_turns(turns: Sequence[TurnRow], marks: Iterable[Mark], *, codable: bool, oob: bool = False) -> SafeString:
    grouped = marks_by_turn(turns, marks)
    texts = _texts()
    html = "".join(render_turn(t, grouped.get(t.pk, []), codable=codable, oob=oob, texts=texts) for t in turns)
    return mark_safe(html)  # noqa: S308 - every text piece is escaped in render_turn


class PassageRow(NamedTuple):
    """A coded passage behind a theme, with what its list item shows."""

    pk: int
    text: str
    transcript_id: int
    turn_position: int
    team_number: int
    round_number: int
    round_label: str
    attribution: str
    code_name: str
    is_key: bool
    edited_text: str
    quoted: bool


def render_passage(row: PassageRow, *, quote_url: str, transcript_url: str, csrf: str, can_edit: bool,
                   texts: dict[str, str], saved: bool = False) -> str:
    """One passage of a theme page: verbatim text, attribution, link, and the key-quote form."""
    key_class = " key-quote" if row.is_key else ""
    link = transcript_url % row.transcript_id
    head = (
        f'<li class="passage-item{key_class}" id="p-{row.pk}">'
        f'<blockquote class="passage">{escape(row.text)}</blockquote>'
        f'<p class="attribution">{escape(row.attribution)} · <span class="muted">{escape(row.code_name)}</span> · '
        f'<a href="{link}#t{row.turn_position}">{texts["open"]}</a></p>'
    )
    if can_edit:
        action = quote_url % row.pk
        edited = escape(row.edited_text)
        status = f'<span class="ok" role="status">{texts["saved"]}</span>' if saved else ""
        body = (
            f'<form method="post" action="{action}" hx-post="{action}" hx-target="#p-{row.pk}" hx-swap="outerHTML" '
            f'hx-indicator="#busy" class="quote-form"><input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
            f'<label class="checkbox"><input type="checkbox" name="is_key"{" checked" if row.is_key else ""}> '
            f'{texts["key"]}</label>'
            f'<details{" open" if row.edited_text else ""}><summary>{texts["edited"]}</summary>'
            f'<label for="edit-{row.pk}" class="visually-hidden">{texts["edited_label"]}</label>'
            f'<textarea id="edit-{row.pk}" name="edited_text" rows="2">{edited}</textarea></details>'
            f'<div class="button-row"><button type="submit" class="button button-small">{texts["save"]}</button>'
            f"{status}</div></form>"
        )
    elif row.quoted:
        badge = f'<span class="badge">{texts["key_badge"]}</span> ' if row.is_key else ""
        body = f"<p>{badge}{escape(row.edited_text)}</p>"
    else:
        body = ""
    return head + body + "</li>"


def passage_texts() -> dict[str, str]:
    return {name: escape(str(text)) for name, text in {
        "open": _("open in transcript"), "key": _("Key quote (nyckelcitat)"),
        "edited": _("Edited for readability (the verbatim passage is kept)"), "edited_label": _("Edited version"),
        "save": _("Save quote"), "saved": _("Saved."), "key_badge": _("key quote"),
    }.items()}
