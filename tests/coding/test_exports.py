"""Exports opened with their real readers: python-docx, openpyxl, csv and the HTML itself.

Each format is checked for the quotes and attributions, the edited/verbatim option, the
counts, neutralised formulas and the absence of a withdrawn participant's words.
"""

from __future__ import annotations

import csv
import io

import docx
import openpyxl
import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override

from coding.exports import EXPORTERS, ExportOptions
from coding.exports.common import build_report, export_filename, neutralise
from transcripts.models import AttributionFormat, AuditEvent

from .builders import (
    DELAKTIGHET_QUOTE,
    EDITED_QUOTE,
    PROMPT,
    ROUND2_QUOTE,
    VERBATIM_QUOTE,
    WITHDRAWN_TEXT,
    build_analysis,
)

pytestmark = pytest.mark.django_db
AREA_NAMES = ["Samverkan", "Personcentrering", "Delaktighet", "Kompetens och kunskap", "Digitalisering"]


@pytest.fixture
def analysis(world):
    return build_analysis(world)


@pytest.fixture
def lead_client(client, world):
    client.force_login(world.users["lead"])
    return client


def download(client, analysis, fmt, **params):
    return client.get(reverse("coding:export_download", args=[analysis.study.pk]), {"format": fmt, **params})


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def read_docx(data: bytes):
    return docx.Document(io.BytesIO(data))


def paragraphs(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs]


def table_rows(document) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in document.tables[0].rows]


