"""Counts and cell quotes for the summary page and the exports.

What is counted: a *passage* is one Coding row, i.e. one application of a code by one
coder. A span coded with two codes, or coded by two coders, counts twice. Every count
starts from `Coding.objects.counted()`, so passages touching the words of a participant
who withdrew consent are never counted, listed or exported.

Every function here runs a fixed number of queries, whatever the amount of data: the
grouping happens in the database (`values().annotate(Count())`) and the matrices are
filled in Python from the grouped rows.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count

from transcripts.models import AttributionFormat, Interview, Round, Study, Team, Transcript, Turn

from .models import Area, Code, Coding, CodingQuerySet, ThemeCode

HEAT_LEVELS = 10  # CSS classes heat-0 … heat-9
_TRAILING_NUMBER = re.compile(r"\s+\d+$")


@dataclass(frozen=True)
class CodingFilter:
    """Which counted codings to include. Empty tuples mean "all"."""

    round_ids: tuple[int, ...] = ()
    team_ids: tuple[int, ...] = ()
    area_ids: tuple[int, ...] = ()
    theme_ids: tuple[int, ...] = ()
    code_ids: tuple[int, ...] = ()
    coder_ids: tuple[int, ...] = ()
    professions: tuple[str, ...] = ()


def study_codings(study: Study, flt: CodingFilter | None = None) -> CodingQuerySet:
    """The study's counted codings narrowed by the filter (no query runs here)."""
    flt = flt or CodingFilter()
    # Codes, not transcripts, pick the study: counts then run as index-only scans over the
    # (code, transcript) index instead of joining every coding to its interview.
    codings = Coding.objects.filter(code_id__in=Code.objects.filter(study=study).values("pk")).counted()
    if flt.round_ids:
        codings = codings.filter(transcript__interview__round_id__in=flt.round_ids)
    if flt.team_ids:
        codings = codings.filter(transcript__interview__team_id__in=flt.team_ids)
    if flt.area_ids:
        codings = codings.filter(code__area_id__in=flt.area_ids)
    if flt.code_ids:
        codings = codings.filter(code_id__in=flt.code_ids)
    if flt.coder_ids:
        codings = codings.filter(coder_id__in=flt.coder_ids)
    if flt.professions:
        codings = codings.filter(turn__participant__profession__in=flt.professions)
    if flt.theme_ids:
        # A subquery, not a join: the theme counts below join ThemeCode themselves.
        linked = ThemeCode.objects.filter(theme_id__in=flt.theme_ids, theme__study=study).values("code_id")
        codings = codings.filter(code_id__in=linked)
    return codings


# --- attribution -------------------------------------------------------------------------

def speaker_role(turn: Turn) -> str:
    """The role a quote is attributed to: the participant's role label without a trailing
    number ("Sjuksköterska 2" → "Sjuksköterska"); interviewer and assistant turns keep
    their speaker label."""
    participant = turn.participant if turn.participant_id else None
    if participant is not None:
        return role_without_number(participant.role_label)
    return turn.speaker_label


def role_without_number(label: str) -> str:
    return _TRAILING_NUMBER.sub("", label.strip())


def format_attribution(role: str, team_number: int | None, attribution_format: str) -> str:
    """"(Arbetsterapeut, team 1)" or "(Arbetsterapeut)", as the study's setting says.

    Not translated: the form is the research report's convention, the same in every UI language.
    """
    if attribution_format == AttributionFormat.ROLE_ONLY or team_number is None:
        return f"({role})"
    return f"({role}, team {team_number})"


def coding_attribution(coding: Coding, attribution_format: str) -> str:
    """Needs coding.turn.participant and coding.transcript.interview.team loaded."""
    return format_attribution(speaker_role(coding.turn), coding.transcript.interview.team.number,
                              attribution_format)


# --- counts ------------------------------------------------------------------------------

def counts_by_transcript_and_code(codings: CodingQuerySet) -> dict[tuple[int, int], int]:
    """{(transcript_id, code_id): passages}, grouped over the (code, transcript) index."""
    rows = codings.order_by().values("transcript_id", "code_id").annotate(n=Count("code")).values_list(
        "transcript_id", "code_id", "n")
    return {(transcript_id, code_id): n for transcript_id, code_id, n in rows}


def counts_by_cell(codings: CodingQuerySet) -> dict[tuple[int, int, int], int]:
    """{(round_id, team_id, area_id): passages}: one grouped count, then the few transcripts
    and codes it names are placed by two small lookups."""
    pairs = counts_by_transcript_and_code(codings)
    places = {pk: (round_id, team_id) for pk, round_id, team_id in Transcript.objects.filter(
        pk__in={t for t, _c in pairs}).values_list("pk", "interview__round_id", "interview__team_id")}
    areas = dict(Code.objects.filter(pk__in={c for _t, c in pairs}).values_list("pk", "area_id"))
    counts: dict[tuple[int, int, int], int] = defaultdict(int)
    for (transcript_id, code_id), n in pairs.items():
        round_id, team_id = places[transcript_id]
        counts[(round_id, team_id, areas[code_id])] += n
    return dict(counts)


