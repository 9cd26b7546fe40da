"""REFI-QDA: the .qdc codebook and .qdpx project exports, and the .qdc codebook import."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from lxml import etree

from coding import refi_import
from coding.exports.refi import (
    GUID_NAMESPACE,
    WITHDRAWN_PLACEHOLDER,
    Redaction,
    code_description,
    guid,
    write_qdc,
    write_qdpx,
)
from coding.models import Area, Code, Coding, Note
from coding.refi_import import QdcImportError, import_qdc, split_description
from transcripts.models import Participant, ServiceArea, Study, Transcript

from ..factories import (
    CodeFactory,
    CodingFactory,
    InterviewFactory,
    MembershipFactory,
    RoundFactory,
    StudyFactory,
    TeamFactory,
    UserFactory,
    make_transcript,
)

pytestmark = pytest.mark.django_db

DATA = Path(__file__).parent / "data" / "refi"
QDC = "{urn:QDA-XML:codebook:1.0}"
QDE = "{urn:QDA-XML:project:1.0}"
SECRET = "Det här sa kuratorn innan samtycket återkallades"

TEAM1_ROUND1 = [
    ("Intervjuare", "Välkomna! Berätta hur ni samarbetar i teamet."),
    ("Arbetsterapeut", "Vi träffas varje morgon och planerar hemgångar 👍 tillsammans med sjukhuset."),
    ("Sjuksköterska", "Det gör att vi hinner planera innan personen kommer hem."),
]
TEAM1_ROUND2 = [
    ("Intervjuare", "Vad får ni för tankar av detta citat?"),
    ("Sjuksköterska", "Vi har börjat med digitala möten med regionen varje vecka."),
]
TEAM2_ROUND1 = [
    ("Intervjuare", "Hur ser samverkan ut hos er?"),
    ("Biståndsbedömare", "Vi ses på digitala möten två gånger i veckan."),
    ("Kurator", f"{SECRET}, och det gällde en enskild brukare."),
    ("Biståndsbedömare", "Efter mötet skriver vi en gemensam plan för individen."),
]
TEAM2_ROUND2 = [
    ("Intervjuare", "Vad har hänt sedan sist?"),
    ("Kurator", f"{SECRET} även i andra omgången."),
    ("Biståndsbedömare", "Vi har fått ett gemensamt journalsystem nu."),
]


@dataclass
class RefiStudy:
    study: Study
    transcripts: dict[str, Transcript]
    codes: dict[str, Code]
    users: dict[str, object]
    codings: dict[str, Coding] = field(default_factory=dict)
    notes: dict[str, Note] = field(default_factory=dict)


def code_passage(transcript: Transcript, code: Code, coder, phrase: str, *, memo: str = "") -> Coding:
    start = transcript.text.index(phrase)
    return CodingFactory(transcript=transcript, code=code, coder=coder, start=start, end=start + len(phrase),
                         memo=memo)


@pytest.fixture
def refi_study(db) -> RefiStudy:
    study = StudyFactory(name="Studie REFI", description="Teamintervjuer i två omgångar.")
    users = {
        "lead": MembershipFactory(study=study, user=UserFactory(username="ledare"), role="projektledare").user,
        "anna": MembershipFactory(study=study, user=UserFactory(username="anna")).user,
        "bertil": MembershipFactory(study=study, user=UserFactory(username="bertil")).user,
    }
    team1 = TeamFactory(study=study, number=1, size_class="liten", collaboration_type="kommun_region",
                        professions="arbetsterapeut, sjuksköterska",
                        service_area=ServiceArea.objects.get(slug="aldreomsorg"), status="etablerat")
    team2 = TeamFactory(study=study, number=2, size_class="stor", collaboration_type="inomkommunalt",
                        professions="biståndsbedömare, kurator", status="uppstart")
    round1 = RoundFactory(study=study, number=1)
    round2 = RoundFactory(study=study, number=2, method="fokusgruppsintervju")
    transcripts = {
        "t1r1": make_transcript(InterviewFactory(team=team1, round=round1), TEAM1_ROUND1),
        "t1r2": make_transcript(InterviewFactory(team=team1, round=round2), TEAM1_ROUND2),
        "t2r1": make_transcript(InterviewFactory(team=team2, round=round1), TEAM2_ROUND1),
        "t2r2": make_transcript(InterviewFactory(team=team2, round=round2), TEAM2_ROUND2),
    }
    Transcript.objects.update(published_by=users["lead"])
    samverkan = Area.objects.get(slug="samverkan")
    digitalisering = Area.objects.get(slug="digitalisering")
    planning = CodeFactory(study=study, area=samverkan, name="Gemensam planering", colour="#123456",
                           definition="Teamet planerar tillsammans.", inclusion="Planering över gränser.",
                           exclusion="Planering inom en profession.", created_by=users["lead"])
    codes = {
        "planning": planning,
        "mornings": CodeFactory(study=study, area=samverkan, parent=planning, name="Morgonmöten",
                                definition="Dagliga möten.", created_by=users["anna"]),
        "digital": CodeFactory(study=study, area=digitalisering, name="Digitala möten",
                               definition="Möten via Teams eller liknande.", created_by=users["lead"]),
    }
    world = RefiStudy(study=study, transcripts=transcripts, codes=codes, users=users)
    t = transcripts
    world.codings = {
        # The passage starts in one turn and runs into the next.
        "mornings": code_passage(t["t1r1"], codes["mornings"], users["anna"],
                                 "Vi träffas varje morgon och planerar hemgångar 👍 tillsammans med sjukhuset.\n\nDet",
                                 memo="Bra exempel på daglig samverkan."),
        "planning": code_passage(t["t1r1"], codes["planning"], users["bertil"], "hinner planera innan"),
        "digital_r2": code_passage(t["t1r2"], codes["digital"], users["anna"], "digitala möten med regionen"),
        "before_withdrawn": code_passage(t["t2r1"], codes["digital"], users["bertil"], "digitala möten två gånger"),
        "withdrawn": code_passage(t["t2r1"], codes["planning"], users["anna"], SECRET, memo=f"Citat: {SECRET}"),
        "after_withdrawn": code_passage(t["t2r1"], codes["planning"], users["anna"], "gemensam plan för individen",
                                        memo="Efter det återkallade yttrandet."),
        "last": code_passage(t["t2r2"], codes["digital"], users["bertil"], "gemensamt journalsystem"),
    }
    Participant.objects.filter(team=team2, role_label="Kurator").update(consent_withdrawn=datetime.date(2025, 3, 1))
    world.notes = {
        "familiarisation": Note.objects.create(study=study, author=users["anna"], kind=Note.Kind.FAMILIARISATION,
                                               transcript=t["t1r1"], text="Första intryck: mycket om planering.",
                                               is_done=True),
        "code_memo": Note.objects.create(study=study, author=users["bertil"], kind=Note.Kind.CODE_MEMO,
                                         code=codes["planning"], text="Koden används för gemensam planering."),
        "journal": Note.objects.create(study=study, author=users["lead"], kind=Note.Kind.JOURNAL,
                                       title="Reflektion vecka 12", text="Jag märker att jag letar efter samverkan."),
    }
    return world


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / name)))


def qdc_bytes(study: Study) -> bytes:
    out = io.BytesIO()
    write_qdc(study, out)
    return out.getvalue()


@dataclass
class Qdpx:
    files: dict[str, bytes]
    root: etree._Element

    def source_text(self, source: etree._Element) -> str:
        path = source.get("plainTextPath")
        assert path.startswith("internal://")
        return self.files[f"sources/{path.removeprefix('internal://')}"].decode("utf-8")

    def sources(self) -> dict[str, etree._Element]:
        return {el.get("guid"): el for el in self.root.iter(f"{QDE}TextSource")}


def export_qdpx(study: Study) -> Qdpx:
    out = io.BytesIO()
    write_qdpx(study, out)
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        assert archive.testzip() is None
        files = {name: archive.read(name) for name in archive.namelist()}
    return Qdpx(files=files, root=etree.fromstring(files["project.qde"]))


def code_tree(study: Study) -> set[tuple]:
    return {
        (code.area.slug, code.parent.name if code.parent else None, code.name, code.colour, code.definition,
         code.inclusion, code.exclusion)
        for code in Code.objects.filter(study=study).select_related("area", "parent")
    }


# --- the codebook (.qdc) ----------------------------------------------------------------------


def test_it_writes_a_codebook_that_validates_with_areas_on_top(refi_study):
    data = qdc_bytes(refi_study.study)
    root = etree.fromstring(data)
    schema("Codebook.xsd").assertValid(root)
    assert root.tag == f"{QDC}CodeBook"
    top = root.findall(f"{QDC}Codes/{QDC}Code")
    assert [el.get("name") for el in top] == [area.name_sv for area in Area.objects.order_by("order")]
    assert {el.get("isCodable") for el in top} == {"false"}
    samverkan = top[0]
    assert samverkan.get("color") == Area.objects.get(slug="samverkan").colour
    planning = samverkan.find(f"{QDC}Code")
    assert (planning.get("name"), planning.get("isCodable"), planning.get("color")) == (
        "Gemensam planering", "true", "#123456")
    assert planning.findtext(f"{QDC}Description") == (
        "Teamet planerar tillsammans.\n\nInkludera när: Planering över gränser.\n\n"
        "Exkludera när: Planering inom en profession.")
    assert [el.get("name") for el in planning.findall(f"{QDC}Code")] == ["Morgonmöten"]
    digitalisering = top[4]
    digital = digitalisering.find(f"{QDC}Code")
    assert digital.get("name") == "Digitala möten"
    assert digital.get("color") == Area.objects.get(slug="digitalisering").colour  # no colour of its own
    assert planning.get("guid") == guid(refi_study.study.pk, "code", refi_study.codes["planning"].pk)


def test_it_gives_the_same_guids_on_every_export(refi_study):
    assert qdc_bytes(refi_study.study) == qdc_bytes(refi_study.study)
    assert export_qdpx(refi_study.study).files == export_qdpx(refi_study.study).files
    other = StudyFactory()
    assert guid(other.pk, "code", 1) != guid(refi_study.study.pk, "code", 1)


def test_its_guids_are_uuid5_of_study_kind_and_key():
    assert guid(7, "code", 42) == str(uuid.uuid5(GUID_NAMESPACE, "study/7/code/42"))


def test_it_escapes_names_and_texts_and_drops_characters_xml_cannot_hold(refi_study):
    study = refi_study.study
    Study.objects.filter(pk=study.pk).update(name='Studie "A" & <B>\x0c', description="Rad 1\r\nRad 2 ]]>")
    study.refresh_from_db()
    code = refi_study.codes["digital"]
    Code.objects.filter(pk=code.pk).update(name='Möten & "samtal"\t<digitalt>', definition="a < b && c > d")
    Coding.objects.filter(pk=refi_study.codings["last"].pk).update(memo="Memo med <tagg> & \x01kontrolltecken\n")
    root = etree.fromstring(qdc_bytes(study))
    schema("Codebook.xsd").assertValid(root)
    element = next(el for el in root.iter(f"{QDC}Code") if el.get("guid") == guid(study.pk, "code", code.pk))
    assert element.get("name") == 'Möten & "samtal"\t<digitalt>'
    assert element.findtext(f"{QDC}Description") == "a < b && c > d"
    qdpx = export_qdpx(study)
    schema("Project-mrt2019.xsd").assertValid(qdpx.root)
    assert qdpx.root.get("name") == 'Studie "A" & <B>'
    assert qdpx.root.findtext(f"{QDE}Description").startswith("Rad 1\r\nRad 2 ]]>")
    selection = next(el for el in qdpx.root.iter(f"{QDE}PlainTextSelection")
                     if el.get("guid") == guid(study.pk, "selection", refi_study.codings["last"].pk))
    assert selection.findtext(f"{QDE}Description") == "Memo med <tagg> & kontrolltecken\n"
    imported = StudyFactory()
    import_qdc(imported, qdc_bytes(study), area_for_top_level=None, user=None)
    assert Code.objects.filter(study=imported, name='Möten & "samtal"\t<digitalt>').exists()


def test_it_writes_a_valid_codebook_for_a_study_without_codes(db):
    root = etree.fromstring(qdc_bytes(StudyFactory()))
    schema("Codebook.xsd").assertValid(root)
    assert len(root.findall(f"{QDC}Codes/{QDC}Code")) == 5


# --- the project (.qdpx) ----------------------------------------------------------------------


def test_it_writes_a_zip_whose_project_validates(refi_study):
    qdpx = export_qdpx(refi_study.study)
    schema("Project-mrt2019.xsd").assertValid(qdpx.root)
    assert qdpx.root.tag == f"{QDE}Project"
    assert qdpx.root.get("name") == "Studie REFI"
    assert set(qdpx.files) == {"project.qde"} | {
        f"sources/{guid(refi_study.study.pk, 'source', t.pk)}.txt" for t in refi_study.transcripts.values()
    }
    assert "Teamintervjuer i två omgångar." in qdpx.root.findtext(f"{QDE}Description")


def test_it_exports_each_transcript_as_a_text_source_whose_text_round_trips(refi_study):
    qdpx = export_qdpx(refi_study.study)
    sources = qdpx.sources()
    assert len(sources) == 4
    lead_guid = guid(refi_study.study.pk, "user", refi_study.users["lead"].pk)
    for key in ("t1r1", "t1r2"):
        transcript = refi_study.transcripts[key]
        source = sources[guid(refi_study.study.pk, "source", transcript.pk)]
        assert source.get("plainTextPath") == f"internal://{source.get('guid')}.txt"
        assert source.find(f"{QDE}PlainTextContent") is None
        assert qdpx.source_text(source) == transcript.text
        assert source.get("creatingUser") == lead_guid
    t1r1 = sources[guid(refi_study.study.pk, "source", refi_study.transcripts["t1r1"].pk)]
    assert t1r1.get("name") == "Team 1, omgång 1"
    # Who said what is listed in the description, with positions in the exported text.
    description = t1r1.findtext(f"{QDE}Description")
    text = refi_study.transcripts["t1r1"].text
    start = text.index("Vi träffas")
    assert f"{start}–{start + len(TEAM1_ROUND1[1][1])} Arbetsterapeut" in description


def test_its_selections_slice_the_exported_text_to_the_coded_passage(refi_study):
    qdpx = export_qdpx(refi_study.study)
    study_id = refi_study.study.pk
    selections = {}
    for source in qdpx.sources().values():
        text = qdpx.source_text(source)
        for selection in source.findall(f"{QDE}PlainTextSelection"):
            selections[selection.get("guid")] = (selection, text)
    counted = list(Coding.objects.counted().filter(code__study=refi_study.study))
    assert len(counted) == 6
    assert set(selections) == {guid(study_id, "selection", c.pk) for c in counted}
    for coding in counted:
        selection, text = selections[guid(study_id, "selection", coding.pk)]
        start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
        assert text[start:end] == coding.text
        assert selection.get("creatingUser") == guid(study_id, "user", coding.coder_id)
        assert selection.get("creationDateTime").endswith("Z")
        element = selection.find(f"{QDE}Coding")
        assert element.find(f"{QDE}CodeRef").get("targetGUID") == guid(study_id, "code", coding.code_id)
        assert element.get("creatingUser") == guid(study_id, "user", coding.coder_id)
        assert (selection.findtext(f"{QDE}Description") or "") == coding.memo
    # The passage after the withdrawn turn moved by the placeholder's length difference.
    after = refi_study.codings["after_withdrawn"]
    selection, _text = selections[guid(study_id, "selection", after.pk)]
    withdrawn_turn = refi_study.codings["withdrawn"].turn
    shift = len(WITHDRAWN_PLACEHOLDER) - (withdrawn_turn.end - withdrawn_turn.start)
    assert int(selection.get("startPosition")) == after.start + shift


def test_it_lists_users_by_username(refi_study):
    qdpx = export_qdpx(refi_study.study)
    users = {el.get("name"): el.get("guid") for el in qdpx.root.iter(f"{QDE}User")}
    assert users == {user.username: guid(refi_study.study.pk, "user", user.pk) for user in refi_study.users.values()}


def test_it_exports_teams_as_cases_with_variable_values(refi_study):
    qdpx = export_qdpx(refi_study.study)
    variables = {el.get("guid"): (el.get("name"), el.get("typeOfVariable"))
                 for el in qdpx.root.iter(f"{QDE}Variable")}
    cases = {el.get("name"): el for el in qdpx.root.iter(f"{QDE}Case")}
    assert set(cases) == {"Team 1", "Team 2"}

    def values(element):
        found = {}
        for value in element.findall(f"{QDE}VariableValue"):
            name, kind = variables[value.find(f"{QDE}VariableRef").get("targetGUID")]
            found[name] = value.findtext(f"{QDE}{kind}Value")
        return found

    assert values(cases["Team 1"]) == {
        "Teamnummer": "1", "Kommunstorlek": "liten kommun", "Typ av samverkan": "samverkan mellan kommun och region",
        "Yrkesgrupper": "arbetsterapeut, sjuksköterska", "Verksamhetsområde": "Äldreomsorg", "Status": "etablerat",
    }
    assert values(cases["Team 2"])["Status"] == "i uppstart"
    assert "Verksamhetsområde" not in values(cases["Team 2"])
    team2_sources = {guid(refi_study.study.pk, "source", refi_study.transcripts[key].pk) for key in ("t2r1", "t2r2")}
    assert {ref.get("targetGUID") for ref in cases["Team 2"].findall(f"{QDE}SourceRef")} == team2_sources
    source = qdpx.sources()[guid(refi_study.study.pk, "source", refi_study.transcripts["t1r2"].pk)]
    assert values(source) == {"Omgång": "2"}
    assert "Linköping" not in qdpx.files["project.qde"].decode()


def test_it_exports_notes_and_refers_to_them(refi_study):
    qdpx = export_qdpx(refi_study.study)
    study_id = refi_study.study.pk
    notes = {el.get("guid"): el for el in qdpx.root.iter(f"{QDE}Note")}
    assert len(notes) == 3
    for note in refi_study.notes.values():
        element = notes[guid(study_id, "note", note.pk)]
        assert element.findtext(f"{QDE}PlainTextContent") == note.text
        assert element.get("creatingUser") == guid(study_id, "user", note.author_id)
    familiarisation = guid(study_id, "note", refi_study.notes["familiarisation"].pk)
    source = qdpx.sources()[guid(study_id, "source", refi_study.transcripts["t1r1"].pk)]
    assert [ref.get("targetGUID") for ref in source.findall(f"{QDE}NoteRef")] == [familiarisation]
    code = next(el for el in qdpx.root.iter(f"{QDE}Code") if el.get("name") == "Gemensam planering")
    assert [ref.get("targetGUID") for ref in code.findall(f"{QDE}NoteRef")] == [
        guid(study_id, "note", refi_study.notes["code_memo"].pk)]
    assert [ref.get("targetGUID") for ref in qdpx.root.findall(f"{QDE}NoteRef")] == [
        guid(study_id, "note", refi_study.notes["journal"].pk)]
    assert notes[guid(study_id, "note", refi_study.notes["journal"].pk)].get("name") == "Reflektion vecka 12"


def test_it_leaves_a_withdrawn_participants_words_out_of_every_file(refi_study):
    qdpx = export_qdpx(refi_study.study)
    for name, content in qdpx.files.items():
        assert SECRET not in content.decode("utf-8"), name
        assert "enskild brukare" not in content.decode("utf-8"), name
    withdrawn = refi_study.codings["withdrawn"]
    assert guid(refi_study.study.pk, "selection", withdrawn.pk).encode() not in qdpx.files["project.qde"]
    for key in ("t2r1", "t2r2"):
        source = qdpx.sources()[guid(refi_study.study.pk, "source", refi_study.transcripts[key].pk)]
        text = qdpx.source_text(source)
        assert WITHDRAWN_PLACEHOLDER in text
        assert "Biståndsbedömare" in source.findtext(f"{QDE}Description")


def test_it_writes_to_a_file_that_cannot_seek(refi_study):
    class WriteOnly:
        def __init__(self):
            self.buffer = io.BytesIO()

        def write(self, data):
            return self.buffer.write(data)

        def flush(self):
            pass

    out = WriteOnly()
    write_qdpx(refi_study.study, out)
    with zipfile.ZipFile(io.BytesIO(out.buffer.getvalue())) as archive:
        schema("Project-mrt2019.xsd").assertValid(etree.fromstring(archive.read("project.qde")))


def test_it_streams_a_study_with_thousands_of_codings(db):
    study = StudyFactory()
    coder = UserFactory(username="kodare")
    team = TeamFactory(study=study, number=1)
    sentences = [("Intervjuare" if i % 2 == 0 else "Arbetsterapeut", f"Mening nummer {i} om samverkan och möten.")
                 for i in range(200)]
    codes = [CodeFactory(study=study, name=f"Kod {i}") for i in range(10)]
    rows = []
    for number in (1, 2):
        transcript = make_transcript(InterviewFactory(team=team, round=RoundFactory(study=study, number=number)),
                                     sentences)
        for turn in transcript.turns.all():
            for code in codes[:5]:
                rows.append(Coding(transcript=transcript, code=code, coder=coder, turn=turn, start=turn.start,
                                   end=turn.end, text=transcript.text[turn.start:turn.end]))
    Coding.objects.bulk_create(rows)
    assert len(rows) == 2000
    qdpx = export_qdpx(study)
    schema("Project-mrt2019.xsd").assertValid(qdpx.root)
    selections = 0
    for source in qdpx.sources().values():
        text = qdpx.source_text(source)
        for selection in source.findall(f"{QDE}PlainTextSelection"):
            passage = text[int(selection.get("startPosition")):int(selection.get("endPosition"))]
            assert passage.startswith("Mening nummer ")
            selections += 1
    assert selections == 2000


# --- withdrawn turns: the offset map ----------------------------------------------------------


def test_redaction_moves_positions_after_each_withdrawn_span():
    text = "aaaa\n\nBBBBBBBB\n\ncc\n\nDD\n\neeee"
    redaction = Redaction.from_spans([(20, 22), (6, 14), (3, 3)])  # unsorted, one empty
    exported = redaction.apply(text)
    assert exported == f"aaaa\n\n{WITHDRAWN_PLACEHOLDER}\n\ncc\n\n{WITHDRAWN_PLACEHOLDER}\n\neeee"
    for start, end in ((0, 4), (16, 18), (24, 28), (14, 18)):
        assert exported[redaction.position(start):redaction.position(end)] == text[start:end]


def test_redaction_merges_overlapping_spans_but_not_adjacent_ones():
    redaction = Redaction.from_spans([(2, 6), (4, 8)])
    assert redaction.spans == [(2, 8)]
    assert redaction.apply("0123456789") == f"01{WITHDRAWN_PLACEHOLDER}89"
    adjacent = Redaction.from_spans([(2, 4), (4, 6)])
    assert adjacent.apply("0123456789") == f"01{WITHDRAWN_PLACEHOLDER}{WITHDRAWN_PLACEHOLDER}6789"
    assert adjacent.position(4) == 2 + len(WITHDRAWN_PLACEHOLDER)


# --- the codebook import -----------------------------------------------------------------------


def test_it_recreates_the_code_tree_from_its_own_export(refi_study):
    target = StudyFactory()
    user = UserFactory(username="importor")
    result = import_qdc(target, io.BytesIO(qdc_bytes(refi_study.study)), area_for_top_level=None, user=user)
    assert (result.created, result.reused) == (3, 0)
    assert code_tree(target) == code_tree(refi_study.study)
    assert set(Code.objects.filter(study=target).values_list("created_by", flat=True)) == {user.pk}


def test_it_matches_top_level_codes_to_areas_by_name_and_reuses_codes(db):
    study = StudyFactory()
    digitalisering = Area.objects.get(slug="digitalisering")
    existing = CodeFactory(study=study, area=digitalisering, name="Digitala möten", definition="Egen definition.")
    qdc = f"""<?xml version="1.0" encoding="utf-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVOS">
  <Codes>
    <Code guid="{guid(0, 't', 1)}" name="collaboration" isCodable="false">
      <Code guid="{guid(0, 't', 2)}" name="Gemensamma rutiner" isCodable="true" color="#AABBCC">
        <Description>Rutiner som teamet delar.</Description>
        <Code guid="{guid(0, 't', 3)}" name="Checklistor" isCodable="true"/>
      </Code>
    </Code>
    <Code guid="{guid(0, 't', 4)}" name="DIGITALISERING" isCodable="false">
      <Code guid="{guid(0, 't', 5)}" name="digitala möten" isCodable="true" color="#000000"/>
    </Code>
  </Codes>
