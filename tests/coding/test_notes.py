"""Mina anteckningar: every kind of note of the user in one study, searchable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from coding.models import Code, Coding, Note

pytestmark = pytest.mark.django_db


def test_it_lists_and_searches_every_kind_of_note(client, world):
    user = world.users["coresearcher"]
    coding = Coding.objects.get(code__study=world.study)
    Coding.objects.filter(pk=coding.pk).update(memo="Memo om morgonmöten")
    transcript = coding.transcript
    Note.objects.create(study=world.study, author=user, kind=Note.Kind.FAMILIARISATION, transcript=transcript,
                        text="Första läsningen: mycket om samverkan")
    code = Code.objects.get(study=world.study)
    Note.objects.create(study=world.study, author=user, kind=Note.Kind.CODE_MEMO, code=code, text="Koden överlappar")
    Note.objects.create(study=world.study, author=world.users["lead"], kind=Note.Kind.JOURNAL, text="Ledarens dagbok")
    client.force_login(user)
    notes_url = reverse("coding:notes", args=[world.study.pk])
    content = client.get(notes_url).content.decode()
    for text in ("Första läsningen", "Memo om morgonmöten", "Koden överlappar", "Tankar"):
        assert text in content
    assert "Ledarens dagbok" not in content
    found = client.get(notes_url + "?q=morgon").content.decode()
    assert "Memo om morgonmöten" in found and "Första läsningen" not in found and "Tankar" not in found


def test_it_adds_edits_and_deletes_journal_entries(client, world):
    client.force_login(world.users["coresearcher"])
    notes_url = reverse("coding:notes", args=[world.study.pk])
    client.post(notes_url, {"title": "Vecka 3", "text": "Jag märker att jag"})
    note = Note.objects.get(title="Vecka 3")
    assert note.kind == Note.Kind.JOURNAL and note.author == world.users["coresearcher"]
    client.post(reverse("coding:note_edit", args=[world.study.pk, note.pk]), {"title": "Vecka 3", "text": "Ändrad"})
    assert Note.objects.get(pk=note.pk).text == "Ändrad"
    client.force_login(world.users["lead"])
    assert client.post(reverse("coding:note_delete", args=[world.study.pk, note.pk])).status_code == 404
    client.force_login(world.users["coresearcher"])
    client.post(reverse("coding:note_delete", args=[world.study.pk, note.pk]))
    assert not Note.objects.filter(pk=note.pk).exists()


def test_it_saves_a_familiarisation_note_beside_the_transcript(client, world):
    coding = Coding.objects.get(code__study=world.study)
    client.force_login(world.users["coresearcher"])
    response = client.post(reverse("coding:familiarisation_note_update", args=[world.study.pk, coding.transcript_id]),
                           {"text": "Läst en gång", "is_done": "on"}, headers={"HX-Request": "true"})
    assert response.status_code == 200 and "Sparat" in response.content.decode()
    note = Note.objects.get(kind=Note.Kind.FAMILIARISATION)
    assert note.is_done and note.text == "Läst en gång"
