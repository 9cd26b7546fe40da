"""Counting rules: counted codings only, team × area per round, shares, heat, comparison."""

from __future__ import annotations

import pytest

from coding.aggregation import (
    CodingFilter,
    available_cells,
    cell_codings,
    coding_attribution,
    compare,
    counts_by_cell,
    counts_by_theme,
    format_attribution,
    heat_level,
    role_without_number,
    round_matrices,
    study_codings,
)
from coding.models import Area
from transcripts.models import AttributionFormat

from .builders import add_codings, build_analysis

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysis(world):
    return build_analysis(world)


def _matrices(analysis, flt=None):
    counts = counts_by_cell(study_codings(analysis.study, flt))
    return round_matrices(counts, rounds=[analysis.round1, analysis.round2], teams=[analysis.team1, analysis.team2],
                          areas=list(Area.objects.all()), available=available_cells(analysis.study))


def test_it_counts_codings_per_round_team_and_area(analysis):
    a = analysis
    counts = counts_by_cell(study_codings(a.study))
    assert counts == {
        (a.round1.pk, a.team1.pk, a.areas["samverkan"].pk): 2,
        (a.round1.pk, a.team1.pk, a.areas["delaktighet"].pk): 1,
        (a.round2.pk, a.team1.pk, a.areas["samverkan"].pk): 1,
        (a.round1.pk, a.team2.pk, a.areas["samverkan"].pk): 1,
    }


def test_it_leaves_out_the_withdrawn_participants_words(analysis):
    codings = study_codings(analysis.study)
    assert analysis.codings["t1r2_withdrawn"] not in codings
    assert all("HEMLIGT" not in text for text in codings.values_list("text", flat=True))
    round2 = _matrices(analysis)[1]
    assert [c.count for c in round2.rows[0].cells] == [1, 0, 0, 0, 0]


def test_it_ignores_other_studies(analysis, world):
    from tests.coding.builders import code_turn
    from tests.factories import CodeFactory
    from transcripts.models import Transcript

    other_transcript = Transcript.objects.get(pk=world.other_ids["transcript_id"])
    code_turn(other_transcript, 2, CodeFactory(study=world.other_study), analysis.coder)
    assert sum(counts_by_cell(study_codings(analysis.study)).values()) == 5


def test_it_builds_matrices_with_shares_totals_and_availability(analysis):
    round1, round2 = _matrices(analysis)
    team1 = round1.rows[0]
    assert team1.total == 3
    assert [c.count for c in team1.cells] == [2, 0, 1, 0, 0]
    assert team1.cells[0].percent == 67 and team1.cells[2].percent == 33
    assert round1.column_totals == [3, 0, 1, 0, 0] and round1.total == 4
    assert round2.rows[1].available is False  # team 2 has no round-2 transcript
    assert round2.rows[0].available is True
    assert team1.cells[0].heat == 9 and team1.cells[2].heat == 5 and team1.cells[1].heat == 0


def test_it_compares_round_one_with_round_two(analysis):
    round1, round2 = _matrices(analysis)
    comparison = compare(round1, round2)
    assert [row.team for row in comparison.rows] == [analysis.team1]  # team 2 has no round-2 transcript
    samverkan = comparison.rows[0].cells[0]
    assert (samverkan.first, samverkan.second, samverkan.difference, samverkan.direction) == (2, 1, -1, "down")
    assert comparison.rows[0].difference == -2


def test_it_filters_by_round_team_code_coder_profession_and_theme(analysis):
    a = analysis
    total = lambda flt: sum(counts_by_cell(study_codings(a.study, flt)).values())  # noqa: E731
    assert total(CodingFilter(round_ids=(a.round2.pk,))) == 1
    assert total(CodingFilter(team_ids=(a.team2.pk,))) == 1
    assert total(CodingFilter(code_ids=(a.codes["delaktighet"].pk,))) == 1
    assert total(CodingFilter(coder_ids=(a.coder.pk,))) == 5
    assert total(CodingFilter(professions=("arbetsterapeut",))) == 2
    assert total(CodingFilter(theme_ids=(a.themes["person"].pk,))) == 1
    assert total(CodingFilter(theme_ids=(a.themes["planning"].pk,))) == 4
    assert total(CodingFilter(area_ids=(a.areas["delaktighet"].pk,))) == 1


def test_it_counts_passages_per_theme(analysis):
    a = analysis
    counts = counts_by_theme(study_codings(a.study))
    assert counts[a.themes["planning"].pk] == 4
    assert counts[a.themes["person"].pk] == 1  # the withdrawn passage is not counted
    assert counts[a.themes["sub"].pk] == 1


def test_it_lists_a_cells_passages_with_attribution(analysis):
    a = analysis
    codings = list(cell_codings(a.study, CodingFilter(), round_id=a.round1.pk, team_id=a.team1.pk,
                                area_id=a.areas["samverkan"].pk))
    assert [c.pk for c in codings] == [a.codings["t1r1_at"].pk, a.codings["t1r1_ssk"].pk]
    assert coding_attribution(codings[0], AttributionFormat.ROLE_AND_TEAM) == "(Arbetsterapeut, team 1)"
    assert coding_attribution(codings[0], AttributionFormat.ROLE_ONLY) == "(Arbetsterapeut)"


def test_it_strips_the_number_from_a_role_label():
    assert role_without_number("Sjuksköterska 2") == "Sjuksköterska"
    assert role_without_number("Arbetsterapeut") == "Arbetsterapeut"
    assert format_attribution("Sjuksköterska", 3, AttributionFormat.ROLE_AND_TEAM) == "(Sjuksköterska, team 3)"


def test_it_scales_heat_from_one_to_nine():
    assert heat_level(0, 10) == 0
    assert heat_level(1, 100) == 1
    assert heat_level(50, 100) == 5
    assert heat_level(100, 100) == 9


def test_it_counts_in_a_constant_number_of_queries(analysis, django_assert_num_queries):
    add_codings(analysis, 40)
    # each: withdrawn participants and their turns' spans; cells: one grouped count and two small
    # lookups (transcripts, codes); themes: one grouped count and the theme links
    with django_assert_num_queries(9):
        counts = counts_by_cell(study_codings(analysis.study))
        counts_by_theme(study_codings(analysis.study))
    assert sum(counts.values()) == 45