def counts_by_theme(codings: CodingQuerySet) -> dict[int, int]:
    """{theme_id: passages coded with any of the theme's codes}: counts per code, summed
    over each theme's codes."""
    per_code = dict(codings.order_by().values("code_id").annotate(n=Count("code")).values_list("code_id", "n"))
    totals: dict[int, int] = defaultdict(int)
    for theme_id, code_id in ThemeCode.objects.filter(code_id__in=per_code).values_list("theme_id", "code_id"):
        totals[theme_id] += per_code[code_id]
    return dict(totals)


def heat_level(count: int, maximum: int) -> int:
    """0 for nothing, otherwise 1…9 in proportion to the largest cell."""
    if count <= 0 or maximum <= 0:
        return 0
    return max(1, min(HEAT_LEVELS - 1, math.ceil((HEAT_LEVELS - 1) * count / maximum)))


@dataclass
class Cell:
    round: Round
    team: Team
    area: Area
    count: int
    row_total: int
    available: bool  # the team has a published transcript in this round
    heat: int = 0

    @property
    def share(self) -> float | None:
        """The cell's part of the row: the team's passages in that round."""
        return self.count / self.row_total if self.row_total else None

    @property
    def percent(self) -> int | None:
        share = self.share
        return None if share is None else round(share * 100)


@dataclass
class Row:
    team: Team
    cells: list[Cell]
    total: int
    available: bool


@dataclass
class RoundMatrix:
    round: Round
    areas: list[Area]
    rows: list[Row]
    column_totals: list[int]
    total: int


@dataclass
class DeltaCell:
    area: Area
    first: int
    second: int

    @property
    def difference(self) -> int:
        return self.second - self.first

    @property
    def direction(self) -> str:
        return "up" if self.difference > 0 else "down" if self.difference < 0 else "same"


@dataclass
class DeltaRow:
    team: Team
    cells: list[DeltaCell]
    first_total: int
    second_total: int

    @property
    def difference(self) -> int:
        return self.second_total - self.first_total


@dataclass
class Comparison:
    first: Round
    second: Round
    areas: list[Area]
    rows: list[DeltaRow]


def available_cells(study: Study) -> set[tuple[int, int]]:
    """{(round_id, team_id)} of interviews with a published transcript: one query."""
    return set(
        Interview.objects.filter(team__study=study, transcript__isnull=False).values_list("round_id", "team_id")
    )


def round_matrices(
    counts: dict[tuple[int, int, int], int],
    *,
    rounds: Iterable[Round],
    teams: Iterable[Team],
    areas: Iterable[Area],
    available: set[tuple[int, int]] | None = None,
) -> list[RoundMatrix]:
    """One team × area matrix per round. Heat levels share one scale across the rounds,
    so the same shade means the same amount in every matrix."""
    teams, areas = list(teams), list(areas)
    matrices = []
    for round_ in rounds:
        rows = []
        for team in teams:
            counts_in_row = [counts.get((round_.pk, team.pk, area.pk), 0) for area in areas]
            row_total = sum(counts_in_row)
            has_transcript = available is None or (round_.pk, team.pk) in available or row_total > 0
            cells = [Cell(round=round_, team=team, area=area, count=n, row_total=row_total,
                          available=has_transcript) for area, n in zip(areas, counts_in_row, strict=True)]
            rows.append(Row(team=team, cells=cells, total=row_total, available=has_transcript))
        column_totals = [sum(row.cells[i].count for row in rows) for i in range(len(areas))]
        matrices.append(RoundMatrix(round=round_, areas=areas, rows=rows, column_totals=column_totals,
                                    total=sum(column_totals)))
    maximum = max((cell.count for m in matrices for row in m.rows for cell in row.cells), default=0)
    for matrix in matrices:
        for row in matrix.rows:
            for cell in row.cells:
                cell.heat = heat_level(cell.count, maximum)
    return matrices


def compare(first: RoundMatrix, second: RoundMatrix) -> Comparison:
    """Round 1 against round 2, cell by cell, for the teams with a transcript in both rounds
    (a team missing from one round would otherwise look like a drop to zero)."""
    second_rows = {row.team.pk: row for row in second.rows}
    rows = []
    for row in first.rows:
        other = second_rows.get(row.team.pk)
        if other is None or not (row.available and other.available):
            continue
        cells = [DeltaCell(area=a.area, first=a.count, second=b.count)
                 for a, b in zip(row.cells, other.cells, strict=True)]
        rows.append(DeltaRow(team=row.team, cells=cells, first_total=row.total, second_total=other.total))
    return Comparison(first=first.round, second=second.round, areas=first.areas, rows=rows)


def area_round_totals(counts: dict[tuple[int, int, int], int]) -> dict[tuple[int, int], int]:
    """{(area_id, round_id): passages} summed from the cell counts (no query)."""
    totals: dict[tuple[int, int], int] = {}
    for (round_id, _team_id, area_id), n in counts.items():
        totals[(area_id, round_id)] = totals.get((area_id, round_id), 0) + n
    return totals


def cell_codings(study: Study, flt: CodingFilter, *, round_id: int, team_id: int, area_id: int) -> CodingQuerySet:
    """The passages behind one matrix cell, ready for listing with attributions."""
    return (
        study_codings(study, flt)
        .filter(transcript__interview__round_id=round_id, transcript__interview__team_id=team_id,
                code__area_id=area_id)
        .select_related("turn__participant", "code__parent", "coder", "transcript__interview__team",
                        "transcript__interview__round")
        .order_by("transcript_id", "start", "end", "id")
    )
