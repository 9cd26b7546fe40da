"""Coded passages as rows: Excel (.xlsx, two sheets) and CSV.

One row per counted coding. The lookups (teams, codes, themes, quotes) are read once
up front; the codings themselves come from one `values_list()` query read with
`.iterator(chunk_size=2000)`, so 40,000 passages stream without holding model instances.

Excel: written by xlsx_writer (zipfile and hand-written SpreadsheetML, not openpyxl), row by
row as the query yields them; the "Antal" sheet is counted from the same rows on the way.

CSV: UTF-8 with a byte-order mark and `;` as separator, which is what Excel with Swedish
regional settings opens correctly on a double click. Both formats neutralise cells that a
spreadsheet would run as formulas (see common.neutralise).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import BinaryIO

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from transcripts.models import Study, Team

from ..aggregation import available_cells, role_without_number, round_matrices, study_codings
from ..models import Area, Code, Quote, ThemeCode, ThemeStatus
from .common import ExportOptions, count_matrices, neutralise, selected_areas, selected_rounds, selected_teams
from .xlsx_writer import XlsxWriter

CSV_DELIMITER = ";"
# The sheet names are fixed (not translated) so that scripts reading the workbook can rely on them.
ROWS_SHEET = "Kodade avsnitt"
COUNTS_SHEET = "Antal"
CHUNK_SIZE = 2000

# (header, column width in Excel)
COLUMNS = [
    (gettext_lazy("Study"), 28),
    (gettext_lazy("Round"), 8),
    (gettext_lazy("Team"), 7),
    (gettext_lazy("Municipality size"), 16),
    (gettext_lazy("Type of collaboration"), 24),
    (gettext_lazy("Professions"), 30),
    (gettext_lazy("Service area"), 24),
    (gettext_lazy("Team status"), 12),
    (gettext_lazy("Interview date"), 12),
    (gettext_lazy("Speaker"), 18),
    (gettext_lazy("Profession"), 18),
    (gettext_lazy("Area"), 20),
    (gettext_lazy("Code"), 32),
    (gettext_lazy("Themes"), 32),
    (gettext_lazy("Coder"), 14),
    (gettext_lazy("Verbatim text"), 60),
    (gettext_lazy("Edited text"), 60),
    (gettext_lazy("Key quote"), 9),
    (gettext_lazy("Transcript id"), 10),
    (gettext_lazy("Start"), 8),
    (gettext_lazy("End"), 8),
    (gettext_lazy("Created"), 20),
]

ROW_FIELDS = (
    "transcript__interview__round_id", "transcript__interview__round__number", "transcript__interview__team_id",
    "transcript__interview__date", "turn__speaker_label", "turn__participant__role_label",
    "turn__participant__profession", "code_id", "coder__username", "text", "pk", "transcript_id", "start", "end",
    "created_at",
)


def header_row() -> list[str]:
    return [str(title) for title, _width in COLUMNS]


def coding_rows(study: Study, options: ExportOptions, *,
                counts: dict[tuple[int, int, int], int] | None = None) -> Iterator[list]:
    """The data rows (not neutralised). The lookups run now; the codings as it is iterated.

    Given a `counts` dict, the rows are also counted into it as they pass, keyed like
    aggregation.counts_by_cell(): {(round_id, team_id, area_id): passages}. The Excel export
    builds its "Antal" sheet from that instead of a second query over the same passages."""
    teams = {team.pk: _team_columns(team) for team in Team.objects.filter(study=study).select_related(
        "service_area")}
    areas = {area.pk: area.name for area in Area.objects.all()}
    codes = {code.pk: code for code in Code.objects.filter(study=study)}
    themes_by_code: dict[int, list[str]] = {}
    for code_id, name in (ThemeCode.objects.filter(theme__study=study).exclude(theme__status=ThemeStatus.DISCARDED)
                          .order_by("theme__name").values_list("code_id", "theme__name")):
        themes_by_code.setdefault(code_id, []).append(name)
    edited: dict[int, str] = {}
    key: set[int] = set()
    for coding_id, edited_text, is_key in (Quote.objects.filter(theme__study=study).order_by("marked_at", "pk")
                                           .values_list("coding_id", "edited_text", "is_key")):
        if edited_text.strip():
            edited.setdefault(coding_id, edited_text)
        if is_key:
            key.add(coding_id)
    yes, no = _("yes"), _("no")
    codings = (
        study_codings(study, options.coding_filter())
        .order_by("transcript__interview__round__number", "transcript__interview__team__number", "transcript_id",
                  "start", "pk")
        .values_list(*ROW_FIELDS)
    )
    return _rows(codings, study=study, teams=teams, areas=areas, codes=codes, themes_by_code=themes_by_code,
                 edited=edited, key=key, yes=yes, no=no, counts=counts)


def _rows(codings, *, study, teams, areas, codes, themes_by_code, edited, key, yes, no, counts) -> Iterator[list]:
    study_name = study.name
    tz = timezone.get_current_timezone()  # what timezone.localtime() would use, looked up once
    by_code: dict[int, tuple[str, str, str]] = {}  # code id → area name, code path, themes
    roles: dict[str, str] = {}
    dates: dict = {None: ""}
    for (round_id, round_number, team_id, interview_date, speaker_label, role_label, profession, code_id, coder, text,
         pk, transcript_id, start, end, created_at) in codings.iterator(chunk_size=CHUNK_SIZE):
        code_columns = by_code.get(code_id)
        if code_columns is None:
            code = codes[code_id]
            code_columns = by_code[code_id] = (
                areas.get(code.area_id, ""), _code_path(code, codes), ", ".join(themes_by_code.get(code_id, [])))
        if role_label:
            role = roles.get(role_label)
            if role is None:
                role = roles[role_label] = role_without_number(role_label)
        else:
            role = speaker_label
        if counts is not None:
            cell = (round_id, team_id, codes[code_id].area_id)
            counts[cell] = counts.get(cell, 0) + 1
        date = dates.get(interview_date)
        if date is None:
            date = dates[interview_date] = interview_date.isoformat()
        yield [
            study_name,
            round_number,
            *teams[team_id],
            date,
            role,
            profession or "",
            *code_columns,
            coder,
            text,
            edited.get(pk, ""),
            yes if pk in key else no,
            transcript_id,
            start,
            end,
            created_at.astimezone(tz).isoformat(timespec="seconds"),
        ]


def _team_columns(team) -> list:
    return [
        team.number,
        str(team.get_size_class_display()),
        str(team.get_collaboration_type_display()),
        team.professions,
        team.service_area.name if team.service_area else "",
        str(team.get_status_display()),
    ]


def _code_path(code: Code, codes: dict[int, Code]) -> str:
    names = [code.name]
    seen = {code.pk}
    parent_id = code.parent_id
    while parent_id and parent_id in codes and parent_id not in seen:
        seen.add(parent_id)
        names.append(codes[parent_id].name)
        parent_id = codes[parent_id].parent_id
    return " / ".join(reversed(names))


def counts_rows(study: Study, options: ExportOptions,
                counts: dict[tuple[int, int, int], int] | None = None) -> list[list]:
    """The "Antal" sheet: for each round a title line, a header, a row per team, a total.

    `counts` are the passages per (round_id, team_id, area_id) when already counted (see
    coding_rows); without them they are counted in the database."""
    areas = selected_areas(options)
    rounds = selected_rounds(study, options)
    teams = selected_teams(study, options)
    if counts is None:
        matrices = count_matrices(study, options, areas=areas, rounds=rounds, teams=teams)
    else:
        matrices = round_matrices(counts, rounds=rounds, teams=teams, areas=areas, available=available_cells(study))
    rows: list[list] = []
    for matrix in matrices:
        if rows:
            rows.append([])
        rows.append([str(matrix.round)])
        rows.append([_("Team"), *[area.name for area in areas], _("Total")])
        for row in matrix.rows:
            if row.available:
                rows.append([row.team.number, *[cell.count for cell in row.cells], row.total])
        rows.append([_("Total"), *matrix.column_totals, matrix.total])
    return rows


# --- Excel ---------------------------------------------------------------------------------------

def write_xlsx(study: Study, options: ExportOptions, out: BinaryIO) -> None:
    """Two sheets, streamed: the coded passages (bold, frozen header) and the counts.

    Every string is neutralised as in the CSV (see common.neutralise), after the characters
    XML cannot hold are removed; a text over Excel's 32,767-character cell limit is cut with a
    visible marker (see xlsx_writer)."""
    with XlsxWriter(out) as book:
        sheet = book.add_sheet(ROWS_SHEET, widths=[width for _title, width in COLUMNS], freeze="A2",
                               text_filter=neutralise)
        sheet.write_row(header_row(), bold=True)
        counts: dict[tuple[int, int, int], int] = {}
        sheet.write_rows(coding_rows(study, options, counts=counts))
        counts_sheet = book.add_sheet(COUNTS_SHEET, widths=[16, *[22] * 7], text_filter=neutralise)
        counts_sheet.write_rows(counts_rows(study, options, counts))


# --- CSV ---------------------------------------------------------------------------------------------

class _Line:
    """A file-like object whose write() returns what it was given (for csv.writer)."""

    def write(self, value: str) -> str:
        return value


def iter_csv(study: Study, options: ExportOptions) -> Iterator[bytes]:
    """The CSV as encoded chunks. Lookups and header are made now, in the caller's language;
    the rows follow as the response is streamed."""
    header = header_row()
    rows = coding_rows(study, options)
    return _csv_chunks(header, rows, translation.get_language())


def _csv_chunks(header: list[str], rows: Iterator[list], language: str | None) -> Iterator[bytes]:
    writer = csv.writer(_Line(), delimiter=CSV_DELIMITER)
    yield ("\ufeff" + writer.writerow(header)).encode("utf-8")
    with translation.override(language):
        batch: list[str] = []
        for row in rows:
            batch.append(writer.writerow([neutralise(value) for value in row]))
            if len(batch) >= 500:
                yield "".join(batch).encode("utf-8")
                batch = []
        if batch:
            yield "".join(batch).encode("utf-8")


def write_csv(study: Study, options: ExportOptions, out: BinaryIO) -> None:
    for chunk in iter_csv(study, options):
        out.write(chunk)

