"""A small streaming .xlsx writer: the standard library's zipfile and hand-written SpreadsheetML.

openpyxl's write-only mode costs about 14 µs a cell; this writer builds each row as one string
and streams it into the deflated worksheet entry, about ten times faster. It writes what the
exports need and nothing more: several sheets, strings, numbers, booleans, dates, a bold row
style, a frozen pane and column widths.

    with XlsxWriter(out) as book:
        sheet = book.add_sheet("Kodade avsnitt", widths=[28, 8, 60], freeze="A2")
        sheet.write_row(["Studie", "Omgång", "Text"], bold=True)
        for row in rows:
            sheet.write_row(row)
        counts = book.add_sheet("Antal")  # finishes the first sheet
        ...

Rows go to the zip entry as they come (zipfile's `open(name, "w")`, in chunks of 256 K
characters), so memory does not grow with the number of rows; see `XlsxWriter(zip64=...)` for
sheets over 4 GiB. Because the zip format writes one entry at a time, sheets are written one
after another: `add_sheet()` finishes the previous sheet, and a finished sheet takes no more
rows. The output may be any writable binary file, also one that cannot seek (zipfile then writes
data descriptors).

Values:

- `str`: an inline string (`t="inlineStr"`). Characters that XML 1.0 does not allow (control
  characters other than tab, newline and carriage return, lone surrogates, U+FFFE and U+FFFF) are
  removed; carriage returns are kept (as `&#13;`). A text longer than Excel's cell limit of
  32,767 characters (UTF-16 code units, as Excel counts) is cut to that length, ending in
  `TRUNCATION_MARKER` so that the cut is visible. An empty string is written as an empty cell.
  Excel reads `_xHHHH_` in a string as an escaped character; a string containing such a pattern
  is therefore written to a small shared-strings table with the underscore escaped (`_x005F_`),
  which Excel, LibreOffice and openpyxl all read back as the original text.
- `int`, `float`, `Decimal`: a number. NaN and infinities have no cell form and raise ValueError.
- `bool`: a boolean cell (TRUE/FALSE).
- `datetime.date`, `datetime.datetime`, `datetime.time`: a date serial number with a date,
  date-time or time format. Timezone-aware values raise ValueError (Excel has no time zones;
  convert to local time first).
- `None`: no cell.

Any other type raises TypeError. Formula neutralisation is the caller's business: this writer
never writes formulas, every string is a string cell.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import math
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import BinaryIO

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELL_CHARS = 32_767
TRUNCATION_MARKER = " […]"
MAX_SHEET_NAME = 31
SHEET_NAME_FORBIDDEN = frozenset("[]:*?/\\")

# Characters not allowed in XML 1.0 documents.
INVALID_XML_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel decodes "_x0041_" in a string as "A"; such strings need their underscore escaped.
_EXCEL_ESCAPE_RE = re.compile("_(x[0-9A-Fa-f]{4}_)")
_WHITESPACE = " \t\n\r"

STYLE_BOLD = 1
STYLE_DATE = 2
STYLE_DATETIME = 3
STYLE_TIME = 4
_EPOCH = datetime.datetime(1899, 12, 30)
_EPOCH_DATE = _EPOCH.date()

_FLUSH_CHARS = 1 << 18  # write to the zip entry every 256 K characters of XML
_CACHE_MAX_LEN = 200  # strings this short are remembered (the same team, code or name on many rows)
_CACHE_MAX_ENTRIES = 4096

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_CT = "application/vnd.openxmlformats-officedocument."
_XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def clean_text(text: str) -> str:
    """The text without the characters XML 1.0 does not allow."""
    if INVALID_XML_CHARS_RE.search(text):
        return INVALID_XML_CHARS_RE.sub("", text)
    return text


def truncate_text(text: str, limit: int = MAX_CELL_CHARS, marker: str = TRUNCATION_MARKER) -> str:
    """The text cut to `limit` UTF-16 code units (Excel's count), ending in `marker` when cut."""
    if len(text) <= limit // 2:
        return text  # even all astral characters would fit
    units = len(text.encode("utf-16-le")) // 2
    if units <= limit:
        return text
    keep = limit - _utf16_len(marker)
    cut = text[:keep]
    while _utf16_len(cut) > keep:
        cut = cut[: len(cut) - max(1, (_utf16_len(cut) - keep) // 2)]
    return cut + marker


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def escape_text(text: str) -> str:
    """XML character data: &, < and > escaped, carriage returns kept as a character reference."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _escape_attribute(text: str) -> str:
    return escape_text(clean_text(text)).replace('"', "&quot;").replace("\n", "&#10;").replace("\t", "&#9;")


def column_letter(index: int) -> str:
    """The column name of a 1-based column index: 1 → "A", 27 → "AA"."""
    if not 1 <= index <= MAX_COLUMNS:
        raise ValueError(f"Column {index} is outside 1–{MAX_COLUMNS}.")
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _cell_index(reference: str) -> tuple[int, int]:
    """ "B3" → (row 3, column 2)."""
    match = re.fullmatch(r"([A-Z]{1,3})([1-9][0-9]*)", reference)
    if not match:
        raise ValueError(f"Not a cell reference: {reference!r}.")
    column = 0
    for letter in match.group(1):
        column = column * 26 + ord(letter) - 64
    row = int(match.group(2))
    if column > MAX_COLUMNS or row > MAX_ROWS:
        raise ValueError(f"Not a cell reference: {reference!r}.")
    return row, column


def validate_sheet_name(name: str, existing: Iterable[str] = ()) -> str:
    """Excel's rules: 1–31 characters, none of [ ] : * ? / \\, no apostrophe first or last,
    not "History", and unique without regard to case. Returns the name or raises ValueError."""
    if not isinstance(name, str) or not name:
        raise ValueError("A sheet name cannot be empty.")
    if len(name) > MAX_SHEET_NAME:
        raise ValueError(f"A sheet name has at most {MAX_SHEET_NAME} characters: {name!r}.")
    forbidden = sorted(SHEET_NAME_FORBIDDEN.intersection(name))
    if forbidden:
        raise ValueError(f"A sheet name cannot contain {' '.join(forbidden)}: {name!r}.")
    if INVALID_XML_CHARS_RE.search(name):
        raise ValueError(f"A sheet name cannot contain control characters: {name!r}.")
    if name.startswith("'") or name.endswith("'"):
        raise ValueError(f"A sheet name cannot begin or end with an apostrophe: {name!r}.")
    if name.casefold() == "history":
        raise ValueError("Excel reserves the sheet name History.")
    if name.casefold() in {other.casefold() for other in existing}:
        raise ValueError(f"There is already a sheet named {name!r}.")
    return name


class XlsxWriter:
    """A workbook written sheet by sheet, row by row, into `out`. Use as a context manager
    or call `close()`; the file is complete only after that."""

    def __init__(self, out: BinaryIO, *, compresslevel: int = 1, zip64: bool = False,
                 application: str = "NVOS Kodning", creator: str = "",
                 created: datetime.datetime | None = None) -> None:
        """`compresslevel`: deflate level 1 compresses the 56 MB of XML of 40,000 passages in
        0.16 s instead of the default level's 0.44 s, for a file about 30 % larger.

        `zip64`: True lets a sheet's XML grow past 4 GiB (zipfile's force_zip64). Off by default,
        because Excel is known to reject small workbooks whose entries carry ZIP64 headers; without
        it a sheet that outgrows 4 GiB stops the export with zipfile's RuntimeError (about a
        million rows of long texts; Excel's own limits come first in practice)."""
        self._zip = zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel)
        self._compresslevel = compresslevel
        self._zip64 = zip64
        self._sheets: list[Sheet] = []
        self._current: Sheet | None = None
        self._shared: dict[str, int] = {}
        self._closed = False
        self._application = application
        self._creator = creator
        self._created = created or datetime.datetime.now(datetime.UTC)
        self._date_time = self._created.astimezone().timetuple()[:6]  # zip entries carry local time

    def __enter__(self) -> XlsxWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def abort(self) -> None:
        """Release the output after an error, leaving an incomplete file; errors on the way
        are ignored so that the first one is the one reported."""
        self._closed = True
        with contextlib.suppress(Exception):
            if self._current is not None:
                self._current._finished = True
                self._current._stream.close()
        with contextlib.suppress(Exception):
            self._zip.close()

    def add_sheet(self, name: str, *, widths: Sequence[float | None] | Mapping[int, float] = (),
                  freeze: str | None = None, text_filter: Callable[[str], str] | None = None) -> Sheet:
        """A new sheet after the others. `widths` are column widths in Excel's units (characters),
        a sequence from column A (None leaves a column as it is) or a mapping of 1-based column
        index to width. `freeze` is the first cell that scrolls, as in Excel: "A2" keeps the
        first row in view, "B2" the first row and column. `text_filter`, when given, is applied to
        every string after the invalid characters are removed and before it is cut to the cell
        limit (formula neutralisation, say); a short string that repeats is filtered only once."""
        if self._closed:
            raise ValueError("The workbook is closed.")
        validate_sheet_name(name, [sheet.name for sheet in self._sheets])
        if self._current is not None:
            self._current.finish()
        sheet = Sheet(self, name, len(self._sheets) + 1, widths=widths, freeze=freeze, text_filter=text_filter)
        self._sheets.append(sheet)
        self._current = sheet
        return sheet

    def close(self) -> None:
        if self._closed:
            return
        if not self._sheets:
            self.add_sheet("Sheet1")  # a workbook needs a sheet
        if self._current is not None:
            self._current.finish()
            self._current = None
        self._write_package()
        self._zip.close()
        self._closed = True

    def _shared_index(self, text: str) -> int:
        index = self._shared.get(text)
        if index is None:
            index = self._shared[text] = len(self._shared)
        return index

    def _writestr(self, name: str, text: str) -> None:
        self._zip.writestr(self._zipinfo(name), text.encode("utf-8"))

    def _zipinfo(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info._compresslevel = self._compresslevel  # what ZipFile.open(name) sets; Python 3.13 keeps the alias
        info.external_attr = 0o600 << 16
        return info

    def _write_package(self) -> None:
        sheets = self._sheets
        shared = bool(self._shared)
        overrides = [
            ("/xl/workbook.xml", _CT + "spreadsheetml.sheet.main+xml"),
            ("/xl/styles.xml", _CT + "spreadsheetml.styles+xml"),
            *[(f"/xl/worksheets/sheet{s.number}.xml", _CT + "spreadsheetml.worksheet+xml") for s in sheets],
            ("/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml"),
            ("/docProps/app.xml", _CT + "extended-properties+xml"),
        ]
        if shared:
            overrides.append(("/xl/sharedStrings.xml", _CT + "spreadsheetml.sharedStrings+xml"))
        self._writestr("[Content_Types].xml", (
            _XML_DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{part}" ContentType="{kind}"/>' for part, kind in overrides)
            + "</Types>"))
        self._writestr("_rels/.rels", (
            _XML_DECL + f'<Relationships xmlns="{_NS_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL_TYPE}officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/'
            'metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{_REL_TYPE}extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"))
        created = self._created.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        self._writestr("docProps/core.xml", (
            _XML_DECL + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            + (f"<dc:creator>{_escape_attribute(self._creator)}</dc:creator>" if self._creator else "")
            + f'<dcterms:created xsi:type="dcterms:W3CDTF">{created}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{created}</dcterms:modified>'
            "</cp:coreProperties>"))
        self._writestr("docProps/app.xml", (
            _XML_DECL + '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
            f"<Application>{_escape_attribute(self._application)}</Application></Properties>"))
        self._writestr("xl/workbook.xml", (
            _XML_DECL + f'<workbook xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
            '<bookViews><workbookView activeTab="0"/></bookViews><sheets>'
            + "".join(f'<sheet name="{_escape_attribute(s.name)}" sheetId="{s.number}" r:id="rId{s.number}"/>'
                      for s in sheets)
            + "</sheets></workbook>"))
        rels = [(f"worksheets/sheet{s.number}.xml", "worksheet") for s in sheets]
        rels.append(("styles.xml", "styles"))
        if shared:
            rels.append(("sharedStrings.xml", "sharedStrings"))
        self._writestr("xl/_rels/workbook.xml.rels", (
            _XML_DECL + f'<Relationships xmlns="{_NS_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL_TYPE}{kind}" Target="{target}"/>'
                      for i, (target, kind) in enumerate(rels, start=1))
            + "</Relationships>"))
        self._writestr("xl/styles.xml", _STYLES)
        if shared:
            count = len(self._shared)
            self._writestr("xl/sharedStrings.xml", (
                _XML_DECL + f'<sst xmlns="{_NS_MAIN}" count="{count}" uniqueCount="{count}">'
                + "".join(f"<si><t{_space(text)}>{escape_text(_excel_escape(text))}</t></si>" for text in self._shared)
                + "</sst>"))


class Sheet:
    """One worksheet being written; made by `XlsxWriter.add_sheet()`."""

    def __init__(self, book: XlsxWriter, name: str, number: int, *,
                 widths: Sequence[float | None] | Mapping[int, float], freeze: str | None,
                 text_filter: Callable[[str], str] | None = None) -> None:
        self.name = name
        self._text_filter = text_filter
        self.number = number
        self.rows = 0
        self._book = book
        self._starts: list[str] = []
        self._cache: dict[str, str] = {}
        self._buffer: list[str] = []
        self._buffered = 0
        self._finished = False
        self._stream = book._zip.open(book._zipinfo(f"xl/worksheets/sheet{number}.xml"), "w",
                                      force_zip64=book._zip64)
        self._stream.write((_XML_DECL + f'<worksheet xmlns="{_NS_MAIN}" xmlns:r="{_NS_REL}">'
                            + _sheet_views(freeze, selected=number == 1)
                            + '<sheetFormatPr defaultRowHeight="15"/>'
                            + _cols(widths) + "<sheetData>").encode("utf-8"))

    def write_row(self, values: Iterable, *, bold: bool = False) -> None:
        """One row after the last; see the module docstring for the values. `bold` sets the bold
        font on the row's strings, numbers and booleans (dates keep their date format)."""
        if self._finished:
            raise ValueError(f"The sheet {self.name!r} is finished: a workbook is written one sheet at a time.")
        if self.rows >= MAX_ROWS:
            raise ValueError(f"A sheet has at most {MAX_ROWS} rows.")
        number = str(self.rows + 1)
        starts = self._starts  # '<c r="A', '<c r="B', …
        cache = self._cache
        parts = ['<row r="', number, '">']
        append = parts.append
        style = f' s="{STYLE_BOLD}"' if bold else ""
        for index, value in enumerate(values):
            if value is None:
                continue
            kind = type(value)
            if kind is str:
                if bold:
                    fragment = self._string(value, style)
                else:
                    fragment = cache.get(value)
                    if fragment is None:
                        fragment = self._string(value, "")
                        if len(value) <= _CACHE_MAX_LEN:
                            if len(cache) >= _CACHE_MAX_ENTRIES:
                                cache.clear()
                            cache[value] = fragment
                if not fragment:
                    continue
            elif kind is int:
                fragment = '"' + style + "><v>" + str(value) + "</v></c>"
            else:
                fragment = self._other(value, style)
                if not fragment:
                    continue
            try:
                append(starts[index])
            except IndexError:
                append(self._start(index))
            append(number)
            append(fragment)
        append("</row>")
        row = "".join(parts)
        self.rows += 1  # only now: a value that raised leaves no half row behind
        self._buffer.append(row)
        self._buffered += len(row)
        if self._buffered >= _FLUSH_CHARS:
            self._flush()

    def write_rows(self, rows: Iterable[Iterable]) -> None:
        for row in rows:
            self.write_row(row)

    def finish(self) -> None:
        if self._finished:
            return
        self._buffer.append('</sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
                            'header="0.3" footer="0.3"/></worksheet>')
        self._flush()
        self._stream.close()
        self._finished = True
        self._cache.clear()

    def _flush(self) -> None:
        self._stream.write("".join(self._buffer).encode("utf-8"))
        self._buffer.clear()
        self._buffered = 0

    def _start(self, index: int) -> str:
        """'<c r="' and the column letters of the 0-based column index."""
        if index >= MAX_COLUMNS:
            raise ValueError(f"A row has at most {MAX_COLUMNS} cells.")
        while len(self._starts) <= index:
            self._starts.append('<c r="' + column_letter(len(self._starts) + 1))
        return self._starts[index]

    def _string(self, value: str, style: str) -> str:
        """The cell after its reference: '" t="inlineStr"><is><t>…</t></is></c>', or "" when empty."""
        value = clean_text(value)
        if self._text_filter is not None:
            value = self._text_filter(value)
        value = truncate_text(value)
        if not value:
            return ""
        if "_x" in value and _EXCEL_ESCAPE_RE.search(value):
            return '"' + style + ' t="s"><v>' + str(self._book._shared_index(value)) + "</v></c>"
        return '"' + style + ' t="inlineStr"><is><t' + _space(value) + ">" + escape_text(value) + "</t></is></c>"

    def _other(self, value, style: str) -> str:
        """The cell after its reference for anything but a plain str or int ("" for no cell)."""
        if isinstance(value, bool):
            return '"' + style + ' t="b"><v>' + ("1" if value else "0") + "</v></c>"
        if isinstance(value, int):  # an IntEnum, say
            return '"' + style + "><v>" + str(int(value)) + "</v></c>"
        if isinstance(value, float | decimal.Decimal):
            if not math.isfinite(value):
                raise ValueError(f"A cell cannot hold {value!r}.")
            return '"' + style + "><v>" + _number(value) + "</v></c>"
        if isinstance(value, str):
            return self._string(str(value), style)
        if isinstance(value, datetime.datetime):
            return '" s="' + str(STYLE_DATETIME) + '"><v>' + _number(_serial(value)) + "</v></c>"
        if isinstance(value, datetime.date):
            return '" s="' + str(STYLE_DATE) + '"><v>' + str((value - _EPOCH_DATE).days) + "</v></c>"
        if isinstance(value, datetime.time):
            if value.tzinfo is not None:
                raise ValueError("Excel has no time zones: write a naive time.")
            seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
            return '" s="' + str(STYLE_TIME) + '"><v>' + _number(seconds / 86400) + "</v></c>"
        raise TypeError(f"Cannot write a {type(value).__name__} to a cell.")


def _serial(value: datetime.datetime) -> float:
    if value.tzinfo is not None:
        raise ValueError("Excel has no time zones: convert the datetime to local time and drop tzinfo.")
    delta = value - _EPOCH
    return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400


def _number(value) -> str:
    if isinstance(value, float):
        text = repr(float(value))
        return text[:-2] if text.endswith(".0") else text
    return str(value)


def _excel_escape(text: str) -> str:
    return _EXCEL_ESCAPE_RE.sub(r"_x005F_\1", text)


def _space(text: str) -> str:
    return ' xml:space="preserve"' if text[0] in _WHITESPACE or text[-1] in _WHITESPACE else ""


def _cols(widths: Sequence[float | None] | Mapping[int, float]) -> str:
    items = widths.items() if isinstance(widths, Mapping) else enumerate(widths, start=1)
    cols = []
    for index, width in sorted(items):
        if width is None:
            continue
        column_letter(index)  # validates the index
        if not 0 <= width <= 255:
            raise ValueError(f"A column width is between 0 and 255: {width!r}.")
        cols.append(f'<col min="{index}" max="{index}" width="{_number(float(width))}" customWidth="1"/>')
    return "<cols>" + "".join(cols) + "</cols>" if cols else ""


def _sheet_views(freeze: str | None, *, selected: bool) -> str:
    tab = ' tabSelected="1"' if selected else ""
    if not freeze or freeze == "A1":
        return f'<sheetViews><sheetView workbookViewId="0"{tab}/></sheetViews>'
    row, column = _cell_index(freeze)
    x_split, y_split = column - 1, row - 1
    if x_split and y_split:
        pane = "bottomRight"
        top_right, bottom_left = column_letter(column) + "1", "A" + str(row)
        selections = (f'<selection pane="topRight" activeCell="{top_right}" sqref="{top_right}"/>'
                      f'<selection pane="bottomLeft" activeCell="{bottom_left}" sqref="{bottom_left}"/>')
    elif y_split:
        pane, selections = "bottomLeft", ""
    else:
        pane, selections = "topRight", ""
    splits = (f' xSplit="{x_split}"' if x_split else "") + (f' ySplit="{y_split}"' if y_split else "")
    return (f'<sheetViews><sheetView workbookViewId="0"{tab}>'
            f'<pane{splits} topLeftCell="{freeze}" activePane="{pane}" state="frozen"/>'
            f'{selections}<selection pane="{pane}" activeCell="{freeze}" sqref="{freeze}"/>'
            "</sheetView></sheetViews>")


# Fonts: 0 regular, 1 bold. Cell formats: 0 general, 1 bold, 2 date, 3 date and time, 4 time.
_STYLES = (
    _XML_DECL + f'<styleSheet xmlns="{_NS_MAIN}">'
    '<numFmts count="3"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/>'
    '<numFmt numFmtId="166" formatCode="hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '<dxfs count="0"/><tableStyles count="0"/>'
    "</styleSheet>"
)
