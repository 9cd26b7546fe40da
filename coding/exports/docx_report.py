"""The theme summary as a Word document, laid out like the programme's reports.

Title page (study, date, current phase), then per area: the area name (Heading 1), the
round's prompt quote (indented italic, style "Prompt Quote"), each theme (Heading 2,
sub-themes Heading 3) with its definition and key quotes (style "Quote") each followed by
the attribution (style "Attribution"). Last, the counts table team × area × round.
Real Word styles throughout, so the lead can restyle the whole report in Word at once.
"""

from __future__ import annotations

from typing import BinaryIO

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from transcripts.models import Study

from .common import ExportOptions, Report, ThemeEntry, build_report, xml_safe

QUOTE_STYLE = "Quote"
PROMPT_STYLE = "Prompt Quote"
ATTRIBUTION_STYLE = "Attribution"


def write_docx(study: Study, options: ExportOptions, out: BinaryIO) -> None:
    render_docx(build_report(study, options)).save(out)


def render_docx(report: Report):
    document = Document()
    properties = document.core_properties
    properties.title = xml_safe(f"{report.study.name}: {_('Theme summary')}")
    properties.author = properties.last_modified_by = "NVOS Kodning"
    properties.comments = ""
    _set_up_styles(document)
    _title_page(document, report)
    for section in report.sections:
        document.add_heading(xml_safe(section.area.name), level=1)
        for prompt in section.prompts:
            if report.several_rounds_prompted:
                document.add_paragraph(_("Prompt quote, %(round)s") % {"round": prompt.round}, style="Caption")
            document.add_paragraph(xml_safe(prompt.quote.strip()), style=PROMPT_STYLE)
            if prompt.follow_up.strip():
                paragraph = document.add_paragraph()
                paragraph.add_run(_("Follow-up question:") + " ").bold = True
                paragraph.add_run(xml_safe(prompt.follow_up.strip()))
        if not section.themes:
            document.add_paragraph(_("No themes in this area yet."))
        _themes(document, section.themes, base_level=2)
    if report.spanning_themes:
        document.add_heading(_("Themes spanning several areas"), level=1)
        _themes(document, report.spanning_themes, base_level=2)
    _counts(document, report)
    return document


def _set_up_styles(document) -> None:
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(11)

    quote = styles[QUOTE_STYLE]
    quote.paragraph_format.left_indent = Cm(1.25)
    quote.paragraph_format.right_indent = Cm(1.25)
    quote.paragraph_format.space_after = Pt(2)
    quote.font.italic = False
    quote.font.color.rgb = None

    prompt = styles.add_style(PROMPT_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    prompt.base_style = quote
    prompt.font.italic = True
    prompt.paragraph_format.space_after = Pt(10)

    attribution = styles.add_style(ATTRIBUTION_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    attribution.base_style = normal
    attribution.paragraph_format.left_indent = Cm(1.25)
    attribution.paragraph_format.space_after = Pt(10)
    attribution.paragraph_format.keep_together = True


def _title_page(document, report: Report) -> None:
    document.add_paragraph(xml_safe(report.study.name), style="Title")
    document.add_paragraph(_("Theme summary"), style="Subtitle")
    document.add_paragraph(date_format(report.day, "DATE_FORMAT"))
    if report.phase_label:
        document.add_paragraph(xml_safe(report.phase_label))
    if report.options.verbatim:
        document.add_paragraph(_("Quotes are given verbatim."))
    else:
        document.add_paragraph(_("Quotes are given as edited for readability where an edited version exists, "
                                 "otherwise verbatim."))
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def _themes(document, entries: list[ThemeEntry], *, base_level: int) -> None:
    for entry in entries:
        document.add_heading(xml_safe(entry.theme.name), level=min(base_level + entry.level, 9))
        if entry.theme.definition.strip():
            document.add_paragraph(xml_safe(entry.theme.definition.strip()))
        for quote in entry.quotes:
            paragraph = document.add_paragraph(xml_safe(quote.text), style=QUOTE_STYLE)
            paragraph.paragraph_format.keep_with_next = True
            document.add_paragraph(xml_safe(quote.attribution), style=ATTRIBUTION_STYLE)


def _counts(document, report: Report) -> None:
    document.add_heading(_("Coded passages per team, area and round"), level=1)
    document.add_paragraph(_(
        "A passage is one application of a code to a span of a transcript. Passages touching the words of a "
        "participant who withdrew consent are not counted."
    ))
    areas = report.areas
    table = document.add_table(rows=1, cols=len(areas) + 3)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    _repeat_as_header(header)
    for cell, text in zip(header.cells, [_("Round"), _("Team"), *[a.name for a in areas], _("Total")], strict=True):
        cell.text = xml_safe(text)
        cell.paragraphs[0].runs[0].bold = True
    for matrix in report.matrices:
        for row in matrix.rows:
            if not row.available:
                continue
            _number_row(table, [str(matrix.round), str(row.team), *[c.count for c in row.cells], row.total])
        _number_row(table, [str(matrix.round), _("Total"), *matrix.column_totals, matrix.total], bold=True)


def _number_row(table, values: list, *, bold: bool = False) -> None:
    cells = table.add_row().cells
    for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
        cell.text = xml_safe(value)
        paragraph = cell.paragraphs[0]
        if index >= 2:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if bold and paragraph.runs:
            paragraph.runs[0].bold = True


def _repeat_as_header(row) -> None:
    properties = row._tr.get_or_add_trPr()
    element = OxmlElement("w:tblHeader")
    element.set(qn("w:val"), "true")
    properties.append(element)