</CodeBook>""".encode()
    result = import_qdc(study, qdc, area_for_top_level=None, user=None)
    assert (result.created, result.reused, result.reused_names) == (2, 1, ["Digitala möten"])
    routines = Code.objects.get(study=study, name="Gemensamma rutiner")
    assert (routines.area.slug, routines.parent, routines.colour, routines.definition) == (
        "samverkan", None, "#aabbcc", "Rutiner som teamet delar.")
    assert Code.objects.get(study=study, name="Checklistor").parent == routines
    existing.refresh_from_db()
    assert (existing.definition, existing.colour) == ("Egen definition.", "")  # reused, not changed
    assert Code.objects.filter(study=study, area=digitalisering).count() == 1


QUALCODER_STYLE = """<?xml version="1.0" encoding="UTF-8"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" origin="QualCoder 3.6">
  <Codes>
    <Code guid="{{6F1C3D2A-0B7E-4C55-9E3A-2B1D0C9E8F71}}" name="Kommunikation" isCodable="false" color="#F0A">
      <Description>Hur teamet pratar med varandra.</Description>
      <Code guid="0a0b0c0d-1111-2222-3333-444455556666" name="Informationsöverföring" isCodable="true" color="#336699">
        <Code guid="0a0b0c0d-1111-2222-3333-444455556667" name="Journalanteckningar" isCodable="true"/>
      </Code>
      <Code guid="0a0b0c0d-1111-2222-3333-444455556668" name="Telefon &amp; sms" isCodable="true"/>
    </Code>
    <Code guid="0a0b0c0d-1111-2222-3333-444455556669" name="Brukarens röst" isCodable="true">
      <Description>{description}</Description>
    </Code>
  </Codes>
  <Sets>
    <Set guid="0a0b0c0d-1111-2222-3333-44445555666a" name="Tema A">
      <MemberCode guid="0a0b0c0d-1111-2222-3333-444455556669"/>
    </Set>
  </Sets>