def read_xlsx(data: bytes) -> dict[str, list[tuple]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 byte-order mark for Excel"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


# --- Word ------------------------------------------------------------------------------------------

def test_it_downloads_the_word_report_with_styles_quotes_and_attributions(lead_client, analysis):
    response = download(lead_client, analysis, "docx")
    assert response.status_code == 200
    assert response["Content-Type"] == EXPORTERS["docx"].content_type
    today = timezone.localdate().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="nvos-temasammanfattning-studie-a-{today}.docx"'
    assert response["Cache-Control"] == "no-store"
    doc = paragraphs(read_docx(body(response)))

    assert doc[0] == ("Title", "Studie A")
    assert ("Normal", "Fas 1: Att bekanta sig med sina data") in doc
    assert [text for style, text in doc if style == "Heading 1"][:5] == AREA_NAMES
    assert ("Prompt Quote", PROMPT) in doc
    assert ("Heading 2", "Gemensam planering") in doc and ("Heading 3", "Morgonmöten") in doc
    assert ("Normal", "Teamet planerar tillsammans innan personen kommer hem.") in doc
    quote_at = doc.index(("Quote", EDITED_QUOTE))
    assert doc[quote_at + 1] == ("Attribution", "(Arbetsterapeut, team 1)")
    quote_r2 = doc.index(("Quote", ROUND2_QUOTE))
    assert doc[quote_r2 + 1] == ("Attribution", "(Sjuksköterska, team 1)")  # "Sjuksköterska 2" loses its number
    assert ("Quote", DELAKTIGHET_QUOTE) in doc
    # Sections in order: the planning theme sits under Samverkan, the person theme under Delaktighet.
    assert doc.index(("Heading 1", "Samverkan")) < quote_at < doc.index(("Heading 1", "Personcentrering"))
    assert doc.index(("Heading 1", "Delaktighet")) < doc.index(("Quote", DELAKTIGHET_QUOTE))
    text = "\n".join(t for _s, t in doc)
    assert "Kasserat tema" not in text
    assert WITHDRAWN_TEXT not in text
    assert VERBATIM_QUOTE not in text  # the edited version replaces it


def test_it_styles_the_quotes_as_real_word_styles(lead_client, analysis):
    document = read_docx(body(download(lead_client, analysis, "docx")))
    prompt = document.styles["Prompt Quote"]
    assert prompt.font.italic is True
    assert prompt.base_style.name == "Quote"
    assert document.styles["Quote"].paragraph_format.left_indent > 0
    assert document.styles["Attribution"].paragraph_format.left_indent > 0


def test_it_puts_the_counts_table_in_the_word_report(lead_client, analysis):
    rows = table_rows(read_docx(body(download(lead_client, analysis, "docx"))))
    assert rows[0] == ["Omgång", "Team", *AREA_NAMES, gettext("Total")]
    assert rows[1] == ["Omgång 1", "Team 1", "2", "0", "1", "0", "0", "3"]
    assert rows[2] == ["Omgång 1", "Team 2", "1", "0", "0", "0", "0", "1"]
    assert rows[3][2:] == ["3", "0", "1", "0", "0", "4"]
    assert rows[4] == ["Omgång 2", "Team 1", "1", "0", "0", "0", "0", "1"]  # the withdrawn passage is not counted
    assert len(rows) == 6  # team 2 has no round-2 interview


def test_it_quotes_verbatim_when_asked(lead_client, analysis):
    doc = paragraphs(read_docx(body(download(lead_client, analysis, "docx", text="verbatim"))))
    assert ("Quote", VERBATIM_QUOTE) in doc
    assert EDITED_QUOTE not in "\n".join(t for _s, t in doc)


def test_it_narrows_the_word_report_to_the_chosen_round_team_area_and_theme(lead_client, analysis):
    a = analysis
    doc = paragraphs(read_docx(body(download(lead_client, a, "docx", round=a.round2.pk))))
    assert ("Quote", ROUND2_QUOTE) in doc and ("Quote", EDITED_QUOTE) not in doc
    doc = paragraphs(read_docx(body(download(lead_client, a, "docx", area=a.areas["delaktighet"].pk))))
    assert [text for style, text in doc if style == "Heading 1"][0] == "Delaktighet"
    assert ("Heading 2", "Gemensam planering") not in doc
    doc = paragraphs(read_docx(body(download(lead_client, a, "docx", theme=a.themes["person"].pk))))
    assert ("Heading 2", "Individen i centrum") in doc and ("Heading 2", "Gemensam planering") not in doc
    doc = paragraphs(read_docx(body(download(lead_client, a, "docx", team=a.team2.pk))))
    assert not [text for style, text in doc if style == "Quote"]


def test_it_attributes_by_role_only_when_the_study_says_so(lead_client, analysis):
    analysis.study.attribution_format = AttributionFormat.ROLE_ONLY
    analysis.study.save()
    doc = paragraphs(read_docx(body(download(lead_client, analysis, "docx"))))
    assert ("Attribution", "(Arbetsterapeut)") in doc
    assert "team 1)" not in "\n".join(t for _s, t in doc)


def test_it_builds_the_report_in_a_constant_number_of_queries(analysis, django_assert_num_queries):
    with django_assert_num_queries(15):  # 9, withdrawn participants and spans twice, two small lookups for cells
        report = build_report(analysis.study, ExportOptions())
    assert len(report.sections) == 5


# --- Excel ------------------------------------------------------------------------------------------

def test_it_downloads_excel_with_one_row_per_counted_coding(lead_client, analysis):
    a = analysis
    response = download(lead_client, a, "xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="nvos-kodade-avsnitt-studie-a-')
    assert response["Cache-Control"] == "no-store"
    sheets = read_xlsx(body(response))
    assert list(sheets) == ["Kodade avsnitt", "Antal"]
    header, *rows = sheets["Kodade avsnitt"]
    assert header[0] == "Studie" or header[0] == "Study"
    assert len(header) == 22
    assert len(rows) == 5
    by_id = {row[18]: row for row in rows}  # transcript id, start → row
    first = next(row for row in rows if row[15] == VERBATIM_QUOTE)
    with override("sv"):
        size = str(a.team1.get_size_class_display())
        yes = gettext("yes")
    assert first[:4] == ("Studie A", 1, 1, size)
    assert first[5] == "arbetsterapeut, sjuksköterska, kurator"
    assert first[9:15] == ("Arbetsterapeut", "arbetsterapeut", "Samverkan", "Daglig avstämning",
                           "Gemensam planering", "kodare")
    assert first[16] == EDITED_QUOTE and first[17] == yes
    assert first[18:21] == (a.transcripts["t1r1"].pk, a.codings["t1r1_at"].start, a.codings["t1r1_at"].end)
    child = next(row for row in rows if row[12] == "Daglig avstämning / Morgonmöte")
    assert child[13] == "Gemensam planering, Morgonmöten"  # the discarded theme is not listed
    round2 = next(row for row in rows if row[15] == ROUND2_QUOTE)
    assert round2[1] == 2 and round2[9] == "Sjuksköterska"
    assert a.transcripts["t2r1"].pk in by_id
    flat = repr(sheets)
    assert WITHDRAWN_TEXT not in flat


def test_it_neutralises_formulas_in_excel(lead_client, analysis):
    data = body(download(lead_client, analysis, "xlsx"))
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Kodade avsnitt"]
    formula_cells = [c for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert len(formula_cells) == 1
    assert formula_cells[0].value.startswith("'=HYPERLINK")
    assert formula_cells[0].data_type == "s"
    assert not [c for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_it_freezes_the_header_and_sets_column_widths(lead_client, analysis):
    workbook = openpyxl.load_workbook(io.BytesIO(body(download(lead_client, analysis, "xlsx"))))
    sheet = workbook["Kodade avsnitt"]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["P"].width == 60
    assert sheet["A1"].font.bold


def test_it_puts_the_counts_in_the_second_sheet(lead_client, analysis):
    counts = read_xlsx(body(download(lead_client, analysis, "xlsx")))["Antal"]
    rows = [tuple(v for v in row if v is not None) for row in counts]
    assert rows[0] == ("Omgång 1",)
    assert rows[1] == ("Team", *AREA_NAMES, "Totalt") or rows[1][:6] == ("Team", *AREA_NAMES)
    assert rows[2] == (1, 2, 0, 1, 0, 0, 3)
    assert rows[3] == (2, 1, 0, 0, 0, 0, 1)
    assert rows[4][1:] == (3, 0, 1, 0, 0, 4)
    assert ("Omgång 2",) in rows
    assert rows[rows.index(("Omgång 2",)) + 2] == (1, 1, 0, 0, 0, 0, 1)


def test_it_narrows_the_rows_to_the_chosen_round_and_theme(lead_client, analysis):
    a = analysis
    _header, *rows = read_xlsx(body(download(lead_client, a, "xlsx", round=a.round2.pk)))["Kodade avsnitt"]
    assert [row[15] for row in rows] == [ROUND2_QUOTE]
    _header, *rows = read_xlsx(body(download(lead_client, a, "xlsx", theme=a.themes["person"].pk)))["Kodade avsnitt"]
    assert [row[15] for row in rows] == [DELAKTIGHET_QUOTE]


# --- CSV ----------------------------------------------------------------------------------------------

def test_it_streams_csv_with_the_same_rows_as_excel(lead_client, analysis):
    response = download(lead_client, analysis, "csv")
    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].endswith('.csv"')
    assert response["Cache-Control"] == "no-store"
    rows = read_csv(body(response))
    sheet = read_xlsx(body(download(lead_client, analysis, "xlsx")))["Kodade avsnitt"]
    assert rows == [["" if v is None else str(v) for v in row] for row in sheet]
    formula = next(row for row in rows if "HYPERLINK" in row[15])
    assert formula[15].startswith("'=HYPERLINK")
    assert WITHDRAWN_TEXT not in repr(rows)


def test_it_neutralises_every_formula_prefix():
    for prefix in ("=", "+", "-", "@", "\t", "\r"):
        assert neutralise(prefix + "cmd") == "'" + prefix + "cmd"
    assert neutralise("Vanlig text") == "Vanlig text"
    assert neutralise(-5) == -5


# --- Printable HTML -----------------------------------------------------------------------------------

def test_it_downloads_the_printable_html_report(lead_client, analysis):
    response = download(lead_client, analysis, "html")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="nvos-temasammanfattning-')
    html = body(response).decode()
    assert "<h1 class=\"report-title\">Studie A</h1>" in html
    assert f"<p>{EDITED_QUOTE}</p>" in html
    assert '<figcaption class="attribution">(Arbetsterapeut, team 1)</figcaption>' in html
    assert '<blockquote class="report-prompt" lang="sv"><p><em>' + PROMPT in html
    assert "Kasserat tema" not in html and WITHDRAWN_TEXT not in html
    assert "style=" not in html and "<script" not in html and "<style" not in html


def test_it_shows_the_printable_report_as_a_page(lead_client, analysis):
    url = reverse("coding:report_print", args=[analysis.study.pk])
    response = lead_client.get(url, {"text": "verbatim"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "attachment" not in response.get("Content-Disposition", "")
    assert f"<p>{VERBATIM_QUOTE}</p>" in html and EDITED_QUOTE not in html
    assert AuditEvent.objects.filter(action="export_downloaded", detail={"format": "print"}).exists()


# --- the download endpoint --------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv", "html"])
def test_it_records_each_download_without_quote_text(lead_client, analysis, fmt):
    body(download(lead_client, analysis, fmt))
    event = AuditEvent.objects.get(action="export_downloaded")
    assert event.detail == {"format": fmt}
    assert event.study_id == analysis.study.pk and event.username == "ledare"
    assert "Vi " not in repr(event.detail) and "Vi " not in repr(event.fields)


@pytest.mark.parametrize("fmt", ["docx", "xlsx", "csv", "html"])
def test_it_forbids_co_researchers_and_hides_from_outsiders(client, world, analysis, fmt):
    client.force_login(world.users["coresearcher"])
    assert download(client, analysis, fmt).status_code == 403
    client.force_login(world.users["outsider"])
    assert download(client, analysis, fmt).status_code == 404
    assert not AuditEvent.objects.filter(action="export_downloaded").exists()


def test_it_lets_admins_download(client, world, analysis):
    client.force_login(world.users["admin"])
    assert download(client, analysis, "docx").status_code == 200


def test_it_forbids_the_export_and_print_pages_to_co_researchers(client, world, analysis):
    client.force_login(world.users["coresearcher"])
    for name in ("coding:export", "coding:report_print"):
        assert client.get(reverse(name, args=[analysis.study.pk])).status_code == 403
    client.force_login(world.users["outsider"])
    for name in ("coding:export", "coding:report_print"):
        assert client.get(reverse(name, args=[analysis.study.pk])).status_code == 404


def test_it_shows_the_export_form(lead_client, analysis):
    response = lead_client.get(reverse("coding:export", args=[analysis.study.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    for key, exporter in EXPORTERS.items():
        assert (f'name="format" value="{key}"' in html) == exporter.web
    assert 'value="archive"' not in html, "the full backup archive is made on the server only"
    assert 'name="theme"' in html and "Gemensam planering" in html and "Kasserat tema" not in html
    assert 'name="text" value="verbatim"' in html
    assert 'class="export-working"' in html
    assert "style=" not in html and "<script>" not in html


def test_it_rejects_an_unknown_format_or_choice(lead_client, analysis, world):
    assert download(lead_client, analysis, "exe").status_code == 400
    url = reverse("coding:export_download", args=[analysis.study.pk])
    assert lead_client.get(url).status_code == 400
    assert download(lead_client, analysis, "docx", round=world.other_ids["round_id"]).status_code == 400


def test_it_makes_ascii_file_names(analysis):
    analysis.study.name = "Studie Åsa & Örjan: omgång 2"
    day = timezone.localdate()
    assert export_filename("nvos-x", analysis.study, "docx", day) == f"nvos-x-studie-asa-orjan-omgang-2-{day}.docx"


# --- the quotes of one code ----------------------------------------------------------------------------

def test_it_downloads_a_codes_quotes_as_csv_in_two_queries(lead_client, analysis):
    url = reverse("coding:code_quotes_csv", args=[analysis.study.pk, analysis.codes["samverkan"].pk])
    lead_client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = lead_client.get(url)
    coding_queries = [q["sql"] for q in queries.captured_queries if "coding_coding" in q["sql"]]
    assert len(coding_queries) == 2  # the passages, and the few readability-edited versions
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="nvos-citat-daglig-avstamning-')
    rows = read_csv(response.content)
    assert len(rows) == 4  # header + three counted passages
    texts = [row[5] for row in rows[1:]]
    assert VERBATIM_QUOTE in texts and ROUND2_QUOTE in texts
    assert any(text.startswith("'=HYPERLINK") for text in texts)
    first = next(row for row in rows if row[5] == VERBATIM_QUOTE)
    assert first[4] == "(Arbetsterapeut, team 1)" and first[6] == EDITED_QUOTE


def test_it_leaves_withdrawn_words_out_of_a_codes_quotes(lead_client, analysis):
    url = reverse("coding:code_quotes_csv", args=[analysis.study.pk, analysis.codes["delaktighet"].pk])
    rows = read_csv(lead_client.get(url).content)
    assert [row[5] for row in rows[1:]] == [DELAKTIGHET_QUOTE]
    assert WITHDRAWN_TEXT not in repr(rows)


def test_it_guards_the_code_quotes(client, world, analysis):
    url = reverse("coding:code_quotes_csv", args=[analysis.study.pk, analysis.codes["samverkan"].pk])
    client.force_login(world.users["coresearcher"])
    assert client.get(url).status_code == 403
    client.force_login(world.users["outsider"])
    assert client.get(url).status_code == 404
    client.force_login(world.users["lead"])
    assert client.get(reverse("coding:code_quotes_csv", args=[analysis.study.pk, 999999])).status_code == 404


# --- the management command ------------------------------------------------------------------------------

def test_the_command_writes_the_same_csv_and_excel_as_the_download(lead_client, analysis, tmp_path):
    for fmt, reader in (("csv", read_csv), ("xlsx", read_xlsx)):
        path = tmp_path / f"export.{fmt}"
        call_command("export_study", analysis.study.pk, "--format", fmt, "-o", str(path))
        assert reader(path.read_bytes()) == reader(body(download(lead_client, analysis, fmt)))


def test_the_command_writes_the_same_word_and_html_as_the_download(lead_client, analysis, tmp_path):
    path = tmp_path / "report.docx"
    call_command("export_study", analysis.study.pk, "--format", "docx", "-o", str(path))
    from_command = read_docx(path.read_bytes())
    downloaded = read_docx(body(download(lead_client, analysis, "docx")))
    assert paragraphs(from_command) == paragraphs(downloaded)
    assert table_rows(from_command) == table_rows(downloaded)
    path = tmp_path / "report.html"
    call_command("export_study", analysis.study.pk, "--format", "html", "-o", str(path))
    assert path.read_bytes() == body(download(lead_client, analysis, "html"))


def test_the_command_takes_the_same_choices(lead_client, analysis, tmp_path):
    a = analysis
    path = tmp_path / "report.docx"
    call_command("export_study", a.study.pk, "--format", "docx", "-o", str(path), "--round", "1", "--team", "1",
                 "--area", "samverkan", "--verbatim")
    downloaded = download(lead_client, a, "docx", round=a.round1.pk, team=a.team1.pk,
                          area=a.areas["samverkan"].pk, text="verbatim")
    assert paragraphs(read_docx(path.read_bytes())) == paragraphs(read_docx(body(downloaded)))
    assert ("Quote", VERBATIM_QUOTE) in paragraphs(read_docx(path.read_bytes()))
    assert ("Quote", ROUND2_QUOTE) not in paragraphs(read_docx(path.read_bytes()))
    event = AuditEvent.objects.filter(action="export_downloaded").order_by("pk").first()
    assert event.detail == {"format": "docx", "via": "command"}


def test_the_command_rejects_unknown_choices(analysis, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Unknown round: 7"):
        call_command("export_study", analysis.study.pk, "--format", "csv", "-o", str(tmp_path / "x"), "--round", "7")
    with pytest.raises(CommandError):
        call_command("export_study", 999999, "--format", "csv", "-o", str(tmp_path / "x"))
