"""The transcript page and the coding endpoints: offsets, validation, visibility, queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding.codings import CodingError, apply_codings, resolve_span
from coding.models import Area, Code, Coding, CodingChange
from tests.factories import InterviewFactory, MembershipFactory, RoundFactory, TeamFactory, UserFactory, make_transcript
from transcripts.models import Participant, Role

pytestmark = pytest.mark.django_db


def url(name, world, **extra):
    return reverse(f"coding:{name}", kwargs={"study_id": world.study.pk, **extra})


def turn(world, position):
    transcript = world.study.teams.get(number=1).interviews.get(round__number=1).transcript
    return transcript, transcript.turns.get(position=position)


def test_it_renders_turns_with_numbers_speakers_and_codings(client, world):
    transcript, t2 = turn(world, 2)
    client.force_login(world.users["coresearcher"])
    response = client.get(url("transcript_detail", world, transcript_id=transcript.pk))
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="t2"' in content and "Arbetsterapeut" in content
    assert f'<mark class="coded k{Coding.objects.get(transcript=transcript).code_id}" data-o="{t2.start}"' in content
    assert 'id="codebook-data"' in content


def test_it_stores_a_coding_with_offsets_and_a_copy_of_the_passage(client, world):
    transcript, t3 = turn(world, 3)
    code = Code.objects.get(study=world.study)
    client.force_login(world.users["coresearcher"])
    start = t3.start + t3.text.index("planera")
    response = client.post(url("coding_create", world, transcript_id=transcript.pk),
                           {"start": start, "end": start + len("planera tillsammans"), "codes": [code.pk],
                            "text": "planera tillsammans"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    coding = Coding.objects.get(turn=t3)
    assert coding.text == "planera tillsammans" == transcript.text[coding.start:coding.end]
    assert coding.coder == world.users["coresearcher"] and coding.code == code
    assert 'hx-swap-oob="true"' in response.content.decode()
    assert CodingChange.objects.filter(transcript=transcript, first_turn=3, last_turn=3).exists()


def test_it_trims_whitespace_and_separators_at_the_ends(world):
    transcript, t2 = turn(world, 2)
    t3 = transcript.turns.get(position=3)
    span = resolve_span(transcript, t2.end - 5, t3.start + 10)
    assert span.text.startswith(t2.text[-5:]) and span.text.endswith(t3.text[:10])
    assert "\n\n" in span.text and (span.first.position, span.last.position) == (2, 3)
    span = resolve_span(transcript, t2.end, t3.start + 3)  # starts inside the separator
    assert span.start == t3.start and span.text == t3.text[:3]


@pytest.mark.parametrize(("start", "end"), [(-1, 5), (5, 5), (10, 3), (0, 10**6)])
def test_it_rejects_offsets_outside_the_text(client, world, start, end):
    transcript, _t = turn(world, 2)
    code = Code.objects.get(study=world.study)
    client.force_login(world.users["coresearcher"])
    before = Coding.objects.count()
    response = client.post(url("coding_create", world, transcript_id=transcript.pk),
                           {"start": start, "end": end, "codes": [code.pk]}, headers={"HX-Request": "true"})
    assert response.status_code == 422
    assert "X-NVOS-Error" in response
    assert Coding.objects.count() == before


def test_it_rejects_text_that_does_not_match_the_offsets(client, world):
    transcript, t2 = turn(world, 2)
    code = Code.objects.get(study=world.study)
    client.force_login(world.users["coresearcher"])
    response = client.post(url("coding_create", world, transcript_id=transcript.pk),
                           {"start": t2.start, "end": t2.start + 5, "codes": [code.pk], "text": "något annat"})
    assert response.status_code == 422
    assert "stämmer inte" in response.content.decode()


def test_it_rejects_a_code_of_another_study(client, world):
    transcript, t2 = turn(world, 2)
    foreign = Code.objects.get(study=world.other_study)
    client.force_login(world.users["coresearcher"])
    response = client.post(url("coding_create", world, transcript_id=transcript.pk),
                           {"start": t2.start, "end": t2.end, "codes": [foreign.pk]})
    assert response.status_code == 422
    assert not Coding.objects.filter(code=foreign, transcript=transcript).exists()


def test_it_refuses_to_code_a_withdrawn_participants_words(world):
    transcript, t2 = turn(world, 2)
    Participant.objects.filter(pk=t2.participant_id).update(consent_withdrawn="2026-11-01")
    code = Code.objects.get(study=world.study)
    with pytest.raises(CodingError, match="återkallat"):
        apply_codings(transcript=transcript, codes=[code], coder=world.users["lead"], start=t2.start, end=t2.end)


def test_it_ignores_the_same_coding_applied_twice(world):
    transcript, t4 = turn(world, 4)
    code = Code.objects.get(study=world.study)
    first, _span = apply_codings(transcript=transcript, codes=[code], coder=world.users["lead"],
                                 start=t4.start, end=t4.end)
    second, _span = apply_codings(transcript=transcript, codes=[code], coder=world.users["lead"],
                                  start=t4.start, end=t4.end)
    assert len(first) == 1 and second == []
    assert Coding.objects.filter(turn=t4).count() == 1


def test_it_applies_several_codes_to_one_selection(client, world):
    transcript, t5 = turn(world, 5)
    codes = [Code.objects.get(study=world.study),
             Code.objects.create(study=world.study, area=Area.objects.get(slug="delaktighet"), name="Egna mål")]
    client.force_login(world.users["lead"])
    client.post(url("coding_create", world, transcript_id=transcript.pk),
                {"start": t5.start, "end": t5.end, "codes": [c.pk for c in codes]})
    assert set(Coding.objects.filter(turn=t5).values_list("code__name", flat=True)) == {"Gemensam planering",
                                                                                        "Egna mål"}


def test_it_lets_only_the_coder_or_a_lead_remove_a_coding(client, world):
    coding = Coding.objects.get(code__study=world.study)
    other = MembershipFactory(study=world.study, user=UserFactory(username="annan"), role=Role.CORESEARCHER).user
    client.force_login(other)
    response = client.post(url("coding_delete", world, coding_id=coding.pk), headers={"HX-Request": "true"})
    assert response.status_code == 403 and Coding.objects.filter(pk=coding.pk).exists()
    client.force_login(world.users["lead"])
    response = client.post(url("coding_delete", world, coding_id=coding.pk), headers={"HX-Request": "true"})
    assert response.status_code == 200 and not Coding.objects.filter(pk=coding.pk).exists()


def test_it_saves_a_memo_on_the_coders_own_coding(client, world):
    coding = Coding.objects.get(code__study=world.study)
    client.force_login(world.users["coresearcher"])
    response = client.post(url("coding_memo_update", world, coding_id=coding.pk), {"memo": "Tydligt exempel"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Tydligt exempel" in response.content.decode()
    coding.refresh_from_db()
    assert coding.memo == "Tydligt exempel"


def test_it_filters_codings_by_coder_and_hides_others_under_blind_coding(client, world):
    transcript, t3 = turn(world, 3)
    code = Code.objects.get(study=world.study)
    apply_codings(transcript=transcript, codes=[code], coder=world.users["lead"], start=t3.start, end=t3.end)
    client.force_login(world.users["coresearcher"])
    page = url("transcript_detail", world, transcript_id=transcript.pk)
    assert client.get(page + "?visa=all").content.decode().count('class="bar ') == 2
    assert client.get(page + "?visa=mine").content.decode().count('class="bar ') == 1
    assert client.get(page).content.decode().count('class="bar ') == 1, "the choice is remembered"
    lead_only = client.get(page + f"?visa={world.users['lead'].pk}").content.decode()
    assert lead_only.count('class="bar ') == 1 and "ledare" in lead_only
    world.study.blind_coding = True
    world.study.save()
    assert client.get(page + "?visa=all").content.decode().count('class="bar ') == 1
    client.force_login(world.users["lead"])
    assert client.get(page + "?visa=all").content.decode().count('class="bar ') == 2


def test_it_sends_changed_turns_to_polling_pages(client, world):
    transcript, t4 = turn(world, 4)
    client.force_login(world.users["coresearcher"])
    changes = url("transcript_changes", world, transcript_id=transcript.pk)
    assert client.get(changes + "?after=0").status_code == 204
    apply_codings(transcript=transcript, codes=[Code.objects.get(study=world.study)], coder=world.users["lead"],
                  start=t4.start, end=t4.end)
    response = client.get(changes + "?after=0", headers={"HX-Request": "true"})
    content = response.content.decode()
    assert response.status_code == 200
    assert 'id="t4"' in content and 'hx-swap-oob="true"' in content
    cursor = CodingChange.objects.latest("id").pk
    assert f"after={cursor}" in content
    assert client.get(changes + f"?after={cursor}").status_code == 204


def test_it_serves_code_colours_as_a_stylesheet_without_injection(client, world):
    code = Code.objects.get(study=world.study)
    Code.objects.filter(pk=code.pk).update(colour="#0;}*{x")  # seven characters, as the column allows
    client.force_login(world.users["coresearcher"])
    response = client.get(url("code_colours", world))
    css = response.content.decode()
    assert response["Content-Type"].startswith("text/css")
    assert f".k{code.pk}{{--kc:#57606a}}" in css and "*{x" not in css


def build_large_transcript(study, turns: int, codings: int, coder):
    team = TeamFactory(study=study, number=50 + turns % 7)
    interview = InterviewFactory(team=team, round=RoundFactory(study=study, number=10 + turns % 5))
    lines = [("Intervjuare" if i % 5 == 0 else f"Deltagare {i % 4}",
              f"Replik {i} om samverkan och delaktighet i vardagen, med åäö och lite mer text.") for i in range(turns)]
    transcript = make_transcript(interview, lines)
    code = Code.objects.create(study=study, area=Area.objects.get(slug="digitalisering"), name=f"Kod {turns}")
    rows = list(transcript.turns.order_by("position"))
    Coding.objects.bulk_create([
        Coding(transcript=transcript, code=code, coder=coder, turn=rows[i % len(rows)], start=rows[i % len(rows)].start,
               end=rows[i % len(rows)].start + 5 + i // len(rows), text="x") for i in range(codings)
    ])
    return transcript


@pytest.mark.parametrize(("turns", "codings"), [(10, 5), (500, 400)])
def test_it_renders_the_transcript_page_in_constant_queries(client, world, django_assert_num_queries, turns, codings):
    transcript = build_large_transcript(world.study, turns, codings, world.users["lead"])
    client.force_login(world.users["coresearcher"])
    page = url("transcript_detail", world, transcript_id=transcript.pk)
    client.get(page)  # the first visit stores the view choice in the session and records the reading
    # session, user, membership with its study, transcript, turns, codings, familiarisation note,
    # areas, codebook codes, recent codes, change cursor, coders for the view filter
    with django_assert_num_queries(12):
        response = client.get(page)
    assert response.content.decode().count('class="turn ') == turns


def test_it_lists_assigned_transcripts_with_progress(client, world):
    from coding.models import Assignment, Note

    transcript, _t = turn(world, 2)
    Assignment.objects.create(transcript=transcript, user=world.users["coresearcher"])
    Note.objects.create(study=world.study, author=world.users["coresearcher"], transcript=transcript,
                        kind=Note.Kind.FAMILIARISATION, is_done=True, text="Läst")
    client.force_login(world.users["coresearcher"])
    content = client.get(reverse("coding:home")).content.decode()
    # three participant turns, one of them coded by this co-researcher
    assert "33 % (1 av 3 deltagarrepliker)" in content
    assert "läst, anteckning skriven" in content


def test_it_lets_a_lead_assign_transcripts(client, world):
    from coding.models import Assignment

    transcript, _t = turn(world, 2)
    client.force_login(world.users["lead"])
    client.post(url("transcript_assign", world, transcript_id=transcript.pk),
                {"users": [world.users["coresearcher"].pk, world.users["outsider"].pk]})
    assert list(Assignment.objects.values_list("user__username", flat=True)) == ["medforskare"]
    client.force_login(world.users["coresearcher"])
    response = client.post(url("transcript_assign", world, transcript_id=transcript.pk), {"users": []})
    assert response.status_code == 403


def test_it_sends_only_the_changed_turns_to_polling_pages(client, world):
    transcript, t1 = turn(world, 1)
    t5 = transcript.turns.get(position=5)
    code = Code.objects.get(study=world.study)
    for t in (t1, t5):
        apply_codings(transcript=transcript, codes=[code], coder=world.users["lead"], start=t.start, end=t.end)
    client.force_login(world.users["coresearcher"])
    content = client.get(url("transcript_changes", world, transcript_id=transcript.pk) + "?after=0").content.decode()
    assert 'id="t1"' in content and 'id="t5"' in content
    assert 'id="t3"' not in content, "turns between two changes are not re-sent"
