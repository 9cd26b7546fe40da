"""The codebook: fixed areas, creating, editing, moving, merging and deleting codes."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding.codebook import merge_codes
from coding.models import Area, Code, Coding, Note, Quote, Theme, ThemeCode
from transcripts.models import AuditEvent

pytestmark = pytest.mark.django_db


def url(name, world, **extra):
    return reverse(f"coding:{name}", kwargs={"study_id": world.study.pk, **extra})


def area(slug):
    return Area.objects.get(slug=slug)


def test_it_shows_the_five_areas_as_the_fixed_top_level(client, world):
    client.force_login(world.users["coresearcher"])
    content = client.get(url("codebook", world)).content.decode()
    positions = [content.index(name) for name in ("Samverkan", "Personcentrering", "Delaktighet",
                                                   "Kompetens och kunskap", "Digitalisering")]
    assert positions == sorted(positions)
    assert "Gemensam planering" in content


def test_it_gives_users_no_way_to_rename_or_delete_areas(admin_client):
    response = admin_client.get(reverse("admin:coding_area_change", args=[area("samverkan").pk]))
    assert response.status_code == 200
    assert 'name="name_sv"' not in response.content.decode()
    assert admin_client.post(reverse("admin:coding_area_delete", args=[area("samverkan").pk]),
                             {"post": "yes"}).status_code == 403
    assert Area.objects.count() == 5


def test_it_creates_a_code_with_definition_and_colour(client, world):
    client.force_login(world.users["coresearcher"])
    response = client.post(url("codebook", world), {
        "name": "  Korta   kontaktvägar ", "area": area("samverkan").pk, "definition": "Snabba frågor",
        "inclusion": "När", "exclusion": "Inte när", "colour": "#AA00cc"})
    assert response.status_code == 302
    code = Code.objects.get(name="Korta kontaktvägar")
    assert (code.colour, code.created_by, code.display_colour) == ("#aa00cc", world.users["coresearcher"], "#aa00cc")
    assert AuditEvent.objects.filter(action="code_created", object_id=str(code.pk)).exists()


def test_it_rejects_bad_colours_duplicate_names_and_parents_in_other_areas(client, world):
    client.force_login(world.users["coresearcher"])
    parent = Code.objects.get(study=world.study)
    response = client.post(url("codebook", world), {"name": "Gemensam planering", "area": area("samverkan").pk,
                                                    "colour": "red;}"})
    content = response.content.decode()
    assert "#rrggbb" in content and "finns redan en kod" in content
    response = client.post(url("codebook", world), {"name": "Ny", "area": area("digitalisering").pk,
                                                    "parent": parent.pk})
    assert "samma område" in response.content.decode()
    assert Code.objects.filter(study=world.study).count() == 1


def test_it_creates_a_code_inline_as_json(client, world):
    client.force_login(world.users["coresearcher"])
    response = client.post(url("code_create_inline", world), {"name": "Tillit", "area": area("personcentrering").pk})
    assert response.status_code == 201
    assert response.json()["name"] == "Tillit"
    duplicate = client.post(url("code_create_inline", world), {"name": "tillit", "area": area("personcentrering").pk})
    assert duplicate.status_code == 422 and "finns redan" in duplicate.json()["error"]


def test_it_moves_a_code_with_its_subtree_to_another_area(client, world):
    parent = Code.objects.get(study=world.study)
    child = Code.objects.create(study=world.study, area=parent.area, parent=parent, name="Morgonmöten")
    grandchild = Code.objects.create(study=world.study, area=parent.area, parent=child, name="Tavlan")
    client.force_login(world.users["lead"])
    response = client.post(url("code_detail", world, code_id=parent.pk),
                           {"name": "Planering", "area": area("kompetens-och-kunskap").pk})
    assert response.status_code == 302
    assert {c.area.slug for c in Code.objects.filter(pk__in=[parent.pk, child.pk, grandchild.pk])} == {
        "kompetens-och-kunskap"}
    assert Code.objects.get(pk=parent.pk).name == "Planering"


def test_it_does_not_let_a_code_move_under_its_own_descendant(client, world):
    parent = Code.objects.get(study=world.study)
    child = Code.objects.create(study=world.study, area=parent.area, parent=parent, name="Morgonmöten")
    client.force_login(world.users["lead"])
    response = client.post(url("code_detail", world, code_id=parent.pk),
                           {"name": parent.name, "area": parent.area_id, "parent": child.pk})
    assert response.status_code == 200
    assert Code.objects.get(pk=parent.pk).parent is None


def test_it_merges_two_codes_without_losing_codings(world):
    source = Code.objects.get(study=world.study)
    target = Code.objects.create(study=world.study, area=source.area, name="Samplanering")
    existing = Coding.objects.get(code=source)
    twin = Coding.objects.create(transcript=existing.transcript, code=target, coder=existing.coder, turn=existing.turn,
                                 start=existing.start, end=existing.end, text=existing.text)
    other_turn = existing.transcript.turns.get(position=3)
    moved = Coding.objects.create(transcript=existing.transcript, code=source, coder=existing.coder, turn=other_turn,
                                  start=other_turn.start, end=other_turn.end, text=other_turn.text, memo="Bra")
    theme = Theme.objects.create(study=world.study, name="Vardagssamverkan")
    ThemeCode.objects.create(theme=theme, code=source)
    Quote.objects.create(theme=theme, coding=existing, edited_text="Redigerad")
    Note.objects.create(study=world.study, author=existing.coder, kind=Note.Kind.CODE_MEMO, code=source, text="Memo")
    result = merge_codes(source=source, target=target, user=world.users["lead"])
    assert result == {"moved": 1, "duplicates": 1}
    assert not Code.objects.filter(pk=source.pk).exists()
    assert set(Coding.objects.filter(code=target).values_list("pk", flat=True)) == {twin.pk, moved.pk}
    assert Quote.objects.get(theme=theme).coding_id == twin.pk
    assert list(theme.codes.all()) == [target]
    assert Note.objects.get(kind=Note.Kind.CODE_MEMO).code == target
    assert AuditEvent.objects.filter(action="codes_merged").exists()


def test_it_merges_through_the_page_only_for_leads(client, world):
    source = Code.objects.get(study=world.study)
    target = Code.objects.create(study=world.study, area=source.area, name="Samplanering")
    client.force_login(world.users["coresearcher"])
    assert client.post(url("code_merge", world, code_id=source.pk), {"target": target.pk}).status_code == 403
    client.force_login(world.users["lead"])
    response = client.post(url("code_merge", world, code_id=source.pk), {"target": target.pk})
    assert response.status_code == 302 and Coding.objects.filter(code=target).count() == 1
    foreign = Code.objects.get(study=world.other_study)
    response = client.post(url("code_merge", world, code_id=target.pk), {"target": foreign.pk}, follow=True)
    assert Code.objects.filter(pk=foreign.pk).exists() and Coding.objects.filter(code=target).count() == 1


def test_it_confirms_before_deleting_a_used_code(client, world):
    code = Code.objects.get(study=world.study)
    client.force_login(world.users["lead"])
    page = client.get(url("code_delete", world, code_id=code.pk)).content.decode()
    assert "1 kodning" in page
    client.post(url("code_delete", world, code_id=code.pk))  # no confirmation: nothing happens
    assert Code.objects.filter(pk=code.pk).exists()
    client.post(url("code_delete", world, code_id=code.pk), {"confirm": "yes"})
    assert not Code.objects.filter(pk=code.pk).exists() and not Coding.objects.filter(code_id=code.pk).exists()


def test_it_deletes_an_unused_code_at_once_and_lifts_its_children(client, world):
    parent = Code.objects.create(study=world.study, area=area("digitalisering"), name="Oanvänd")
    child = Code.objects.create(study=world.study, area=parent.area, parent=parent, name="Barn")
    client.force_login(world.users["lead"])
    client.post(url("code_delete", world, code_id=parent.pk))
    assert not Code.objects.filter(pk=parent.pk).exists()
    assert Code.objects.get(pk=child.pk).parent is None


def test_it_keeps_one_memo_per_user_and_code(client, world):
    code = Code.objects.get(study=world.study)
    client.force_login(world.users["coresearcher"])
    client.post(url("code_memo_update", world, code_id=code.pk), {"memo-title": "", "memo-text": "Första"})
    client.post(url("code_memo_update", world, code_id=code.pk), {"memo-title": "", "memo-text": "Andra"})
    assert list(Note.objects.filter(code=code).values_list("text", flat=True)) == ["Andra"]


def test_it_imports_a_qdc_codebook_through_the_page(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    qdc = b"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
  <Code guid="11111111-1111-4111-8111-111111111111" name="Tillit" isCodable="true">
    <Code guid="22222222-2222-4222-8222-222222222222" name="Kontinuitet" isCodable="true"/>
  </Code>
</Codes></CodeBook>"""
    client.force_login(world.users["lead"])
    page = reverse("coding:codebook_import", args=[world.study.pk])
    response = client.post(page, {"file": SimpleUploadedFile("kodbok.qdc", qdc), "area": area("personcentrering").pk})
    assert response.status_code == 302
    child = Code.objects.get(study=world.study, name="Kontinuitet")
    assert child.parent.name == "Tillit" and child.area.slug == "personcentrering"
    bad = client.post(page, {"file": SimpleUploadedFile("x.qdc", b"<!DOCTYPE x [<!ENTITY a 'b'>]><CodeBook/>")})
    assert bad.status_code == 200 and "DOCTYPE" in bad.content.decode()
    client.force_login(world.users["coresearcher"])
    assert client.get(page).status_code == 403


def test_it_downloads_the_codebook_and_project_as_refi_qda(client, world):
    import io
    import zipfile

    client.force_login(world.users["lead"])
    base = reverse("coding:export_download", args=[world.study.pk])
    qdc = client.get(base + "?format=qdc")
    assert qdc.status_code == 200 and b"Gemensam planering" in b"".join(qdc.streaming_content
                                                                         if qdc.streaming else [qdc.content])
    qdpx = client.get(base + "?format=qdpx")
    data = b"".join(qdpx.streaming_content) if qdpx.streaming else qdpx.content
    assert "attachment" in qdpx["Content-Disposition"] and qdpx["Content-Disposition"].endswith('.qdpx"')
    assert "project.qde" in zipfile.ZipFile(io.BytesIO(data)).namelist()
