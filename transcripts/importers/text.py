"""Plain-text transcripts: encoding detection and ``Talare: text`` lines.

Transcripts arrive from Notepad (UTF-8 with BOM or "Unicode" = UTF-16), from older
Windows tools (Windows-1252), occasionally from DOS-era tools (CP850) and from macOS
(decomposed å/ä/ö). We detect the encoding ourselves rather than asking the user.
"""

from __future__ import annotations

import codecs
import re

from . import teams_docx
from .base import ParsedTranscript, TranscriptFileError, no_turns_error
from .labels import clean, nfc
from .turns import assemble, make_line

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)

# Control characters other than tab/newline/CR/FF/VT are rare in real text; more than
# this share means the file is not text at all (a renamed .docx, an image, …).
_MAX_CONTROL_SHARE = 0.005
_SWEDISH_LETTERS = frozenset("åäöÅÄÖéÉ")
# Characters that only appear when CP850 (DOS) text is read as Windows-1252.
# ("”" is left out: it is the normal Swedish quotation mark.)
_CP1252_MISREAD = frozenset("„†Ž™‰‡")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")


def _binary_error() -> TranscriptFileError:
    return TranscriptFileError(
        "Filen innehåller binärdata och är inte en textfil. Kontrollera att du valt rätt "
        "fil. Transkript kan laddas upp som vanlig text (.txt), Word-dokument (.docx) "
        "eller Teams-transkript (.vtt).",
        "binary",
    )


def _empty_error() -> TranscriptFileError:
    return TranscriptFileError("Filen är tom: den innehåller ingen text.", "empty")


def decode_text(data: bytes) -> tuple[str, str]:
    """Return (text, encoding name). Raises ``binary`` or ``encoding`` errors."""
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _decode_with_bom(data[len(bom) :], codec, name), name
    utf16 = _guess_bomless_utf16(data)
    if utf16 is not None:
        return utf16
    if b"\x00" in data:
        raise _binary_error()
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    return _decode_single_byte(data)


def _decode_with_bom(body: bytes, codec: str, name: str) -> str:
    try:
        return _checked(body.decode(codec))
    except UnicodeDecodeError as exc:
        raise TranscriptFileError(
            f"Filen är märkt som {name.upper()} (byte order mark) men innehåller tecken som "
            f"inte är giltig {name.upper()} (position {exc.start}). Öppna filen i en "
            "textredigerare och spara den på nytt som UTF-8.",
            "encoding",
        ) from exc


def _guess_bomless_utf16(data: bytes) -> tuple[str, str] | None:
    """UTF-16 without BOM: ASCII-heavy text has a NUL in every other byte."""
    if len(data) < 8 or len(data) % 2:
        return None
    sample = data[:4096]
    odd_nuls, even_nuls = sample[1::2].count(0), sample[0::2].count(0)
    half = len(sample) // 2
    for codec, nuls, other in (("utf-16-le", odd_nuls, even_nuls), ("utf-16-be", even_nuls, odd_nuls)):
        if nuls > half * 0.6 and other < half * 0.05:
            try:
                return _checked(data.decode(codec)), "utf-16"
            except (UnicodeDecodeError, TranscriptFileError):
                return None
    return None


def _decode_single_byte(data: bytes) -> tuple[str, str]:
    """Not UTF-8: choose between Windows-1252 and DOS CP850 by which gives Swedish letters."""
    candidates: list[tuple[int, str, str]] = []
    for order, codec in enumerate(("cp1252", "cp850")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = sum(ch in _SWEDISH_LETTERS for ch in text)
        if codec == "cp1252":
            score -= 2 * sum(ch in _CP1252_MISREAD for ch in text)
        candidates.append((score, -order, codec))
    if not candidates:  # bytes undefined in Windows-1252 and nothing else fits
        return _checked(data.decode("latin-1")), "iso-8859-1"
    _, _, codec = max(candidates)
    return _checked(data.decode(codec)), codec


def _checked(text: str) -> str:
    """Reject decoded text that is mostly control characters (binary data)."""
    if "\x00" in text:
        raise _binary_error()
    without_controls, controls = _CONTROL_RE.subn("", text)
    if controls > max(1, len(text) * _MAX_CONTROL_SHARE):
        raise _binary_error()
    return nfc(without_controls)


def text_lines(text: str) -> list[str]:
    """Cleaned lines (``splitlines`` handles \\r\\n, \\r and \\n alike)."""
    return [clean(line) for line in text.splitlines()]


def parse_text(data: bytes) -> ParsedTranscript:
    """Parse a plain-text transcript (``Talare: text`` lines or pasted Teams text)."""
    text, encoding = decode_text(data)
    lines = text_lines(text)
    if not any(lines):
        raise _empty_error()
    teams_lines = teams_docx.join_split_heads(lines)
    teams_style = teams_docx.detect(teams_lines)
    if teams_style:
        turns, notes = teams_docx.parse_lines(teams_lines, teams_style)
    else:
        turns, notes = assemble([make_line(raw) for raw in text.splitlines()])
    if not turns:
        raise no_turns_error()
    return ParsedTranscript(format="txt", turns=turns, notes=notes, encoding=encoding)


def text_paragraphs(data: bytes) -> tuple[list[str], str]:
    """Every non-blank line, for the single-speaker fallback."""
    text, encoding = decode_text(data)
    paragraphs = [line for line in text_lines(text) if line]
    if not paragraphs:
        raise _empty_error()
    return paragraphs, encoding