</CodeBook>
"""


def test_it_imports_a_foreign_codebook_under_the_chosen_area(db):
    study = StudyFactory()
    area = Area.objects.get(slug="personcentrering")
    qdc = QUALCODER_STYLE.format(description="Citat där brukaren hörs.").encode()
    result = import_qdc(study, SimpleUploadedFile("kodbok.qdc", qdc), area_for_top_level=area, user=None)
    assert (result.created, result.reused) == (5, 0)
    assert code_tree(study) == {
        ("personcentrering", None, "Kommunikation", "#ff00aa", "Hur teamet pratar med varandra.", "", ""),
        ("personcentrering", "Kommunikation", "Informationsöverföring", "#336699", "", "", ""),
        ("personcentrering", "Informationsöverföring", "Journalanteckningar", "", "", "", ""),
        ("personcentrering", "Kommunikation", "Telefon & sms", "", "", "", ""),
        ("personcentrering", None, "Brukarens röst", "", "Citat där brukaren hörs.", "", ""),
    }


def test_it_places_top_level_codes_by_a_mapping(db):
    study = StudyFactory()
    delaktighet, kompetens = Area.objects.get(slug="delaktighet"), Area.objects.get(slug="kompetens-och-kunskap")
    qdc = QUALCODER_STYLE.format(description="").encode()
    import_qdc(study, qdc, area_for_top_level={"Kommunikation": kompetens, "brukarens röst": delaktighet}, user=None)
    assert Code.objects.get(study=study, name="Journalanteckningar").area == kompetens
    assert Code.objects.get(study=study, name="Brukarens röst").area == delaktighet


def test_it_asks_for_an_area_when_a_top_level_code_has_none(db):
    study = StudyFactory()
    qdc = QUALCODER_STYLE.format(description="").encode()
    with pytest.raises(QdcImportError) as error:
        import_qdc(study, qdc, area_for_top_level={"Kommunikation": Area.objects.first()}, user=None)
    assert str(error.value) == "Välj vilket område dessa toppkoder ska placeras under: ”Brukarens röst”."
    assert not Code.objects.filter(study=study).exists()


def test_it_imports_all_or_nothing(db, monkeypatch):
    study = StudyFactory()
    calls = []
    real_create = Code.objects.create

    def create_then_fail(**kwargs):
        calls.append(kwargs["name"])
        if len(calls) == 3:
            raise IntegrityError("duplicate")
        return real_create(**kwargs)

    monkeypatch.setattr(Code.objects, "create", create_then_fail)
    with pytest.raises(QdcImportError) as error:
        import_qdc(study, QUALCODER_STYLE.format(description="").encode(),
                   area_for_top_level=Area.objects.first(), user=None)
    assert str(error.value) == refi_import.CONFLICT
    assert not Code.objects.filter(study=study).exists()


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="0a0b0c0d-1111-2222-3333-444455556666" name="&lol9;" isCodable="true"/>
</Codes></CodeBook>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE CodeBook [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="0a0b0c0d-1111-2222-3333-444455556666" name="Samverkan" isCodable="false">
<Code guid="0a0b0c0d-1111-2222-3333-444455556667" name="x" isCodable="true"><Description>&xxe;</Description></Code>
</Code></Codes></CodeBook>"""

EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE CodeBook SYSTEM "http://127.0.0.1:9/codebook.dtd">
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code guid="0a0b0c0d-1111-2222-3333-444455556666" name="Samverkan" isCodable="false"/>
</Codes></CodeBook>"""

SCHEMA_INVALID = b"""<?xml version="1.0"?>
<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
<Code name="Samverkan" isCodable="false"><Code guid="nope" name="x" isCodable="kanske"/></Code>
</Codes></CodeBook>"""

WRONG_NAMESPACE = b"""<?xml version="1.0"?>
<CodeBook><Codes><Code guid="0a0b0c0d-1111-2222-3333-444455556666" name="Samverkan" isCodable="false"/></Codes>
</CodeBook>"""

PROJECT_FILE = b"""<?xml version="1.0"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>"""


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("project.qde", PROJECT_FILE)
    return out.getvalue()


def too_large() -> bytes:
    code = b'<Code guid="0a0b0c0d-1111-2222-3333-444455556666" name="x" isCodable="true"/>\n'
    head, tail = b'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>', b"</Codes></CodeBook>"
    count = (refi_import.MAX_BYTES - len(head) - len(tail)) // len(code) + 1
    return head + code * count + tail


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(BILLION_LAUGHS, refi_import.DOCTYPE, id="billion-laughs"),
    pytest.param(EXTERNAL_ENTITY, refi_import.DOCTYPE, id="external-entity"),
    pytest.param(EXTERNAL_DTD, refi_import.DOCTYPE, id="external-dtd"),
    pytest.param(EXTERNAL_ENTITY.decode().replace('version="1.0"', 'version="1.0" encoding="UTF-16"').encode("utf-16"),
                 refi_import.DOCTYPE, id="external-entity-utf16"),
    pytest.param(b"Kod;Definition\nSamverkan;Att arbeta ihop\n", refi_import.NOT_XML, id="csv-not-xml"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00", refi_import.NOT_XML, id="binary-not-xml"),
    pytest.param(b"", refi_import.EMPTY, id="empty"),
    pytest.param(zip_bytes(), refi_import.ZIP_FILE, id="qdpx-zip"),
    pytest.param(PROJECT_FILE, refi_import.PROJECT_FILE, id="project-file"),
    pytest.param(SCHEMA_INVALID, refi_import.SCHEMA_INVALID.format(line=3), id="schema-invalid"),
    pytest.param(WRONG_NAMESPACE, refi_import.SCHEMA_INVALID.format(line=2), id="no-namespace"),
    pytest.param(too_large(), refi_import.TOO_LARGE, id="too-large"),
])
def test_it_rejects_hostile_or_broken_files_and_changes_nothing(refi_study, content, message):
    before = code_tree(refi_study.study)
    with pytest.raises(QdcImportError) as error:
        import_qdc(refi_study.study, io.BytesIO(content), area_for_top_level=Area.objects.first(), user=None)
    assert str(error.value) == message
    assert isinstance(error.value, ValueError)
    assert code_tree(refi_study.study) == before


def test_it_rejects_an_upload_by_its_size_before_reading_it(db):
    upload = SimpleUploadedFile("stor.qdc", b"x")
    upload.size = refi_import.MAX_BYTES + 1
    with pytest.raises(QdcImportError, match="för stor"):
        import_qdc(StudyFactory(), upload, area_for_top_level=None, user=None)


@pytest.mark.parametrize("message", [
    refi_import.TOO_LARGE, refi_import.NOT_XML, refi_import.DOCTYPE, refi_import.SCHEMA_INVALID, refi_import.ZIP_FILE,
])
def test_its_messages_are_swedish(message):
    assert message.startswith("Filen ")
    assert not re.search(r"\b(file|the|is|not|invalid|error|too)\b", message.lower())


def test_it_rejects_codes_with_empty_or_too_long_names(db):
    study = StudyFactory()
    for name, expected in (("  ", refi_import.EMPTY_NAME), ("x" * 121, "för långt")):
        qdc = (f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="{guid(0, "t", 1)}" '
               f'name="{name}" isCodable="true"/></Codes></CodeBook>').encode()
        with pytest.raises(QdcImportError, match=expected):
            import_qdc(study, qdc, area_for_top_level=Area.objects.first(), user=None)
    assert not Code.objects.filter(study=study).exists()


def test_it_refuses_a_codebook_with_too_many_codes(db):
    codes = "".join(f'<Code guid="{guid(0, "t", i)}" name="Kod {i}" isCodable="true"/>'
                    for i in range(refi_import.MAX_CODES + 1))
    qdc = f'<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>{codes}</Codes></CodeBook>'.encode()
    with pytest.raises(QdcImportError, match="för många koder"):
        import_qdc(StudyFactory(), qdc, area_for_top_level=Area.objects.first(), user=None)
    assert not Code.objects.exists()


# --- shared details ----------------------------------------------------------------------------


def test_descriptions_split_back_into_definition_inclusion_and_exclusion(refi_study):
    code = refi_study.codes["planning"]
    assert split_description(code_description(code)) == (code.definition, code.inclusion, code.exclusion)
    assert split_description("Inkludera när: bara detta") == ("", "bara detta", "")
    assert split_description("En vanlig beskrivning.\n\nMed två stycken.") == (
        "En vanlig beskrivning.\n\nMed två stycken.", "", "")


def test_the_embedded_codebook_schema_is_the_published_one():
    vendored = (DATA / "Codebook.xsd").read_bytes()
    assert hashlib.sha256(vendored).hexdigest() == (
        "62a941a02df90991fd9e18bd97c571b88e3c493a722ef1e45a7247f787849c75")
    parser = etree.XMLParser(remove_blank_text=True, remove_comments=True)
    embedded = etree.fromstring(refi_import.CODEBOOK_XSD.encode(), parser)
    assert etree.tostring(embedded, method="c14n") == etree.tostring(etree.fromstring(vendored, parser),
                                                                        method="c14n")
    project = (DATA / "Project-mrt2019.xsd").read_bytes()
    assert hashlib.sha256(project).hexdigest() == (
        "a2cc1ffb4ab1c07c51d6c78e69f2c9968458a9f0ad3b317ddde27f1e86f15a15")
