"""Defences against hostile uploads: size limits, file sniffing, zip bombs and XML tricks.

A .docx is a zip of XML files, so an attacker can send a tiny file that unpacks to
gigabytes (zip bomb, possibly with headers that lie about the size) or XML whose
entities expand exponentially ("billion laughs") or read local files (XXE). We check
the zip directory first, then decompress every XML part ourselves with a hard byte cap,
refuse any DTD, and parse with an lxml parser that never resolves entities or touches
the network. Only the bytes checked here are ever parsed.
"""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass

from lxml import etree

from .base import TranscriptFileError

MAX_MEMBERS = 1000
MAX_RATIO = 100
# Small parts cannot exhaust memory whatever their ratio; very regular XML (empty
# table cells) legitimately compresses well, so the ratio rule starts above this size.
RATIO_MIN_SIZE = 1024 * 1024
_CHUNK = 64 * 1024
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, skip to name/extra lengths
_LOCAL_SIGNATURE = b"PK\x03\x04"

_MAIN_CONTENT_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
    "application/vnd.ms-word.document.macroenabled.main+xml",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    "application/vnd.ms-word.template.macroenabledtemplate.main+xml",
)
_DTD_RE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_DTD_TEXT_RE = re.compile(r"<!\s*(?:DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)
_CT_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTED_MARKER = "EncryptedPackage".encode("utf-16-le")


# --- size and sniffing --------------------------------------------------------------------


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    text = f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"
    return text.replace(".", ",")


def check_size(data: bytes, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise TranscriptFileError(
            f"Filen är för stor ({_megabytes(len(data))} MB). Den största tillåtna "
            f"storleken är {_megabytes(max_bytes)} MB.",
            "too_large",
        )


def check_not_empty(data: bytes) -> None:
    stripped = data
    for bom in (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"):
        stripped = stripped.removeprefix(bom)
    if not stripped.strip():
        raise TranscriptFileError("Filen är tom: den innehåller ingen text.", "empty")


def is_pdf(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"%PDF-")


def is_ole(data: bytes) -> bool:
    """Word 97–2003 .doc (and password-protected .docx, which Office wraps in OLE too)."""
    return data.startswith(_OLE_MAGIC)


def is_encrypted_office(data: bytes) -> bool:
    return is_ole(data) and _ENCRYPTED_MARKER in data


def is_rtf(data: bytes) -> bool:
    return data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{\\rtf")


def is_zip(data: bytes) -> bool:
    return data.startswith((b"PK\x03\x04", b"PK\x05\x06"))


def zip_has_word_document(data: bytes) -> bool:
    """Cheap check (directory only) used to route a mis-named .docx to the Word parser."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "word/document.xml" in archive.NameToInfo
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        return False


# --- errors -------------------------------------------------------------------------------


def not_docx_error(detail: str = "") -> TranscriptFileError:
    return TranscriptFileError(
        "Filen är inte ett giltigt Word-dokument (.docx)"
        + (f": {detail}" if detail else "")
        + ". Den kan vara skadad eller ha fel filändelse. Öppna den i Word, välj "
        "Spara som → Word-dokument (.docx) och försök igen.",
        "not_docx",
    )


def zip_bomb_error(max_uncompressed: int) -> TranscriptFileError:
    return TranscriptFileError(
        "Filen avvisades eftersom den packas upp till orimligt mycket data (gränsen är "
        f"{_megabytes(max_uncompressed)} MB) eller har en misstänkt struktur. Ett vanligt "
        "Word-transkript är mycket mindre. Öppna dokumentet i Word, spara det på nytt och "
        "försök igen.",
        "zip_bomb",
    )


def xml_entities_error() -> TranscriptFileError:
    return TranscriptFileError(
        "Filen avvisades eftersom Word-dokumentet innehåller XML-deklarationer "
        "(DOCTYPE/ENTITY) som vanliga Word-dokument aldrig har och som kan användas för att "
        "angripa systemet. Öppna dokumentet i Word, spara det på nytt och försök igen.",
        "xml_entities",
    )


# --- zip ----------------------------------------------------------------------------------


@dataclass
class DocxParts:
    """The checked, decompressed XML parts a Word parser needs."""

    document: bytes
    styles: bytes | None


def read_docx_parts(data: bytes, max_uncompressed: int) -> DocxParts:
    """Validate the zip and return the main document (and styles) bytes.

    Raises ``not_docx``, ``zip_bomb`` or ``xml_entities``.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise not_docx_error() from exc
    with archive:
        infos = archive.infolist()
        _check_directory(infos, max_uncompressed)
        names = {info.filename: info for info in infos}
        _check_is_word(names)
        xml_parts: dict[str, bytes] = {}
        budget = max_uncompressed
        for info in infos:
            if info.filename.lower().endswith((".xml", ".rels")):
                content = read_member(data, info, budget, max_uncompressed)
                budget -= len(content)
                reject_dtd(content)
                xml_parts[info.filename] = content
    main = _main_document_name(xml_parts)
    if main not in xml_parts:
        raise not_docx_error("huvuddokumentet saknas")
    styles_name = main.rsplit("/", 1)[0] + "/styles.xml" if "/" in main else "styles.xml"
    return DocxParts(document=xml_parts[main], styles=xml_parts.get(styles_name))


def _check_directory(infos: list[zipfile.ZipInfo], max_uncompressed: int) -> None:
    """Refuse before decompressing anything, using the sizes the zip declares."""
    if len(infos) > MAX_MEMBERS:
        raise zip_bomb_error(max_uncompressed)
    if sum(info.file_size for info in infos) > max_uncompressed:
        raise zip_bomb_error(max_uncompressed)
    for info in infos:
        if info.file_size > RATIO_MIN_SIZE and (
            info.compress_size == 0 or info.file_size / info.compress_size > MAX_RATIO
        ):
            raise zip_bomb_error(max_uncompressed)


def _check_is_word(names: dict[str, zipfile.ZipInfo]) -> None:
    if "word/document.xml" in names or (
        "[Content_Types].xml" in names and any(name.startswith("word/") for name in names)
    ):
        return
    if "mimetype" in names and "content.xml" in names:
        raise not_docx_error("den verkar vara ett OpenDocument-dokument (.odt)")
    if any(name.startswith(("xl/", "ppt/")) for name in names):
        raise not_docx_error("den verkar vara en Excel- eller PowerPoint-fil")
    raise not_docx_error("word/document.xml saknas")


def _main_document_name(xml_parts: dict[str, bytes]) -> str:
    """Main part per [Content_Types].xml; Word always uses word/document.xml."""
    content_types = xml_parts.get("[Content_Types].xml")
    if content_types is not None:
        try:
            root = parse_xml(content_types)
        except TranscriptFileError:
            root = None
        for override in root.iter(f"{_CT_NS}Override") if root is not None else ():
            if (override.get("ContentType") or "").lower() in _MAIN_CONTENT_TYPES:
                return (override.get("PartName") or "").lstrip("/")
    return "word/document.xml"


def read_member(data: bytes, info: zipfile.ZipInfo, budget: int, max_uncompressed: int) -> bytes:
    """Decompress one member ourselves, stopping as soon as it exceeds its declared size.

    ``zipfile`` trusts the declared size; a lying header is only noticed by a CRC error
    after the fact. Streaming with a cap makes "more data than declared" a zip bomb.
    """
    if info.flag_bits & 0x1:
        raise not_docx_error("dokumentet är krypterat eller lösenordsskyddat")
    cap = min(info.file_size, budget)
    raw = _raw_member(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        content = bytes(raw)
        if len(content) > cap:
            raise zip_bomb_error(max_uncompressed)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        content = _inflate_capped(raw, cap, max_uncompressed)
    else:
        raise not_docx_error("okänd komprimeringsmetod")
    if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
        raise not_docx_error("filen är skadad")
    return content


def _raw_member(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    offset = info.header_offset
    header = data[offset : offset + _LOCAL_HEADER.size]
    if len(header) < _LOCAL_HEADER.size:
        raise not_docx_error("filen är skadad")
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(header)
    if signature != _LOCAL_SIGNATURE:
        raise not_docx_error("filen är skadad")
    start = offset + _LOCAL_HEADER.size + name_length + extra_length
    raw = memoryview(data)[start : start + info.compress_size]
    if len(raw) < info.compress_size:
        raise not_docx_error("filen är skadad")
    return raw


def _inflate_capped(raw: memoryview, cap: int, max_uncompressed: int) -> bytes:
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    out = bytearray()
    pending: bytes | memoryview = raw
    try:
        while not inflater.eof:
            chunk = inflater.decompress(pending, _CHUNK)
            pending = inflater.unconsumed_tail
            if chunk:
                out += chunk
                if len(out) > cap:
                    raise zip_bomb_error(max_uncompressed)
            elif not pending:
                break
    except zlib.error as exc:
        raise not_docx_error("filen är skadad") from exc
    if not inflater.eof:
        raise not_docx_error("filen är skadad")
    return bytes(out)


# --- XML ----------------------------------------------------------------------------------


def reject_dtd(content: bytes) -> None:
    """Word never writes a DTD; any DOCTYPE/ENTITY declaration is an attack attempt."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in content[:4]:
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            return  # lxml will fail to parse it and we report not_docx
        if _DTD_TEXT_RE.search(text):
            raise xml_entities_error()
    elif _DTD_RE.search(content):
        raise xml_entities_error()


def _hardened_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )


def parse_xml(content: bytes) -> etree._Element:
    """Parse a checked XML part; a DTD that slipped past :func:`reject_dtd` is refused too."""
    reject_dtd(content)
    try:
        root = etree.fromstring(content, parser=_hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise not_docx_error("XML-innehållet är skadat") from exc
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise xml_entities_error()
    return root
