"""The import in the browser's HTTP flow and on the command line: from file to published,
anonymised transcript, with hostile files stopped early and no name left behind."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models
from django.urls import reverse
from django.utils import timezone

from transcripts import importing
from transcripts.models import ImportDraft, Participant, SensitiveTerm, Transcript

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
TEAMS_FILE = DATA / "fokusgrupp_teams.vtt"
REAL_NAMES = ["Maria Sjöberg", "Gunnar Pettersson", "Fatima Khalil", "Erik Lund", "Gunnar", "Fatima",
              "Pettersson", "Khalil", "Sjöberg"]
PLANTED = ["070-123 45 67", "0701234567", "fatima.khalil@motala.se", "19450312-2386", "450312-2386", "Ekholmen",
           "Motala"]


@pytest.fixture
def interview(world):
    from tests.factories import InterviewFactory, TeamFactory

    ImportDraft.objects.all().delete()
    team = TeamFactory(study=world.study, number=2)
    return InterviewFactory(team=team, round=world.study.rounds.get(number=2))


@pytest.fixture
def lead_client(client, world):
    client.force_login(world.users["lead"])
    return client


def upload(client, world, interview, name, content, **extra):
    return client.post(reverse("import_start", args=[world.study.pk]),
                       {"interview": interview.pk, "file": SimpleUploadedFile(name, content), **extra})


def map_speakers(client, world, draft, roles: dict[str, str]):
    parsed = importing.parsed_of(draft)
    data = {}
    for index, label in enumerate(parsed.speakers()):
        role = roles[label]
        if role in ("interviewer", "assistant"):
            data[f"speaker-{index}"] = role
        else:
            data[f"speaker-{index}"], data[f"new-{index}"] = "new", role
    return client.post(reverse("import_speakers", args=[world.study.pk, draft.pk]), data)


TEAMS_ROLES = {"Maria Sjöberg": "interviewer", "Gunnar Pettersson (Extern)": "Arbetsterapeut",
               "Fatima Khalil": "Sjuksköterska 2", "Erik Lund": "assistant"}


def import_teams_file(client, world, interview) -> Transcript:
    response = upload(client, world, interview, "Fokusgrupp med Maria Sjöberg.vtt", TEAMS_FILE.read_bytes())
    assert response.status_code == 302, response.content.decode()[:2000]
    draft = ImportDraft.objects.get()
    assert map_speakers(client, world, draft, TEAMS_ROLES).status_code == 302
    client.post(reverse("import_decide_all", args=[world.study.pk, draft.pk]), {"action": "accept"})
    response = client.post(reverse("import_publish", args=[world.study.pk, draft.pk]))
    assert response.status_code == 302, response
    return Transcript.objects.get(interview=interview)


def test_it_previews_the_turns_and_suggests_roles_before_storing_anything(lead_client, world, interview):
    response = upload(lead_client, world, interview, "möte.vtt", TEAMS_FILE.read_bytes())
    draft = ImportDraft.objects.get()
    page = lead_client.get(response["Location"]).content.decode()
    assert "Maria Sjöberg" in page and "Välkomna till fokusgruppen" in page
    assert not Transcript.objects.filter(interview=interview).exists()
    assert set(importing.parsed_of(draft).speakers()) == set(TEAMS_ROLES)


def test_it_publishes_an_anonymised_transcript_with_role_labels(lead_client, world, interview):
    transcript = import_teams_file(lead_client, world, interview)
    labels = list(transcript.turns.values_list("speaker_label", flat=True))
    assert labels[0] == interview.interviewer_label
    assert "Arbetsterapeut" in labels and "Sjuksköterska 2" in labels and interview.assistant_label in labels
    assert Participant.objects.filter(team=interview.team, role_label="Sjuksköterska 2").exists()
    text = transcript.text
    assert "[namn" in text and "[telefonnummer]" in text and "[e-post]" in text and "[personnummer]" in text
    assert "[kommun]" in text and "[arbetsplats]" in text
    assert "<b>samverkan</b>" not in text or "&lt;" not in text
    for turn in transcript.turns.all():
        assert transcript.text[turn.start:turn.end] == turn.text
        assert turn.time_seconds is not None
    assert not ImportDraft.objects.exists()


def test_it_leaves_no_real_name_or_planted_data_in_any_table(lead_client, world, interview):
    import_teams_file(lead_client, world, interview)
    lead_client.get(Transcript.objects.get(interview=interview).get_absolute_url())
    leaks = []
    reference = {"transcripts.Municipality"}  # the list of municipality names is reference data
    for model in apps.get_models():
        if model._meta.label in reference:
            continue
        fields = [f for f in model._meta.get_fields()
                  if isinstance(f, models.CharField | models.TextField | models.JSONField) and f.concrete]
        for field in fields:
            for needle in REAL_NAMES + PLANTED:
                lookup = f"{field.name}__icontains"
                if model.objects.filter(**{lookup: needle}).exists():
                    leaks.append(f"{model._meta.label}.{field.name}: {needle}")
    assert leaks == []


def test_it_keeps_the_same_placeholder_for_one_person(lead_client, world, interview):
    transcript = import_teams_file(lead_client, world, interview)
    turns = list(transcript.turns.order_by("position"))
    gunnar_self = next(t for t in turns if "arbetsterapeut i" in t.text).text
    placeholder = gunnar_self[gunnar_self.index("[namn"):gunnar_self.index("]") + 1]
    assert sum(t.text.count(placeholder) for t in turns) >= 3  # "Gunnar", "Tack Gunnar", "Gunnars"


def test_it_refuses_to_publish_while_a_speaker_has_no_role(lead_client, world, interview):
    upload(lead_client, world, interview, "möte.vtt", TEAMS_FILE.read_bytes())
    draft = ImportDraft.objects.get()
    speakers_url = reverse("import_speakers", args=[world.study.pk, draft.pk])
    response = lead_client.post(speakers_url, {"speaker-0": "interviewer"})
    assert "Välj en roll för varje talare" in response.content.decode()
    with pytest.raises(importing.ImportProblem, match="saknar roll|har ingen roll"):
        importing.publish(draft, user=world.users["lead"])
    assert not Transcript.objects.filter(interview=interview).exists()


def test_it_rejects_a_role_label_that_contains_a_real_name(lead_client, world, interview):
    upload(lead_client, world, interview, "möte.vtt", TEAMS_FILE.read_bytes())
    draft = ImportDraft.objects.get()
    roles = {**TEAMS_ROLES, "Fatima Khalil": "Fatima sjuksköterska"}
    response = map_speakers(lead_client, world, draft, roles)
    assert response.status_code == 200
    assert "innehåller ett namn" in response.content.decode()


def test_it_lets_the_reviewer_reject_edit_and_add_findings(lead_client, world, interview):
    upload(lead_client, world, interview, "möte.vtt", TEAMS_FILE.read_bytes())
    draft = ImportDraft.objects.get()
    map_speakers(lead_client, world, draft, TEAMS_ROLES)
    draft.refresh_from_db()
    phone = next(r for r in draft.findings if r["category"] == "telefon")
    url = reverse("import_finding_update", args=[world.study.pk, draft.pk, phone["id"]])
    lead_client.post(url, {"action": "edit", "replacement": "[nummer]", "everywhere": "1"})
    texts = importing.turn_texts(draft)
    turn = next(i for i, t in enumerate(texts) if "bildstöd" in t)
    start = texts[turn].index("bildstöd")
    lead_client.post(reverse("import_finding_add", args=[world.study.pk, draft.pk]),
                     {"turn": turn, "start": start, "end": start + len("bildstöd"), "category": "annat",
                      "remember": "1"})
    lead_client.post(reverse("import_decide_all", args=[world.study.pk, draft.pk]), {"action": "accept"})
    lead_client.post(reverse("import_publish", args=[world.study.pk, draft.pk]))
    text = Transcript.objects.get(interview=interview).text
    assert "[nummer]" in text and "bildstöd" not in text and "[uppgift]" in text
    term = SensitiveTerm.objects.get(study=world.study, category="annat")
    assert "bildstöd" not in term.hint.casefold() and term.digest == importing.digest("bildstöd")


def hostile_docx(document_xml: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types '
                         'xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>')
        archive.writestr("word/document.xml", document_xml)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b"A" * (60 * 1024 * 1024) + b"</w:document>")
    return buffer.getvalue()


BILLION_LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&lol3;</w:t></w:r></w:p></w:body></w:document>"""


