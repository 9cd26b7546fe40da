"""Parse uploaded transcript files (.txt, Word .docx, Teams .docx, Teams .vtt) into turns.

Pure functions: nothing is stored here. The upload view calls :func:`parse_file`, shows
the result for review and, when no turns are recognised, offers
:func:`parse_single_speaker`. Every problem with the file is reported as a
:class:`TranscriptFileError` carrying a Swedish message for the user and a stable code.

The file extension picks the parser, but the content is sniffed first: users rename
files, so a PDF or an old .doc under any name gets its own message, a Teams .vtt saved
as .txt is parsed as WebVTT, and a .docx is checked for being a Teams export.
"""

from __future__ import annotations

from .base import ParsedTranscript, ParsedTurn, TranscriptFileError
from .docx import docx_paragraphs, parse_docx
from .safety import (
    check_not_empty,
    check_size,
    is_encrypted_office,
    is_ole,
    is_pdf,
    is_rtf,
    is_zip,
    not_docx_error,
    zip_has_word_document,
)
from .text import parse_text, text_paragraphs
from .vtt import parse_vtt, vtt_paragraphs

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_UNCOMPRESSED_BYTES",
    "SUPPORTED_EXTENSIONS",
    "ParsedTranscript",
    "ParsedTurn",
    "TranscriptFileError",
    "parse_file",
    "parse_single_speaker",
]

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
SUPPORTED_EXTENSIONS = (".txt", ".text", ".docx", ".vtt")
DEFAULT_SINGLE_SPEAKER = "Talare"

_TEXT_EXTENSIONS = frozenset({"txt", "text"})


def _extension(filename: str) -> str:
    """Lower-case extension without dot; browsers may send a full Windows path."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip().rstrip(".")
    return base.rsplit(".", 1)[1].lower() if "." in base else ""


def _unsupported(ext: str) -> TranscriptFileError:
    what = f"Filtypen .{ext}" if ext else "Filer utan filändelse"
    return TranscriptFileError(
        f"{what} stöds inte. Ladda upp transkriptet som vanlig text (.txt), Word-dokument "
        "(.docx), Teams-transkript i Word-format (.docx) eller Teams-transkript i "
        "WebVTT-format (.vtt).",
        "unsupported",
    )


def _old_doc() -> TranscriptFileError:
    return TranscriptFileError(
        "Word 97–2003-filer (.doc) stöds inte. Spara filen som .docx i Word och försök igen.",
        "old_doc",
    )


def _pdf() -> TranscriptFileError:
    return TranscriptFileError(
        "PDF-filer stöds inte. Exportera transkriptet som .docx eller .txt från programmet "
        "där det skrevs och försök igen. Har du bara en PDF kan du kopiera texten till en "
        ".txt-fil.",
        "pdf",
    )


def _rtf() -> TranscriptFileError:
    return TranscriptFileError(
        "RTF-filer stöds inte. Öppna filen i Word, spara den som .docx och försök igen.",
        "unsupported",
    )


def _choose_format(filename: str, data: bytes, max_bytes: int) -> str:
    """ "txt", "docx" or "vtt" from extension and content; raises for everything else."""
    check_size(data, max_bytes)
    check_not_empty(data)
    ext = _extension(filename)
    if is_pdf(data) or ext == "pdf":
        raise _pdf()
    if is_ole(data):
        if ext == "docx" and is_encrypted_office(data):
            raise not_docx_error("dokumentet är lösenordsskyddat; ta bort lösenordet i Word och spara igen")
        raise _old_doc()
    if is_rtf(data):
        raise _rtf()
    if ext == "doc":  # a .docx renamed to .doc still opens; a real .doc was caught above
        if _is_misnamed_docx(data):
            return "docx"
        raise _old_doc()
    if ext == "docx" or (ext in _TEXT_EXTENSIONS | {"vtt"} and _is_misnamed_docx(data)):
        return "docx"
    if ext in _TEXT_EXTENSIONS:
        return "vtt" if _starts_with_webvtt(data) else "txt"
    if ext == "vtt":
        return "vtt"
    raise _unsupported(ext)


def _is_misnamed_docx(data: bytes) -> bool:
    return is_zip(data) and zip_has_word_document(data)


def _starts_with_webvtt(data: bytes) -> bool:
    """A Teams .vtt renamed to .txt (Windows hides extensions) is still WebVTT."""
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"WEBVTT")


def parse_file(
    filename: str,
    data: bytes,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
) -> ParsedTranscript:
    """Parse an uploaded transcript into speaker turns.

    Raises :class:`TranscriptFileError` (never anything else for bad input).
    """
    fmt = _choose_format(filename, data, max_bytes)
    if fmt == "docx":
        return parse_docx(data, max_uncompressed=max_uncompressed_bytes)
    if fmt == "vtt":
        return parse_vtt(data)
    return parse_text(data)


def parse_single_speaker(
    filename: str,
    data: bytes,
    *,
    speaker: str = DEFAULT_SINGLE_SPEAKER,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_uncompressed_bytes: int = DEFAULT_MAX_UNCOMPRESSED_BYTES,
) -> ParsedTranscript:
    """The whole text as one turn by ``speaker``, paragraphs kept (joined with "\\n").

    The fallback the upload form offers after a ``no_turns`` error, so the user can
    split the text into turns by hand instead of reformatting the file.
    """
    fmt = _choose_format(filename, data, max_bytes)
    encoding: str | None = None
    if fmt == "docx":
        paragraphs = docx_paragraphs(data, max_uncompressed=max_uncompressed_bytes)
    elif fmt == "vtt":
        paragraphs = vtt_paragraphs(data)
    else:
        paragraphs, encoding = text_paragraphs(data)
    if not paragraphs:
        raise TranscriptFileError("Filen är tom: den innehåller ingen text.", "empty")
    label = " ".join(speaker.split()) or DEFAULT_SINGLE_SPEAKER
    turn = ParsedTurn(speaker=label, text="\n".join(paragraphs), time_seconds=None)
    return ParsedTranscript(format=fmt, turns=[turn], notes=[], encoding=encoding)
