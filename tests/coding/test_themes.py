"""Braun & Clarke in the app: themes from codes, the map, review, versions, phases."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding import themes as theme_ops
from coding.models import Area, Code, Coding, Note, PhaseChange, Quote, Theme, ThemeCode, ThemeVersion
from tests.factories import make_transcript
from transcripts.models import AuditEvent, Participant

pytestmark = pytest.mark.django_db


def url(name, world, **extra):
    return reverse(f"coding:{name}", kwargs={"study_id": world.study.pk, **extra})


@pytest.fixture
def theme(world):
    return Theme.objects.get(study=world.study)


def add_passages(world, code, count, *, round_number=1, team_number=1, speaker="Arbetsterapeut"):
    """`count` codings on a new transcript for the team and round."""
    from tests.factories import InterviewFactory, TeamFactory

    team = world.study.teams.filter(number=team_number).first() or TeamFactory(study=world.study, number=team_number)
    round_ = world.study.rounds.get(number=round_number)
    interview = team.interviews.filter(round=round_).first() or InterviewFactory(team=team, round=round_)
    transcript = getattr(interview, "transcript", None) or make_transcript(
        interview, [(speaker, f"Passage {i} om samverkan mellan yrkesgrupper.") for i in range(count)])
    turns = list(transcript.turns.order_by("position"))
    for turn in turns[:count]:
        Coding.objects.get_or_create(transcript=transcript, code=code, coder=world.users["lead"], start=turn.start,
                                     end=turn.end, defaults={"turn": turn, "text": turn.text})
    return transcript


def test_it_creates_a_theme_with_a_first_version(client, world):
    client.force_login(world.users["coresearcher"])
    response = client.post(url("theme_list", world), {"name": "Tillit i teamet", "area": Area.objects.get(
        slug="samverkan").pk, "status": "kandidat", "definition": "", "includes": "", "excludes": ""})
    theme = Theme.objects.get(name="Tillit i teamet")
    assert response.status_code == 302 and theme.created_by == world.users["coresearcher"]
    assert list(theme.versions.values_list("number", "name")) == [(1, "Tillit i teamet")]


def test_it_keeps_a_version_for_every_change_of_name_or_definition(client, world, theme):
    client.force_login(world.users["lead"])
    data = {"name": "Samverkan i vardagen", "area": theme.area_id, "status": "granskad",
            "definition": "Hur teamet planerar tillsammans", "includes": "", "excludes": "", "version": theme.version}
    client.post(url("theme_detail", world, theme_id=theme.pk), data)
    theme.refresh_from_db()
    assert (theme.name, theme.status, theme.version) == ("Samverkan i vardagen", "granskad", 2)
    version = ThemeVersion.objects.get(theme=theme, number=2)
    assert version.definition == "Hur teamet planerar tillsammans" and version.changed_by == world.users["lead"]


def test_it_refuses_a_stale_edit_instead_of_overwriting(client, world, theme):
    client.force_login(world.users["lead"])
    stale = {"name": "Första", "area": theme.area_id, "status": "kandidat", "definition": "A", "includes": "",
             "excludes": "", "version": theme.version}
    client.post(url("theme_detail", world, theme_id=theme.pk), stale)
    second = {**stale, "name": "Andra", "definition": "B"}  # still the old version number
    response = client.post(url("theme_detail", world, theme_id=theme.pk), second, follow=True)
    assert "Någon annan ändrade temat" in response.content.decode()
    theme.refresh_from_db()
    assert (theme.name, theme.definition) == ("Första", "A")


def test_it_links_and_unlinks_codes_on_the_map_with_htmx(client, world, theme):
    code = Code.objects.create(study=world.study, area=theme.area, name="Morgonmöten")
    client.force_login(world.users["coresearcher"])
    page = client.get(url("thematic_map", world)).content.decode()
    assert "Inte i något tema" in page and "Morgonmöten" in page
    response = client.post(url("theme_code_link", world), {"theme": theme.pk, "code": code.pk, "from": "map"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="map-theme-' in response.content.decode()
    assert ThemeCode.objects.filter(theme=theme, code=code).exists()
    client.post(url("theme_code_link", world), {"theme": theme.pk, "code": code.pk, "action": "unlink", "from": "map"},
                headers={"HX-Request": "true"})
    assert not ThemeCode.objects.filter(theme=theme, code=code).exists()
    foreign = Code.objects.get(study=world.other_study)
    response = client.post(url("theme_code_link", world), {"theme": theme.pk, "code": foreign.pk})
    assert response.status_code == 404


def test_it_lets_one_code_support_several_themes(world, theme):
    code = Code.objects.get(study=world.study)
    other = theme_ops.create_theme(study=world.study, user=world.users["lead"], name="Annat tema", codes=[code])
    assert set(code.themes.all()) == {theme, other}


def test_it_splits_merges_and_discards_themes(world, theme):
    code = Code.objects.get(study=world.study)
    second = Code.objects.create(study=world.study, area=theme.area, name="Korta vägar")
    ThemeCode.objects.create(theme=theme, code=second)
    coding = Coding.objects.get(code=code)
    Quote.objects.create(theme=theme, coding=coding, edited_text="Redigerad")
    new = theme_ops.split_theme(theme=theme, codes=[code], name="Planering", user=world.users["lead"])
    assert list(new.codes.all()) == [code] and list(theme.codes.all()) == [second]
    assert Quote.objects.get(coding=coding).theme == new
    theme_ops.merge_themes(source=new, target=theme, user=world.users["lead"])
    new.refresh_from_db()
    assert new.status == "forkastad" and set(theme.codes.all()) == {code, second}
    assert Quote.objects.get(coding=coding).theme == theme
    assert AuditEvent.objects.filter(action__in=["theme_split", "themes_merged"]).count() == 2


def test_it_lists_passages_by_team_and_round_with_attribution(client, world, theme):
    code = Code.objects.get(study=world.study)
    add_passages(world, code, 3, round_number=2)
    client.force_login(world.users["coresearcher"])
    content = client.get(url("theme_detail", world, theme_id=theme.pk)).content.decode()
    assert "(Arbetsterapeut, team 1)" in content
    assert "Team 1, Omgång 2" in content or "Team 1, Round 2" in content or "Team 1, 2" in content
    assert content.count('class="passage-item') == 4


def test_it_marks_a_key_quote_with_an_edited_version(client, world, theme):
    coding = Coding.objects.get(code__study=world.study)
    client.force_login(world.users["coresearcher"])
    response = client.post(url("quote_update", world, theme_id=theme.pk, coding_id=coding.pk),
                           {"is_key": "on", "edited_text": "Vi planerar dagen ihop."}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Vi planerar dagen ihop." in response.content.decode()
    quote = Quote.objects.get(theme=theme, coding=coding)
    assert quote.is_key and quote.edited_text == "Vi planerar dagen ihop."
    coding.refresh_from_db()
    assert coding.text != quote.edited_text, "the verbatim passage is kept"


def test_it_leaves_withdrawn_participants_out_of_theme_pages_and_counts(client, world, theme):
    coding = Coding.objects.get(code__study=world.study)
    client.force_login(world.users["coresearcher"])
    assert coding.text in client.get(url("theme_detail", world, theme_id=theme.pk)).content.decode()
    Participant.objects.filter(pk=coding.turn.participant_id).update(consent_withdrawn="2026-11-30")
    content = client.get(url("theme_detail", world, theme_id=theme.pk)).content.decode()
    assert coding.text not in content and "0 kodade avsnitt" in content
    assert coding.text not in client.get(url("round_comparison", world) + f"?val=theme-{theme.pk}").content.decode()
    assert "0 avsnitt" in client.get(url("thematic_map", world)).content.decode()


@pytest.mark.parametrize("passages", [2, 60])
def test_it_renders_the_theme_page_and_map_in_constant_queries(client, world, theme, passages,
                                                               django_assert_num_queries):
    code = Code.objects.get(study=world.study)
    for team in (2, 3):
        add_passages(world, code, passages // 2, team_number=team, round_number=1 + team % 2)
    client.force_login(world.users["lead"])
    client.get(url("study_dashboard", world))  # the session's first request also checks two-factor devices
    # session, user, membership with its study, theme, quotes, passages, codes, other codes, other themes,
    # sub-themes, areas (form), parent themes (form), versions, withdrawn spans
    with django_assert_num_queries(14):
        response = client.get(url("theme_detail", world, theme_id=theme.pk))
    assert response.content.decode().count('class="passage-item') == 1 + passages // 2 * 2
    # session, user, membership with its study, withdrawn spans, areas, counts, codes, themes, links
    with django_assert_num_queries(9):
        client.get(url("thematic_map", world))


def test_it_compares_rounds_side_by_side_per_team(client, world, theme):
    code = Code.objects.get(study=world.study)
    add_passages(world, code, 2, round_number=2)
    client.force_login(world.users["coresearcher"])
    content = client.get(url("round_comparison", world) + f"?val=area-{code.area_id}").content.decode()
    assert "1 avsnitt" in content and "2 avsnitt" in content


def test_it_moves_phases_with_notes_and_keeps_the_history(client, world):
    client.force_login(world.users["lead"])
    response = client.post(url("phase_change", world), {"phase": 2, "note": "Alla har läst"})
    page = response.content.decode()
    assert "Transkript som ingen har markerat som lästa" in page, "unread transcripts are warned about"
    world.study.refresh_from_db()
    assert world.study.current_phase == 1
    client.post(url("phase_change", world), {"phase": 2, "note": "Alla har läst", "confirmed": "True"})
    world.study.refresh_from_db()
    assert world.study.current_phase == 2
    change = PhaseChange.objects.get(study=world.study)
    assert (change.from_phase, change.to_phase, change.note, change.changed_by) == (1, 2, "Alla har läst",
                                                                                     world.users["lead"])
    assert "Alla har läst" in client.get(url("study_dashboard", world)).content.decode()
    client.force_login(world.users["coresearcher"])
    assert client.post(url("phase_change", world), {"phase": 3}).status_code == 403


def test_it_warns_about_undefined_codes_and_themes_without_passages(world, theme):
    assert [w.message for w in theme_ops.phase_warnings(world.study, 3)][-1].startswith("Koder utan definition")
    world.study.current_phase = 5
    empty = Theme.objects.create(study=world.study, name="Tomt tema", definition="Något")
    warnings = theme_ops.phase_warnings(world.study, 6)
    names = [label for w in warnings for label, _url in w.items]
    assert "Tomt tema" in names and theme.name in names  # one lacks passages, the other a definition
    Note.objects.create(study=world.study, author=world.users["lead"], kind=Note.Kind.FAMILIARISATION,
                        transcript=Coding.objects.get(code__study=world.study).transcript, is_done=True)
    world.study.current_phase = 1
    assert not any("lästa" in w.message for w in theme_ops.phase_warnings(world.study, 2))
    assert empty.pk