@pytest.mark.parametrize(("name", "content", "message"), [
    ("tom.txt", b"", "tom"),
    ("bild.txt", bytes(range(256)) * 40, "binär"),
    ("slump.docx", b"PK\x03\x04" + bytes(range(200)) * 5, "inte ett giltigt Word-dokument"),
    ("bomb.docx", "zip_bomb", "packas upp"),
    ("entiteter.docx", "entities", "DOCTYPE"),
    ("trasig.vtt", b"WEBVTT\n\n00:00:0x.000 --> 00:00:05.000\n<v A>Hej</v>\n", "Rad 3"),
    ("rapport.pdf", b"%PDF-1.4 hej", "PDF"),
    ("inga talare.txt", "Det här är bara en lång text utan talare.\nOch en rad till.".encode(), "en talare"),
])
def test_it_rejects_bad_files_with_a_swedish_message_and_stores_nothing(lead_client, world, interview, name, content,
                                                                        message):
    if content == "zip_bomb":
        content = zip_bomb()
    elif content == "entities":
        content = hostile_docx(BILLION_LAUGHS)
    response = upload(lead_client, world, interview, name, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert message.casefold() in page.casefold(), page[page.find("error"):][:600]
    assert not ImportDraft.objects.exists() and not Transcript.objects.filter(interview=interview).exists()


def test_it_rejects_files_over_the_size_limit(lead_client, world, interview, settings):
    settings.NVOS_UPLOAD_MAX_BYTES = 1000
    response = upload(lead_client, world, interview, "stor.txt", b"Intervjuare: hej\n" * 200)
    assert "MB" in response.content.decode() and not ImportDraft.objects.exists()


def test_it_offers_a_single_speaker_import_for_text_without_turns(lead_client, world, interview):
    content = "Anteckningar från samtalet.\n\nVi pratade om samverkan och om digitala möten.".encode()
    response = upload(lead_client, world, interview, "fritext.txt", content)
    assert "en talare" in response.content.decode()
    response = upload(lead_client, world, interview, "fritext.txt", content, single_speaker="on")
    assert response.status_code == 302
    assert len(importing.parsed_of(ImportDraft.objects.get()).speakers()) == 1


def test_it_stores_html_and_template_syntax_as_plain_text(lead_client, world, interview):
    content = b"Intervjuare: <script>alert(1)</script> {{ secret }} {% debug %}\nArbetsterapeut: Hej"
    upload(lead_client, world, interview, "skript.txt", content)
    draft = ImportDraft.objects.get()
    map_speakers(lead_client, world, draft, {"Intervjuare": "interviewer", "Arbetsterapeut": "Arbetsterapeut"})
    lead_client.post(reverse("import_publish", args=[world.study.pk, draft.pk]))
    transcript = Transcript.objects.get(interview=interview)
    assert "<script>alert(1)</script> {{ secret }} {% debug %}" in transcript.text
    page = lead_client.get(transcript.get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {{ secret }} {% debug %}" in page
    assert "<script>alert(1)" not in page


def test_it_only_lets_leads_and_admins_import(client, world, interview):
    client.force_login(world.users["coresearcher"])
    response = upload(client, world, interview, "möte.vtt", TEAMS_FILE.read_bytes())
    assert response.status_code == 403 and not ImportDraft.objects.filter(interview=interview).exists()


def test_it_deletes_drafts_older_than_a_day(lead_client, world, interview):
    upload(lead_client, world, interview, "möte.vtt", TEAMS_FILE.read_bytes())
    ImportDraft.objects.update(created_at=timezone.now() - timedelta(hours=25))
    lead_client.get(reverse("import_start", args=[world.study.pk]))
    assert not ImportDraft.objects.exists()


def test_it_cancels_an_import_and_deletes_the_file(lead_client, world, interview):
    upload(lead_client, world, interview, "möte.vtt", TEAMS_FILE.read_bytes())
    draft = ImportDraft.objects.get()
    lead_client.post(reverse("import_cancel", args=[world.study.pk, draft.pk]))
    assert not ImportDraft.objects.exists()


def test_it_rescans_a_published_transcript_and_warns_on_its_page(lead_client, world, interview):
    transcript = import_teams_file(lead_client, world, interview)
    assert transcript.open_findings == 0
    importing.add_sensitive_term(study_id=world.study.pk, term="bildstöd", category="annat")
    response = lead_client.post(reverse("transcript_rescan", args=[world.study.pk, transcript.pk]))
    assert "bildstöd" in response.content.decode()
    transcript.refresh_from_db()
    assert transcript.open_findings == 1
    assert "möjlig personuppgift" in lead_client.get(transcript.get_absolute_url()).content.decode()


def test_it_imports_from_the_command_line(world, interview, capsys):
    call_command("import_transcript", str(TEAMS_FILE), "--interview", str(interview.pk),
                 "--speakers", "Maria Sjöberg=Intervjuare", "Gunnar Pettersson (Extern)=Arbetsterapeut",
                 "Fatima Khalil=Sjuksköterska 2", "Erik Lund=Medhjälpare", "--accept-suggestions", "--publish")
    out = capsys.readouterr().out
    assert "fynd av möjliga personuppgifter" in out and "telefon" in out and "Publicerade transkript" in out
    transcript = Transcript.objects.get(interview=interview)
    assert "Khalil" not in transcript.text and "[personnummer]" in transcript.text
    assert transcript.turns.filter(speaker_label="Medhjälpare").exists()


def test_it_refuses_to_publish_from_the_command_line_with_an_unmapped_speaker(world, interview):
    with pytest.raises(CommandError, match="varje talare"):
        call_command("import_transcript", str(TEAMS_FILE), "--interview", str(interview.pk),
                     "--speakers", "Maria Sjöberg=Intervjuare", "--publish")
    assert not Transcript.objects.filter(interview=interview).exists()
    assert not ImportDraft.objects.exists(), "a failed command stores nothing"


def test_it_needs_accept_suggestions_for_uncertain_findings_on_the_command_line(world, interview, tmp_path):
    path = tmp_path / "osakert.txt"
    path.write_text("Intervjuare: Vad hände sen?\nArbetsterapeut: Hans mamma ringde. Bo kom förbi senare.\n")
    args = [str(path), "--interview", str(interview.pk), "--speakers", "Intervjuare=Intervjuare",
            "Arbetsterapeut=Arbetsterapeut", "--publish"]
    with pytest.raises(CommandError, match="accept-suggestions"):
        call_command("import_transcript", *args)
    assert not Transcript.objects.filter(interview=interview).exists()
    call_command("import_transcript", *args, "--accept-suggestions")
    assert "Hans mamma" not in Transcript.objects.get(interview=interview).text


def test_it_purges_old_drafts_from_the_command_line(lead_client, world, interview, capsys):
    upload(lead_client, world, interview, "möte.vtt", TEAMS_FILE.read_bytes())
    ImportDraft.objects.update(created_at=timezone.now() - timedelta(hours=30))
    call_command("purge_import_drafts")
    assert "Raderade 1" in capsys.readouterr().out and not ImportDraft.objects.exists()
