"""The summary page: matrices, heatmap, cell quotes (htmx and full page), charts, filters,
permissions and a query count that stays flat as the data grows."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from pytest_django.asserts import assertTemplateUsed

from transcripts.models import AttributionFormat

from .builders import DELAKTIGHET_QUOTE, VERBATIM_QUOTE, WITHDRAWN_TEXT, add_codings, build_analysis

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysis(world):
    return build_analysis(world)


def _summary(client, analysis, **params):
    return client.get(reverse("coding:summary", args=[analysis.study.pk]), params)


def _cell_url(analysis, round_, team, area_slug, **filters):
    params = {"cell_round": round_.pk, "cell_team": team.pk, "cell_area": analysis.areas[area_slug].pk, **filters}
    return reverse("coding:summary_cell", args=[analysis.study.pk]), params


def _cells(content: str) -> list[str]:
    """The printed numbers of the heatmap cells, in page order."""
    return re.findall(r'<span class="cell-count">(\d+)</span>', content)


def test_it_shows_the_matrix_per_round_with_counts_shares_and_heat(client, world, analysis):
    client.force_login(world.users["coresearcher"])
    response = _summary(client, analysis)
    content = response.content.decode()
    assert response.status_code == 200
    assertTemplateUsed(response, "coding/summary.html")
    # Round 1: team 1 (2, 0, 1, 0, 0), team 2 (1, 0, 0, 0, 0); round 2: team 1 (1, 0, 0, 0, 0), team 2 no transcript
    assert _cells(content) == ["2", "0", "1", "0", "0", "1", "0", "0", "0", "0", "1", "0", "0", "0", "0"]
    assert "67 %" in content and "33 %" in content
    assert "heat-9" in content and "heat-0" in content
    assert "heat-none" in content  # team 2, round 2: no transcript
    assert "/static/css/summary.css" in content
    assert WITHDRAWN_TEXT not in content


def test_it_compares_the_rounds(client, world, analysis):
    client.force_login(world.users["coresearcher"])
    content = _summary(client, analysis).content.decode()
    assert 'class="table comparison"' in content
    assert "2 → 1" in content and "▼ -1" in content


def test_it_draws_the_charts_as_svg_with_numbers_and_titles(client, world, analysis):
    client.force_login(world.users["coresearcher"])
    content = _summary(client, analysis).content.decode()
    assert content.count('<svg class="bar-chart" role="img"') == 2
    assert "<title>Samverkan, Omgång 1: 3</title>" in content
    assert "<title>Gemensam planering: 4</title>" in content
    assert "<title>Individen i centrum: 1</title>" in content
    assert "Kasserat tema" not in content.split('id="charts-heading"')[1]
    assert "style=" not in content and "<script>" not in content


def test_it_filters_the_matrix(client, world, analysis):
    client.force_login(world.users["coresearcher"])
    content = _summary(client, analysis, team=analysis.team2.pk).content.decode()
    assert _cells(content) == ["1", "0", "0", "0", "0"]
    content = _summary(client, analysis, profession="arbetsterapeut").content.decode()
    assert _cells(content)[:5] == ["1", "0", "1", "0", "0"]
    content = _summary(client, analysis, theme=analysis.themes["person"].pk).content.decode()
    assert _cells(content)[:5] == ["0", "0", "1", "0", "0"]
    content = _summary(client, analysis, round=analysis.round2.pk).content.decode()
    assert _cells(content) == ["1", "0", "0", "0", "0"]
    assert 'class="table comparison"' not in content


def test_it_reports_an_invalid_filter_and_ignores_it(client, world, analysis):
    client.force_login(world.users["coresearcher"])
    response = _summary(client, analysis, team=999999)
    assert response.status_code == 200
    assert len(_cells(response.content.decode())) == 15


def test_it_lists_a_cells_quotes_for_htmx(client, world, analysis):
    client.force_login(world.users["coresearcher"])
    url, params = _cell_url(analysis, analysis.round1, analysis.team1, "samverkan")
    response = client.get(url, params, headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assertTemplateUsed(response, "cell-quotes")  # Django 6.0 records a partial under its own name
    assert "<html" not in content
    assert VERBATIM_QUOTE in content
    assert "(Arbetsterapeut, team 1)" in content and "(Sjuksköterska, team 1)" in content
    transcript = analysis.transcripts["t1r1"]
    assert f'href="{transcript.get_absolute_url()}#c-{analysis.codings["t1r1_at"].pk}"' in content
    assert DELAKTIGHET_QUOTE not in content


def test_it_shows_the_cell_on_the_full_page_without_htmx(client, world, analysis):
    client.force_login(world.users["coresearcher"])
    url, params = _cell_url(analysis, analysis.round1, analysis.team1, "delaktighet")
    content = client.get(url, params).content.decode()
    assert "<html" in content and 'id="cell-panel"' in content
    assert DELAKTIGHET_QUOTE in content and "(Arbetsterapeut, team 1)" in content
    assert len(_cells(content)) == 15


def test_it_applies_the_filters_to_the_cell_and_the_attribution_format(client, world, analysis):
    analysis.study.attribution_format = AttributionFormat.ROLE_ONLY
    analysis.study.save()
    client.force_login(world.users["coresearcher"])
    url, params = _cell_url(analysis, analysis.round1, analysis.team1, "samverkan",
                            profession="sjuksköterska")
    content = client.get(url, params, headers={"HX-Request": "true"}).content.decode()
    assert "(Sjuksköterska)" in content and VERBATIM_QUOTE not in content


def test_it_never_lists_a_withdrawn_participants_words_in_a_cell(client, world, analysis):
    client.force_login(world.users["lead"])
    url, params = _cell_url(analysis, analysis.round2, analysis.team1, "delaktighet")
    content = client.get(url, params, headers={"HX-Request": "true"}).content.decode()
    assert WITHDRAWN_TEXT not in content
    assert '<ol class="quote-list">' not in content


def test_it_404s_for_a_cell_of_another_study(client, world, analysis):
    client.force_login(world.users["coresearcher"])
    url = reverse("coding:summary_cell", args=[analysis.study.pk])
    params = {"cell_round": world.other_ids["round_id"], "cell_team": analysis.team1.pk,
              "cell_area": analysis.areas["samverkan"].pk}
    assert client.get(url, params).status_code == 404
    assert client.get(url, {"cell_round": "x"}).status_code == 404


def test_it_hides_the_summary_from_outsiders(client, world, analysis):
    client.force_login(world.users["outsider"])
    assert _summary(client, analysis).status_code == 404
    url, params = _cell_url(analysis, analysis.round1, analysis.team1, "samverkan")
    assert client.get(url, params).status_code == 404


def test_it_shows_the_word_report_link_to_leads_only(client, world, analysis):
    client.force_login(world.users["lead"])
    assert reverse("coding:export_download", args=[analysis.study.pk]) in _summary(client, analysis).content.decode()
    client.force_login(world.users["coresearcher"])
    assert reverse("coding:export_download", args=[analysis.study.pk]) not in _summary(
        client, analysis).content.decode()


def test_it_links_summary_and_export_in_the_study_navigation(client, world, analysis):
    client.force_login(world.users["lead"])
    content = _summary(client, analysis).content.decode()
    nav = content.split('class="study-nav"')[1].split("</nav>")[0]
    summary_url = reverse("coding:summary", args=[analysis.study.pk])
    assert f'href="{summary_url}" aria-current="page"' in nav
    assert reverse("coding:export", args=[analysis.study.pk]) in nav


def test_it_shows_only_own_codings_to_co_researchers_under_blind_coding(client, world, analysis):
    analysis.study.blind_coding = True
    analysis.study.save()
    client.force_login(world.users["coresearcher"])
    assert set(_cells(_summary(client, analysis).content.decode())) == {"0"}
    client.force_login(world.users["lead"])
    assert "2" in _cells(_summary(client, analysis).content.decode())


@pytest.mark.parametrize("extra", [0, 55])
def test_it_keeps_the_query_count_flat(client, world, analysis, extra, django_assert_num_queries):
    """5 and 60 codings: the same number of queries."""
    add_codings(analysis, extra)
    client.force_login(world.users["lead"])
    _summary(client, analysis)  # the first request after login refreshes the session once
    # session, user, membership with its study, areas, rounds, teams, themes, codes, professions, coders,
    # counts (grouped count, transcripts, codes), interviews with transcripts, theme counts and links,
    # withdrawn participants and spans
    with django_assert_num_queries(18):
        response = _summary(client, analysis)
    assert sum(int(n) for n in _cells(response.content.decode())) == 5 + extra


@pytest.mark.parametrize("extra", [0, 55])
def test_it_keeps_the_cell_query_count_flat(client, world, analysis, extra, django_assert_num_queries):
    add_codings(analysis, extra)
    client.force_login(world.users["lead"])
    url, params = _cell_url(analysis, analysis.round1, analysis.team2, "samverkan")
    client.get(url, params, headers={"HX-Request": "true"})
    # as the summary, plus round, team, area and the cell's passages (and their withdrawn spans)
    with django_assert_num_queries(24):
        client.get(url, params, headers={"HX-Request": "true"})
