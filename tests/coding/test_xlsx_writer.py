"""The streaming .xlsx writer, read back with openpyxl and lxml, and the Excel export that uses it."""

from __future__ import annotations

import ast
import datetime
import decimal
import enum
import io
import sys
import tracemalloc
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from coding.exports import ExportOptions, tabular
from coding.exports import xlsx_writer as xw
from coding.exports.common import neutralise
from coding.exports.xlsx_writer import (
    MAX_CELL_CHARS,
    TRUNCATION_MARKER,
    XlsxWriter,
    clean_text,
    column_letter,
    truncate_text,
    validate_sheet_name,
)

from .builders import build_analysis

LONG = "Lång text om samverkan. " * 2000  # 48,000 characters: more than a cell holds


def write(rows_by_sheet: dict[str, list], **sheet_options) -> bytes:
    out = io.BytesIO()
    with XlsxWriter(out) as book:
        for name, rows in rows_by_sheet.items():
            sheet = book.add_sheet(name, **sheet_options)
            for row in rows:
                sheet.write_row(row)
    return out.getvalue()


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def values(data: bytes) -> dict[str, list[tuple]]:
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in load(data).worksheets}


def utf16_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class WriteOnlyStream:
    """A pipe-like output: write() only, no seek() or tell(), like sys.stdout.buffer."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    @property
    def size(self) -> int:
        return sum(len(chunk) for chunk in self.chunks)


# --- values ------------------------------------------------------------------------------------------

TRICKY = [
    "Åsa, Ängelholm och Öckerö – åäö ÅÄÖ é ü ß",
    "rad ett\nrad två\n",
    "kolumn\tmed\ttabb",
    "Windows\r\nradslut och ensamt\rCR",
    "  inledande och avslutande mellanslag  ",
    "<b>&amp; \"citat\" 'apostrof' & > <",
    "]]> <![CDATA[ x ]]>",
    "_x0041_ ska inte bli A, inte heller _x000D_",
    "emoji 👍🏽 och 𝄞",
    "x" * MAX_CELL_CHARS,
]


def test_it_reads_back_every_tricky_string_exactly():
    data = write({"Data": [[text] for text in TRICKY]})
    assert [row[0] for row in values(data)["Data"]] == TRICKY


def test_it_reads_back_numbers_booleans_dates_and_empty_cells():
    row = [1, -42, 2**40, 3.25, 1e-7, decimal.Decimal("12.50"), True, False, None, "", "efter tomma",
           datetime.date(2026, 3, 1), datetime.datetime(2026, 3, 1, 14, 30, 5), datetime.time(8, 15)]
    workbook = load(write({"Typer": [row]}))
    cells = list(workbook["Typer"].iter_rows())[0]
    got = [cell.value for cell in cells]
    assert got[:8] == [1, -42, 2**40, 3.25, 1e-7, 12.5, True, False]
    assert got[8] is None and got[9] is None  # None and "" leave the cell empty
    assert got[10] == "efter tomma" and cells[10].column_letter == "K"  # the gaps do not shift cells left
    assert got[11] == datetime.datetime(2026, 3, 1)
    assert got[12] == datetime.datetime(2026, 3, 1, 14, 30, 5)
    assert got[13] == datetime.time(8, 15)
    assert cells[11].is_date and cells[12].is_date
    assert cells[11].number_format == "yyyy\\-mm\\-dd"
    assert [cells[i].data_type for i in (0, 6, 10)] == ["n", "b", "s"]


def test_it_writes_subclasses_as_their_base_type():
    class Level(enum.IntEnum):
        HIGH = 3

    class Marked(str):
        pass

    row = [Level.HIGH, Marked("märkt"), Marked(""), "sist"]
    assert values(write({"Data": [row]}))["Data"] == [(3, "märkt", None, "sist")]


def test_it_refuses_values_a_cell_cannot_hold():
    out = io.BytesIO()
    with XlsxWriter(out) as book:
        sheet = book.add_sheet("Fel")
        with pytest.raises(ValueError, match="time zones"):
            sheet.write_row([datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)])
        with pytest.raises(ValueError):
            sheet.write_row([float("nan")])
        with pytest.raises(TypeError, match="list"):
            sheet.write_row([[1, 2]])
        sheet.write_row(["ok"])
        assert sheet.rows == 1
    assert values(out.getvalue())["Fel"] == [("ok",)]  # a row that failed leaves nothing behind


def test_it_removes_characters_that_xml_does_not_allow():
    dirty = "a\x00b\x01c\x08d\x0be\x0cf\x0eg\x1fh\ud800i\udfffj\ufffek\uffffl\tm\nn\ro"
    assert clean_text(dirty) == "abcdefghijkl\tm\nn\ro"
    data = write({"Data": [[dirty, "\x00\x01"]]})
    assert values(data)["Data"] == [("abcdefghijkl\tm\nn\ro",)]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        etree.fromstring(package.read("xl/worksheets/sheet1.xml"))  # well-formed


def test_it_cuts_text_at_excels_cell_limit_with_a_visible_marker():
    assert truncate_text("kort") == "kort"
    exact = "å" * MAX_CELL_CHARS
    assert truncate_text(exact) is exact
    cut = truncate_text(LONG)
    assert len(cut) == MAX_CELL_CHARS and cut.endswith(TRUNCATION_MARKER) and LONG.startswith(cut[:-5])
    astral = truncate_text("👍" * 20_000)  # 40,000 UTF-16 code units, as Excel counts them
    assert utf16_units(astral) <= MAX_CELL_CHARS and astral.endswith(TRUNCATION_MARKER)
    assert utf16_units(astral) > MAX_CELL_CHARS - 2 - utf16_units(TRUNCATION_MARKER)

    data = write({"Lång": [[LONG, "👍" * 20_000]]})
    text, emoji = values(data)["Lång"][0]
    assert text == cut and emoji == astral


def test_it_escapes_excels_own_escapes_through_the_shared_strings():
    data = write({"Data": [["_x0041_"], ["vanlig"], ["a_x00e5_b"]]})
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        shared = package.read("xl/sharedStrings.xml").decode()
        sheet = package.read("xl/worksheets/sheet1.xml").decode()
    assert "_x005F_x0041_" in shared and "a_x005F_x00e5_b" in shared
    assert "vanlig" in sheet and "x0041" not in sheet
    assert [row[0] for row in values(data)["Data"]] == ["_x0041_", "vanlig", "a_x00e5_b"]


def test_it_applies_the_text_filter_once_per_string():
    calls = []

    def counted_neutralise(text):
        calls.append(text)
        return neutralise(text)

    out = io.BytesIO()
    with XlsxWriter(out) as book:
        sheet = book.add_sheet("Data", text_filter=counted_neutralise)
        sheet.write_row(["=SUM(A1)", "\x01=cmd", "-5", -5, "vanlig"], bold=True)
        for _ in range(3):
            sheet.write_row(["=HYPERLINK(\"x\")", "+1", "@a", "\tb", "\rc"])
    assert len(calls) == 4 + 5  # the header's strings, then each repeated string once
    rows = values(out.getvalue())["Data"]
    assert rows[0] == ("'=SUM(A1)", "'=cmd", "'-5", -5, "vanlig")  # cleaned first, then neutralised
    assert rows[1] == rows[3] == ("'=HYPERLINK(\"x\")", "'+1", "'@a", "'\tb", "'\rc")
    cells = [c for row in load(out.getvalue())["Data"].iter_rows() for c in row]
    assert all(cell.data_type in ("s", "n") for cell in cells)


# --- workbook structure ----------------------------------------------------------------------------------

def test_it_writes_several_sheets_in_order():
    data = write({"Kodade avsnitt": [["a", 1]], "Antal": [["b", 2]], "Å & <Ö>": [["c", 3]]})
    assert values(data) == {"Kodade avsnitt": [("a", 1)], "Antal": [("b", 2)], "Å & <Ö>": [("c", 3)]}


def test_it_is_a_complete_ooxml_package():
    data = write({"Ett": [["x"]], "Två": [[1]]})
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.testzip() is None
        names = set(package.namelist())
        assert {"[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml", "docProps/core.xml",
                "docProps/app.xml"} == names
        parts = {name: etree.fromstring(package.read(name)) for name in names}
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in package.infolist())
    types = parts["[Content_Types].xml"]
    overrides = {el.get("PartName"): el.get("ContentType") for el in types}
    for name in names - {"[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels"}:
        assert "/" + name in overrides, name
    assert overrides["/xl/worksheets/sheet2.xml"].endswith("spreadsheetml.worksheet+xml")
    targets = {el.get("Target") for el in parts["xl/_rels/workbook.xml.rels"]}
    assert targets == {"worksheets/sheet1.xml", "worksheets/sheet2.xml", "styles.xml"}


def local_headers(data: bytes) -> dict[str, tuple[int, set[int]]]:
    """{entry: (version needed to extract, ids of the extra fields in its local header)}."""
    headers = {}
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for info in package.infolist():
            at = info.header_offset
            assert data[at:at + 4] == b"PK\x03\x04"
            version = int.from_bytes(data[at + 4:at + 6], "little")
            name_length = int.from_bytes(data[at + 26:at + 28], "little")
            extra_length = int.from_bytes(data[at + 28:at + 30], "little")
            extra = data[at + 30 + name_length:at + 30 + name_length + extra_length]
            ids, i = set(), 0
            while i + 4 <= len(extra):
                ids.add(int.from_bytes(extra[i:i + 2], "little"))
                i += 4 + int.from_bytes(extra[i + 2:i + 4], "little")
            headers[info.filename] = (version, ids)
    return headers


@pytest.mark.parametrize("out_class", [io.BytesIO, "stream"])
def test_it_leaves_zip64_headers_out_of_an_ordinary_workbook(out_class):
    """Excel is known to reject small packages whose entries carry ZIP64 extra fields."""
    out = WriteOnlyStream() if out_class == "stream" else out_class()
    with XlsxWriter(out) as book:
        book.add_sheet("Data").write_row(["x", 1])
    data = b"".join(out.chunks) if out_class == "stream" else out.getvalue()
    for name, (version, extra_ids) in local_headers(data).items():
        assert version == 20 and 0x0001 not in extra_ids, name
    assert values(data) == {"Data": [("x", 1)]}


def test_it_writes_zip64_entries_when_asked():
    out = io.BytesIO()
    with XlsxWriter(out, zip64=True) as book:
        book.add_sheet("Stor").write_row(["x", 1])
    headers = local_headers(out.getvalue())
    assert 0x0001 in headers["xl/worksheets/sheet1.xml"][1]
    assert values(out.getvalue()) == {"Stor": [("x", 1)]}


def test_an_empty_workbook_still_has_a_sheet():
    out = io.BytesIO()
    XlsxWriter(out).close()
    assert load(out.getvalue()).sheetnames == ["Sheet1"]


def test_it_styles_freezes_and_sizes_as_asked():
    out = io.BytesIO()
    with XlsxWriter(out) as book:
        first = book.add_sheet("Rader", widths=[28, None, 60.5], freeze="A2")
        first.write_row(["Rubrik", "Tal", "Text"], bold=True)
        first.write_row(["värde", 1, "mer"])
        second = book.add_sheet("Hörn", widths={2: 12}, freeze="B2")
        second.write_row(["x"])
        book.add_sheet("Ingen")
    workbook = load(out.getvalue())
    rows = workbook["Rader"]
    assert rows.freeze_panes == "A2"
    assert rows["A1"].font.bold and rows["B1"].font.bold and not rows["A2"].font.bold
    assert rows.column_dimensions["A"].width == 28 and rows.column_dimensions["C"].width == 60.5
    assert workbook["Hörn"].freeze_panes == "B2" and workbook["Hörn"].column_dimensions["B"].width == 12
    assert workbook["Ingen"].freeze_panes is None


@pytest.mark.parametrize("name", ["", "x" * 32, "a[b", "a]b", "a:b", "a*b", "a?b", "a/b", "a\\b", "'a", "a'",
                                  "History", "history", "tab\x01"])
def test_it_refuses_sheet_names_excel_refuses(name):
    with pytest.raises(ValueError):
        validate_sheet_name(name)
    with XlsxWriter(io.BytesIO()) as book, pytest.raises(ValueError):
        book.add_sheet(name)


def test_it_accepts_sheet_names_excel_accepts_and_refuses_duplicates():
    for name in ("Kodade avsnitt", "x" * 31, "Antal (omgång 1)", "a'b", "Å & Ö"):
        assert validate_sheet_name(name) == name
    with XlsxWriter(io.BytesIO()) as book:
        book.add_sheet("Antal")
        with pytest.raises(ValueError, match="already"):
            book.add_sheet("ANTAL")


def test_it_writes_one_sheet_at_a_time():
    with XlsxWriter(io.BytesIO()) as book:
        first = book.add_sheet("Ett")
        book.add_sheet("Två")
        with pytest.raises(ValueError, match="finished"):
            first.write_row(["sent"])
    with pytest.raises(ValueError, match="closed"):
        book.add_sheet("Tre")


def test_an_error_while_writing_is_the_error_reported():
    def rows():
        yield ["en rad"]
        raise LookupError("databasen försvann")

    out = io.BytesIO()
    with pytest.raises(LookupError, match="databasen"), XlsxWriter(out) as book:
        book.add_sheet("Data").write_rows(rows())
    with pytest.raises(ValueError, match="closed"):
        book.add_sheet("Mer")


def test_it_keeps_to_excels_row_and_column_limits(monkeypatch):
    assert column_letter(1) == "A" and column_letter(26) == "Z" and column_letter(27) == "AA"
    assert column_letter(16_384) == "XFD"
    with pytest.raises(ValueError):
        column_letter(16_385)
    monkeypatch.setattr(xw, "MAX_ROWS", 2)
    with XlsxWriter(io.BytesIO()) as book:
        sheet = book.add_sheet("Full")
        sheet.write_row([1])
        sheet.write_row([2])
        with pytest.raises(ValueError, match="rows"):
            sheet.write_row([3])


# --- streaming -----------------------------------------------------------------------------------------

def test_it_streams_ten_thousand_rows_without_holding_them():
    def rows(count):
        for n in range(count):
            yield [n, f"Team {n % 50}", "Samverkan", f"Avsnitt {n}: " + "text som skiljer sig åt " * 40 + str(n),
                   None, n * 0.5, "ja" if n % 7 else "nej"]

    out = WriteOnlyStream()
    tracemalloc.start()
    try:
        with XlsxWriter(out) as book:
            sheet = book.add_sheet("Rader", freeze="A2")
            sheet.write_row(["nr", "team", "område", "text", "tom", "halva", "nyckel"], bold=True)
            for number, row in enumerate(rows(10_000), start=1):
                sheet.write_row(row)
                if number == 5_000:
                    halfway = out.size
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert halfway > 100_000  # written while the rows came, not at the end
    assert out.size > 2 * halfway * 0.8
    assert peak < 4_000_000  # about 2 MB (256 K characters buffered); the rows' XML is 13 MB
    data = b"".join(out.chunks)
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert package.getinfo("xl/worksheets/sheet1.xml").file_size > 12_000_000
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True)["Rader"]
    read = list(sheet.iter_rows(values_only=True))
    assert len(read) == 10_001
    assert read[1] == tuple(next(rows(1)))
    assert read[-1] == tuple(list(rows(10_000))[-1])


# --- the Excel export ------------------------------------------------------------------------------------

EXPORT_MODULES = [Path(tabular.__file__), Path(xw.__file__)]


@pytest.mark.parametrize("path", EXPORT_MODULES, ids=lambda p: p.name)
def test_the_excel_export_does_not_import_openpyxl(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert not [name for name in imported if name.split(".")[0] == "openpyxl"]


@pytest.mark.django_db
def test_the_excel_export_runs_with_openpyxl_unavailable(world, monkeypatch):
    analysis = build_analysis(world)
    for name in [name for name in sys.modules if name.split(".")[0] == "openpyxl"] + ["openpyxl"]:
        monkeypatch.setitem(sys.modules, name, None)  # any `import openpyxl…` now fails
    out = io.BytesIO()
    tabular.write_xlsx(analysis.study, ExportOptions(), out)
    monkeypatch.undo()
    sheets = values(out.getvalue())
    assert list(sheets) == ["Kodade avsnitt", "Antal"]
    assert len(sheets["Kodade avsnitt"]) == 6


@pytest.mark.django_db
@pytest.mark.parametrize("narrow", ["all", "round", "team", "area", "theme"])
def test_the_counts_tallied_from_the_rows_equal_the_counts_query(world, narrow):
    a = build_analysis(world)
    options = {
        "all": ExportOptions(),
        "round": ExportOptions(round_ids=(a.round1.pk,)),
        "team": ExportOptions(team_ids=(a.team1.pk,)),
        "area": ExportOptions(area_ids=(a.areas["samverkan"].pk, a.areas["delaktighet"].pk)),
        "theme": ExportOptions(theme_ids=(a.themes["person"].pk,)),
    }[narrow]
    counts: dict = {}
    rows = list(tabular.coding_rows(a.study, options, counts=counts))
    assert sum(counts.values()) == len(rows)
    assert tabular.counts_rows(a.study, options, counts) == tabular.counts_rows(a.study, options)


@pytest.mark.django_db
def test_the_excel_export_keeps_the_values_of_the_rows(world):
    a = build_analysis(world)
    out = io.BytesIO()
    tabular.write_xlsx(a.study, ExportOptions(), out)
    sheets = values(out.getvalue())
    expected = [tuple(neutralise(v) if v != "" else None for v in row)
                for row in tabular.coding_rows(a.study, ExportOptions())]
    assert sheets["Kodade avsnitt"][0] == tuple(tabular.header_row())
    assert sheets["Kodade avsnitt"][1:] == expected
    counts = tabular.counts_rows(a.study, ExportOptions())
    width = max(len(row) for row in counts)
    assert sheets["Antal"] == [tuple(row) + (None,) * (width - len(row)) for row in counts]
