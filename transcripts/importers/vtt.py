"""WebVTT transcripts as downloaded from Microsoft Teams.

Our own small parser rather than webvtt-py: we need the line number of a broken
timestamp for the error message, must keep unknown "tags" such as a literal
``<script>`` as text, and must merge Teams' short cues into speaker turns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .base import ParsedTranscript, ParsedTurn, TranscriptFileError, append_merging, no_turns_error
from .labels import LABEL_COLON_RE, clean, judge_label
from .teams_docx import UNKNOWN_SPEAKER
from .text import decode_text

_LINE_SPLIT_RE = re.compile(r"\r\n|\r|\n")
_HEADER_RE = re.compile(r"^WEBVTT(?=$|[ \t])")
_TIMING_RE = re.compile(r"^\s*(?P<start>\S+?)\s*-->\s*(?P<end>\S+)(?:\s+.*)?$")
_TIMESTAMP_RE = re.compile(r"^(?:(?P<h>\d{1,3}):)?(?P<m>\d{1,2}):(?P<s>\d{1,2})(?:[.,](?P<f>\d{1,3}))?$")
_LOOKS_LIKE_TIMING_RE = re.compile(r"^\s*\d{1,3}:\d")
_VOICE_RE = re.compile(r"<v(?:\.[^\s>]*)?(?:[ \t]+(?P<name>[^>]*))?>|</v\s*>", re.IGNORECASE)
# Only WebVTT's own tags are markup; anything else (a literal "<script>") is speech.
_VTT_TAG_RE = re.compile(
    r"</?(?:c|i|b|u|ruby|rt|lang)(?:\.[^\s>]*)?(?:[ \t][^>]*)?>|<\d{1,3}:\d{2}(?::\d{2})?\.\d{3}>",
    re.IGNORECASE,
)
_ENTITY_RE = re.compile(r"&(?:(amp|lt|gt|nbsp|lrm|rlm|quot|apos)|#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6}));")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "nbsp": " ", "lrm": "", "rlm": "", "quot": '"', "apos": "'"}
_QUOTE_MAX = 60


@dataclass
class _Cue:
    line: int
    start: int
    text: str  # raw cue payload, lines joined with "\n"


def _invalid_header() -> TranscriptFileError:
    return TranscriptFileError(
        "Filen är inte en giltig WebVTT-fil: första raden ska vara ”WEBVTT”. Ladda ner "
        "transkriptet från Teams igen som .vtt, eller välj rätt fil.",
        "vtt_invalid",
        line=1,
    )


def _timestamp_error(line_no: int, line: str) -> TranscriptFileError:
    quoted = line.strip()
    if len(quoted) > _QUOTE_MAX:
        quoted = quoted[:_QUOTE_MAX] + "…"
    return TranscriptFileError(
        f"Rad {line_no}: tidsstämpeln '{quoted}' kan inte läsas. Den ska se ut som "
        "'00:00:03.120 --> 00:00:07.450'. Rätta raden eller ladda ner filen från Teams igen.",
        "vtt_timestamp",
        line=line_no,
    )


def _seconds(stamp: str) -> float | None:
    match = _TIMESTAMP_RE.match(stamp)
    if not match or int(match["m"]) >= 60 or int(match["s"]) >= 60:
        return None
    hours = int(match["h"] or 0)
    fraction = int((match["f"] or "0").ljust(3, "0")) / 1000
    return hours * 3600 + int(match["m"]) * 60 + int(match["s"]) + fraction


def _blocks(lines: list[str], first: int) -> Iterator[list[tuple[int, str]]]:
    """Blank-line separated blocks as (1-based line number, text) pairs."""
    block: list[tuple[int, str]] = []
    for index in range(first, len(lines)):
        line = lines[index]
        if line.strip():
            block.append((index + 1, line))
        elif block:
            yield block
            block = []
    if block:
        yield block


def _read(data: bytes) -> tuple[list[_Cue], list[str], str]:
    """Cues, notes (header text, NOTE blocks) and encoding; raises on broken structure."""
    text, encoding = decode_text(data)
    lines = _LINE_SPLIT_RE.split(text)
    start = next((i for i, line in enumerate(lines) if line.strip()), None)
    if start is None:
        raise TranscriptFileError("Filen är tom: den innehåller ingen text.", "empty")
    if not _HEADER_RE.match(lines[start].lstrip("\ufeff")):
        raise _invalid_header()
    blocks = _blocks(lines, start)
    header = next(blocks)
    notes = [note for note in (clean(lines[start][6:].lstrip(" \t-–")),) if note]
    notes += [clean(line) for _, line in header[1:] if clean(line)]
    cues: list[_Cue] = []
    for block in blocks:
        _read_block(block, cues, notes)
    return cues, notes, encoding


def _read_block(block: list[tuple[int, str]], cues: list[_Cue], notes: list[str]) -> None:
    first = block[0][1]
    keyword = first.split(maxsplit=1)[0] if first.split() else ""
    if keyword == "NOTE":
        note = clean(" ".join([first[4:], *(line for _, line in block[1:])]))
        if note:
            notes.append(note)
        return
    if keyword in ("STYLE", "REGION"):
        return
    timing_at = next((i for i, (_, line) in enumerate(block[:2]) if "-->" in line), None)
    if timing_at is None:
        for line_no, line in block[:2]:
            if _LOOKS_LIKE_TIMING_RE.match(line):
                raise _timestamp_error(line_no, line)
        if cues:  # a blank line inside a cue's text: keep the text with that cue
            cues[-1].text += "\n" + "\n".join(line for _, line in block)
        return
    line_no, timing = block[timing_at]
    match = _TIMING_RE.match(timing)
    start = _seconds(match["start"]) if match else None
    end = _seconds(match["end"]) if match else None
    if start is None or end is None:
        raise _timestamp_error(line_no, timing)
    payload = "\n".join(line for _, line in block[timing_at + 1 :] if "-->" not in line)
    cues.append(_Cue(line_no, int(start), payload))


def _unescape(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name, decimal, hexa = match.groups()
        if name:
            return _ENTITIES[name]
        code = int(decimal) if decimal else int(hexa, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ENTITY_RE.sub(replace, text)


def _plain(text: str) -> str:
    return clean(_unescape(_VTT_TAG_RE.sub("", text)))


def _segments(payload: str) -> Iterator[tuple[str | None, str]]:
    """(voice or None, text) pieces of one cue; ``<v A>x</v><v B>y`` gives two."""
    voice: str | None = None
    position = 0
    for match in _VOICE_RE.finditer(payload):
        yield voice, payload[position : match.start()]
        if not match.group(0).startswith("</"):
            voice = clean(_unescape(match["name"] or "")) or None
        position = match.end()
    yield voice, payload[position:]


def _label_in_text(text: str) -> tuple[str, str] | None:
    """Zoom and hand-made files put "Anna Ek: text" in the cue instead of a voice tag."""
    match = LABEL_COLON_RE.match(text)
    if not match:
        return None
    info = judge_label(match["label"])
    if info is None or not (info.strict or info.known) or info.header:
        return None
    return info.label, match["rest"].strip()


def _turns(cues: list[_Cue]) -> list[ParsedTurn]:
    turns: list[ParsedTurn] = []
    previous = UNKNOWN_SPEAKER
    # Labels in the text only count in files without voice tags (Zoom, hand-made): in a
    # Teams file a cue starting "Bra: …" is speech by the previous speaker.
    text_labels = not any(_VOICE_RE.search(cue.text) for cue in cues)
    for cue in cues:
        for voice, raw in _segments(cue.text):
            text = _plain(raw)
            speaker = voice
            if speaker is None and text_labels and (labelled := _label_in_text(text)):
                speaker, text = labelled
            speaker = speaker or previous
            previous = speaker
            if text:
                append_merging(turns, speaker, text, cue.start)
    return turns


def parse_vtt(data: bytes) -> ParsedTranscript:
    """Parse a WebVTT file; consecutive cues of one speaker become one turn."""
    cues, notes, encoding = _read(data)
    turns = _turns(cues)
    if not turns:
        raise no_turns_error()
    return ParsedTranscript(format="vtt", turns=turns, notes=notes, encoding=encoding)


def vtt_paragraphs(data: bytes) -> list[str]:
    """All cue text as one paragraph (cue breaks are arbitrary), for the single-speaker import."""
    cues, _, _ = _read(data)
    text = " ".join(piece for cue in cues for _, raw in _segments(cue.text) if (piece := _plain(raw)))
    return [text] if text else []
