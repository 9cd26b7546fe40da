"""Tests for transcripts.importers: parsing uploaded transcript files into speaker turns.

No database. Committed fixtures live in tests/transcripts/data (regenerate them with
data/make_fixtures.py); hostile files (zip bombs, entity tricks) are built in memory.
"""

from __future__ import annotations

import io
import random
import struct
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK

from transcripts.importers import (
    ParsedTranscript,
    ParsedTurn,
    TranscriptFileError,
    parse_file,
    parse_single_speaker,
    safety,
)

DATA = Path(__file__).parent / "data"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


# --- helpers ------------------------------------------------------------------------------


def read(name: str) -> bytes:
    return (DATA / name).read_bytes()


def parse_fixture(name: str) -> ParsedTranscript:
    return parse_file(name, read(name))


def triples(result: ParsedTranscript) -> list[tuple[str, str, int | None]]:
    return [(turn.speaker, turn.text, turn.time_seconds) for turn in result.turns]


def parse_txt(text: str) -> ParsedTranscript:
    return parse_file("transkript.txt", text.encode("utf-8"))


def error_for(filename: str, data: bytes, **kwargs: int) -> TranscriptFileError:
    with pytest.raises(TranscriptFileError) as info:
        parse_file(filename, data, **kwargs)
    return info.value


def docx_bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def document_xml(body: str, *, prolog: str = "", ns: str = W_NS) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
        f'<w:document xmlns:w="{ns}"><w:body>{body}</w:body></w:document>'
    )


def paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def raw_docx(
    document: str | bytes,
    *,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """A minimal hand-built package, for XML that python-docx would never write."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", document)
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def patch_declared_size(data: bytes, member: str, size: int) -> bytes:
    """Make the zip directory lie about a member's uncompressed size."""
    buffer = bytearray(data)
    name = member.encode()
    for signature, size_at, name_len_at, name_at in ((b"PK\x01\x02", 24, 28, 46), (b"PK\x03\x04", 22, 26, 30)):
        position = buffer.find(signature)
        while position != -1:
            (name_length,) = struct.unpack_from("<H", buffer, position + name_len_at)
            if buffer[position + name_at : position + name_at + name_length] == name:
                struct.pack_into("<I", buffer, position + size_at, size)
            position = buffer.find(signature, position + 4)
    return bytes(buffer)


# --- plain text ---------------------------------------------------------------------------


def test_it_parses_a_utf8_txt_with_header_notes_and_continuation_lines() -> None:
    result = parse_fixture("utf8.txt")

    assert result.format == "txt"
    assert result.encoding == "utf-8"
    assert result.notes == [
        "Fokusgrupp 2 – Hemtjänst och hemsjukvård, Norrköping",
        "Datum: 2025-03-12",
        "Transkriberat av: projektassistent",
        "Deltagare: IP 1–IP 4, Intervjuare, Bisittare",
    ]
    assert result.speakers() == ["Intervjuare", "IP 1", "IP 2", "IP 3", "Anna-Karin Ström", "IP 4"]
    assert len(result.turns) == 8
    assert result.turns[2] == ParsedTurn(
        "IP 2", "Jag är sjuksköterska i kommunens hemsjukvård.\nVi har ungefär fyrtio patienter var.", None
    )
    # "IP 3:" alone on a line, then a sentence with a colon that is not a label.
    assert result.turns[4] == ParsedTurn(
        "IP 3",
        "Det var så här: vi ringde till biståndshandläggaren flera gånger.\nOch sen hände ingenting på två veckor.",
        None,
    )
    assert result.turns[6].text == "Kl. 10:30 varje dag har vi avstämning. Det har hjälpt mycket."


def test_it_keeps_html_and_template_syntax_verbatim() -> None:
    result = parse_fixture("utf8.txt")

    assert result.turns[5].speaker == "Anna-Karin Ström"
    assert result.turns[5].text == (
        "Får jag lägga till en sak? Vi skriver <b>viktigt</b> i journalen, och {{ mallen }} fungerar inte."
    )
    raw = parse_txt("Intervjuare: <script>alert('x')</script> {% csrf_token %} &amp; {{ user }}")
    assert raw.turns[0].text == "<script>alert('x')</script> {% csrf_token %} &amp; {{ user }}"


def test_it_parses_a_utf8_bom_txt_with_crlf_line_endings() -> None:
    result = parse_fixture("utf8_bom_crlf.txt")

    assert result.encoding == "utf-8-sig"
    assert result.notes == ["Intervju med enhetschefer, omgång 2"]  # no BOM left on the first line
    assert result.speakers() == ["Moderator", "Deltagare A", "Deltagare B", "Deltagare C"]
    assert result.turns[-1] == ParsedTurn(
        "Deltagare C", "Håller med. Och kompetensförsörjningen – vi får för få sökande.", None
    )
    assert all("\r" not in turn.text for turn in result.turns)


def test_it_detects_windows_1252() -> None:
    data = read("cp1252.txt")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # the fixture really is not UTF-8

    result = parse_file("cp1252.txt", data)

    assert result.encoding == "cp1252"
    assert result.notes == ["Transkription fokusgrupp – äldreomsorg Åtvidaberg"]
    assert triples(result) == [
        ("Sjuksköterska 1", "Vi märker att fler äldre bor kvar hemma längre, även med stora vårdbehov.", None),
        ("Arbetsterapeut", "Ja, och då blir hjälpmedlen ännu viktigare. Rullatorer, duschstolar …", None),
        ("Sjuksköterska 1", "Precis. Det är ”rätt hjälpmedel i rätt tid” som gäller.", None),
        ("Biståndshandläggare", "Från vårt håll ser vi att ansökningarna ökar, särskilt om trygghetslarm.", None),
        ("Arbetsterapeut", "Öppna jämförelser visar samma sak för hela länet.", None),
    ]


@pytest.mark.parametrize(
    ("encoded", "encoding"),
    [
        ("Intervjuare: Hur går det för er?\nIP 1: Det går bra, tack.".encode("utf-16"), "utf-16"),
        ("Intervjuare: Hur går det för er?\nIP 1: Det går bra, tack.".encode("utf-16-le"), "utf-16"),
        ("Intervjuare: Hur går det för er?\nIP 1: Det går bra, tack.".encode("cp850"), "cp850"),
        ("Intervjuare: Hur går det för er?\nIP 1: Det går bra, tack.".encode("utf-32"), "utf-32"),
    ],
)
def test_it_detects_other_encodings(encoded: bytes, encoding: str) -> None:
    result = parse_file("a.txt", encoded)

    assert result.encoding == encoding
    assert triples(result) == [("Intervjuare", "Hur går det för er?", None), ("IP 1", "Det går bra, tack.", None)]


def test_it_composes_decomposed_swedish_letters_from_macos() -> None:
    decomposed = "Sjuksko\u0308terska 2: Vi ma\u030arker att a\u0308ldre bor hemma."

    result = parse_txt(decomposed)

    assert result.turns == [ParsedTurn("Sjuksköterska 2", "Vi mårker att äldre bor hemma.", None)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_it_accepts_every_line_ending(newline: str) -> None:
    text = newline.join(["Intervjuare: Första frågan.", "IP 1: Svar ett.", "Fortsättning.", "", "IP 2: Svar två."])

    result = parse_txt(text)

    assert triples(result) == [
        ("Intervjuare", "Första frågan.", None),
        ("IP 1", "Svar ett.\nFortsättning.", None),
        ("IP 2", "Svar två.", None),
    ]


def test_it_reads_time_marks_before_inside_and_after_the_label() -> None:
    result = parse_fixture("tidsmarkeringar.txt")

    assert result.notes == ["Fokusgrupp 4 – Socialpsykiatri", "Inspelningens längd: 58 min"]
    assert triples(result) == [
        ("Intervjuare", "Då har inspelningen startat. Välkomna!", 12),
        ("IP1", "Tack.", 20),
        ("IP2", "Tack, kul att vara här.", 25),
        ("Intervjuare", "Kan ni berätta om ett typiskt ärende?", 65),
        ("IP1", "Ett typiskt ärende börjar ofta med en orosanmälan.\nSen kopplas vi in.", 75),
        ("IP3", "Hos oss ser det annorlunda ut.", 160),
        ("IP2", "Mm, precis.", 175),
        ("IP3", "Vi har ett mobilt team som åker ut.", 190),
        ("Intervjuare", "Vad krävs för att det ska fungera bättre?", 240),  # time on its own line
        ("IP1", "Mer tid, helt enkelt.", 270),
        ("IP2", "Kl. 08:00 har vi morgonmöte: det är då vi fördelar.", 300),
    ]


@pytest.mark.parametrize(
    ("line", "time"),
    [
        ("[99:99:99] IP 1: Hej.", None),
        ("[30:00:00] IP 1: Hej.", None),  # over 24 h: a typo, not a time
        ("[1:02:03.500] IP 1: Hej.", 3723),
        ("IP 1 (12:75): Hej.", None),
        ("[999:00] IP 1: Hej.", None),
    ],
)
def test_it_survives_garbage_time_marks(line: str, time: int | None) -> None:
    result = parse_txt(f"Intervjuare: Välkomna.\n{line}")

    assert result.turns[1] == ParsedTurn("IP 1", "Hej.", time)


@pytest.mark.parametrize(
    "label",
    [
        "Intervjuare",
        "IP 3",
        "IP3",
        "ip3",
        "Sjuksköterska 2",
        "Anna-Karin Ström",
        "Moderator",
        "Deltagare A",
        "Jan de Vries",
        "Anna (moderator)",
        "Biståndshandläggare",
    ],
)
def test_it_recognises_common_speaker_labels(label: str) -> None:
    result = parse_txt(f"Intervjuare: Välkomna.\n{label}: Tack för inbjudan.")

    assert result.turns[-1] == ParsedTurn(label, "Tack för inbjudan.", None)


@pytest.mark.parametrize(
    "sentence",
    [
        "Det var så här: vi ringde.",
        "Jag sa till henne: nej.",
        "Och då frågade chefen: varför?",
        "Kl 10:30 började vi.",
        "Viktigt att komma ihåg: allt tar tid.",
        "Problemet är följande: ingen svarar.",
        "Se https://www.example.se/sida för mer.",
        "Alltså: det är inte så enkelt.",
        "Exempel: när vi ringde hände ingenting.",
        "Problemet: ingen svarar.",
        "Vår slutsats blev ungefär densamma som förra gången, nämligen: mer personal.",
    ],
)
def test_it_does_not_mistake_a_sentence_with_a_colon_for_a_label(sentence: str) -> None:
    result = parse_txt(f"Intervjuare: Vad hände sen?\nIP 1: Ja, alltså.\n{sentence}")

    assert result.speakers() == ["Intervjuare", "IP 1"]
    assert result.turns[-1].text == f"Ja, alltså.\n{sentence}"


def test_it_accepts_labels_on_their_own_line() -> None:
    text = "Intervjuare:\nVälkomna hit.\nVi börjar nu.\n\nIP 1:\nTack.\n\nIntervjuare\nNästa fråga.\n\nIP 2\nOkej."

    result = parse_txt(text)

    assert triples(result) == [
        ("Intervjuare", "Välkomna hit.\nVi börjar nu.", None),
        ("IP 1", "Tack.", None),
        ("Intervjuare", "Nästa fråga.", None),
        ("IP 2", "Okej.", None),
    ]


def test_it_accepts_a_tab_between_label_and_text() -> None:
    text = "Intervjuare\tVälkomna hit.\nIP1\tTack. Anna: hon sa så.\nIP 2 [00:01:10]\tHej.\nMen\tdet här är text."

    result = parse_txt(text)

    assert triples(result) == [
        ("Intervjuare", "Välkomna hit.", None),
        ("IP1", "Tack. Anna: hon sa så.", None),
        ("IP 2", "Hej.\nMen det här är text.", 70),
    ]


def test_it_accepts_a_recurring_lowercase_role_label_but_not_a_one_off() -> None:
    text = (
        "Intervjuare: Berätta.\n"
        "Enhetschef hemtjänst: Vi har en rutin.\n"
        "Lite längre fram: det var bättre.\n"
        "Enhetschef hemtjänst: Den fungerar."
    )

    result = parse_txt(text)

    assert result.speakers() == ["Intervjuare", "Enhetschef hemtjänst"]
    assert result.turns[1].text == "Vi har en rutin.\nLite längre fram: det var bättre."


def test_it_treats_section_headings_inside_the_transcript_as_notes() -> None:
    result = parse_txt("Intervjuare: Välkomna.\nIP 1: Tack.\nFråga 2: Hur fungerar samverkan?\nIP 1: Bra.")

    assert result.notes == ["Fråga 2: Hur fungerar samverkan?"]
    assert triples(result) == [("Intervjuare", "Välkomna.", None), ("IP 1", "Tack.", None), ("IP 1", "Bra.", None)]


def test_it_parses_a_teams_transcript_pasted_into_a_txt() -> None:
    text = (
        "Fokusgrupp 7\nTranskription\n\nAnna Andersson   0:05\nVälkomna.\n\n"
        "Bengt Karlsson   0:12\nTack.\n\nAnna Andersson   0:20\nFörsta frågan."
    )

    result = parse_txt(text)

    assert result.format == "txt"
    assert result.notes == ["Fokusgrupp 7", "Transkription"]
    assert triples(result) == [
        ("Anna Andersson", "Välkomna.", 5),
        ("Bengt Karlsson", "Tack.", 12),
        ("Anna Andersson", "Första frågan.", 20),
    ]


def test_it_parses_a_teams_vtt_renamed_to_txt_as_webvtt() -> None:
    result = parse_file("teams.txt", read("teams.vtt"))

    assert result.format == "vtt"
    assert result.speakers() == ["Anna Andersson", "Bengt Karlsson", "Cecilia Lind", "David Öberg"]


def test_it_matches_extensions_case_insensitively_and_ignores_browser_paths() -> None:
    result = parse_file("C:\\fakepath\\Fokusgrupp 2.TXT", read("utf8.txt"))

    assert result.format == "txt"
    assert len(result.turns) == 8


# --- Word .docx ---------------------------------------------------------------------------


def test_it_parses_a_word_docx_with_talare_prefixes() -> None:
    result = parse_fixture("word_talare.docx")

    assert result.format == "docx"
    assert result.encoding is None
    assert result.notes == ["Fokusgrupp 1 – Samverkan kring utskrivning", "Datum: 4 april 2025"]
    assert triples(result) == [
        ("Intervjuare", "Välkomna. Vi ska prata om utskrivningar från slutenvården.", None),
        (
            "IP 1",
            "När patienten skrivs ut på fredag eftermiddag blir det ofta svårt.\nVi får informationen sent.",
            None,
        ),
        ("IP 2", "Det stämmer. Det var så här: vi fick ett samtal kl. 16:45.", 192),
        ("Intervjuare", "Hur löser ni det?", None),  # soft line break inside one paragraph
        ("IP 3", "Vi har ett team för trygg hemgång.", None),
        ("Enhetschef hemtjänst", "Vi har infört en rutin för helgutskrivningar.", None),
        ("Enhetschef hemtjänst", "Det har fungerat bra hittills.", None),
        ("IP 1", "{% if x %}mallsyntax{% endif %} ska stå kvar som text.", None),
    ]


def test_it_parses_a_word_docx_with_bold_speakers_and_headings() -> None:
    result = parse_fixture("word_fetstil.docx")

    assert result.notes == [
        "Fokusgrupp 3 – Rehabilitering i hemmet",
        "Inspelad 2025-05-20, transkriberad av forskningsassistent.",
        "Tema 2: Hjälpmedel",
    ]
    assert triples(result) == [
        ("Arbetsterapeut", "Vi gör hembesök inom en vecka efter utskrivning.", None),
        ("Fysioterapeut", "Och vi följer upp med träning.\nIbland blir det två besök i veckan.", None),
        ("Intervjuare", "Hur fungerar förskrivningen av hjälpmedel?", None),
        (
            "Arbetsterapeut",
            # bold "väldigt" mid-sentence and bold "Viktigt" + lowercase are emphasis, not labels
            "Det tar för lång tid.\nDet är väldigt viktigt att det går fort.\nViktigt är att vi samarbetar.",
            760,
        ),
        ("Sjuksköterska 2", "Vi ser samma sak i hemsjukvården.", None),  # bold label alone on its line
    ]


def test_it_parses_a_speaker_table_with_time_column_and_header_row() -> None:
    result = parse_fixture("word_tabell.docx")

    assert result.notes == ["Fokusgrupp 5 – Biståndshandläggning"]
    assert triples(result) == [
        ("Intervjuare", "Välkomna. Vi börjar med er roll.", 10),
        ("IP 1", "Jag är biståndshandläggare sedan 2019.\nInnan dess jobbade jag i hemtjänsten.", 31),
        ("Enhetschef hemtjänst", "Jag leder tre arbetsgrupper.", 62),
        ("IP 1", "Vi har täta kontakter.", 100),
    ]


def test_it_parses_a_two_column_table_and_reads_other_tables_row_by_row() -> None:
    document = docx.Document()
    info = document.add_table(rows=2, cols=2)
    info.cell(0, 0).text, info.cell(0, 1).text = "Plats", "Linköping"
    info.cell(1, 0).text, info.cell(1, 1).text = "Längd", "55 minuter lång inspelning"
    turns = document.add_table(rows=3, cols=2)
    for row, (speaker, text) in zip(
        turns.rows, [("Intervjuare:", "Välkomna."), ("IP 1", "Tack."), ("IP 2", "Hej hej.")], strict=True
    ):
        row.cells[0].text, row.cells[1].text = speaker, text

    result = parse_file("tabell.docx", docx_bytes(document))

    assert result.notes == ["Plats", "Linköping", "Längd", "55 minuter lång inspelning"]
    assert triples(result) == [("Intervjuare", "Välkomna.", None), ("IP 1", "Tack.", None), ("IP 2", "Hej hej.", None)]


def test_it_treats_swedish_and_custom_heading_styles_as_notes() -> None:
    document = docx.Document()
    document.styles.add_style("Rubrik 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Intervjuare: Inledning", style="Rubrik 1")  # a heading, not a turn
    document.add_paragraph("Intervjuare: Välkomna.")
    document.add_paragraph("IP 1: Tack.")

    result = parse_file("rubriker.docx", docx_bytes(document))

    assert result.notes == ["Intervjuare: Inledning"]
    assert triples(result) == [("Intervjuare", "Välkomna.", None), ("IP 1", "Tack.", None)]


def test_it_reads_tracked_changes_hyperlinks_and_content_controls() -> None:
    body = (
        "<w:p><w:r><w:t>Intervjuare: Vi </w:t></w:r>"
        "<w:del><w:r><w:delText>raderad </w:delText></w:r></w:del>"
        "<w:ins><w:r><w:t>infogad</w:t></w:r></w:ins><w:r><w:t xml:space='preserve'> text.</w:t></w:r></w:p>"
        "<w:sdt><w:sdtContent>"
        "<w:p><w:hyperlink><w:r><w:t>IP 1: Länk</w:t></w:r></w:hyperlink><w:r><w:t>text</w:t></w:r></w:p>"
        "</w:sdtContent></w:sdt>"
    )

    result = parse_file("spårade.docx", raw_docx(document_xml(body)))

    assert triples(result) == [("Intervjuare", "Vi infogad text.", None), ("IP 1", "Länktext", None)]


def test_it_reads_deeply_nested_tables_in_linear_time() -> None:
    nested = paragraph("IP 1: Längst in.")
    for _ in range(80):  # re-reading each level's cells would take 2**80 steps
        nested = f"<w:tbl><w:tr><w:tc>{nested}</w:tc></w:tr></w:tbl>"
    body = paragraph("Intervjuare: Hej.") + nested

    result = parse_file("nästlad.docx", raw_docx(document_xml(body)))

    assert triples(result) == [("Intervjuare", "Hej.", None), ("IP 1", "Längst in.", None)]


def test_it_reads_a_word_tab_between_speaker_and_text() -> None:
    def tabbed(label: str, text: str) -> str:
        return f"<w:p><w:r><w:t>{label}</w:t></w:r><w:r><w:tab/></w:r><w:r><w:t>{text}</w:t></w:r></w:p>"

    body = tabbed("Intervjuare", "Välkomna.") + tabbed("IP 1", "Tack.") + tabbed("IP 2", "Hej.")

    result = parse_file("tabbar.docx", raw_docx(document_xml(body)))

    assert triples(result) == [("Intervjuare", "Välkomna.", None), ("IP 1", "Tack.", None), ("IP 2", "Hej.", None)]


def test_it_reads_strict_open_xml_documents() -> None:
    strict = "http://purl.oclc.org/ooxml/wordprocessingml/main"
    body = paragraph("Intervjuare: Hej.") + paragraph("IP 1: Hej hej.")

    result = parse_file("strikt.docx", raw_docx(document_xml(body, ns=strict)))

    assert result.speakers() == ["Intervjuare", "IP 1"]


def test_it_parses_a_docx_renamed_to_txt_or_doc_by_content() -> None:
    data = read("word_talare.docx")

    assert parse_file("transkript.txt", data).format == "docx"
    assert parse_file("transkript.doc", data).format == "docx"


# --- Teams .docx --------------------------------------------------------------------------


def test_it_parses_a_teams_docx_export() -> None:
    result = parse_fixture("teams_export.docx")

    assert result.format == "teams-docx"
    assert result.notes == [
        "Fokusgrupp hemtjänst Motala-20261202_095812-Mötesinspelning",
        "2 december 2026, 09:58AM",
        "47 min 12 s",
        "Anna Andersson startade transkriberingen",
        "Anna Andersson stoppade transkriberingen",
    ]
    assert triples(result) == [
        # two consecutive entries by Anna merged into one turn
        ("Anna Andersson", "Välkomna allihop. Då kör vi igång. Vi börjar med en presentationsrunda.", 3),
        ("Bengt Karlsson", "Jag heter Bengt och är arbetsterapeut.", 15),  # tab between name and time
        ("Cecilia Lind", "Jag är sjuksköterska.\nJag har jobbat i hemsjukvården länge.", 62),  # next paragraphs
        ("Bengt Karlsson", "Det håller jag med om.", 90),  # name and time split by a line break
        ("David Öberg", "Vi får avsluta där. Tack för i dag!", 3725),  # h:mm:ss
    ]


def test_it_parses_an_english_teams_docx_with_display_names() -> None:
    document = docx.Document()
    for text in ["Focus group 3", "December 2, 2026, 9:58AM", "Transcript", "Anna Andersson started transcription"]:
        document.add_paragraph(text)
    for head, text in [
        ("Andersson, Anna (Region Östergötland)   0:04", "Hello everyone, välkomna."),
        ("Karlsson Bengt   0:10", "Tack."),
        ("Andersson, Anna (Region Östergötland)   1:15", "Vi börjar."),
    ]:
        document.add_paragraph(head)
        document.add_paragraph(text)
    document.add_paragraph("Anna Andersson stopped transcription")

    result = parse_file("Focus group.docx", docx_bytes(document))

    assert result.format == "teams-docx"
    assert result.notes[-1] == "Anna Andersson stopped transcription"
    assert triples(result) == [
        ("Andersson, Anna (Region Östergötland)", "Hello everyone, välkomna.", 4),
        ("Karlsson Bengt", "Tack.", 10),
        ("Andersson, Anna (Region Östergötland)", "Vi börjar.", 75),
    ]


def test_it_parses_the_older_teams_docx_layout_with_arrows() -> None:
    document = docx.Document()
    for text in [
        "0:0:0.0 --> 0:0:4.860",
        "Andersson, Anna",
        "Välkomna till fokusgruppen.",
        "0:0:4.860 --> 0:0:9.100",
        "Andersson, Anna",
        "Vi börjar strax.",
        "0:0:9.500 --> 0:0:12.0",
        "Lind, Cecilia",
        "Tack.",
    ]:
        document.add_paragraph(text)

    result = parse_file("gammal.docx", docx_bytes(document))

    assert result.format == "teams-docx"
    assert triples(result) == [
        ("Andersson, Anna", "Välkomna till fokusgruppen. Vi börjar strax.", 0),
        ("Lind, Cecilia", "Tack.", 9),
    ]


# --- Teams .vtt ---------------------------------------------------------------------------


def test_it_parses_a_teams_vtt_and_merges_consecutive_cues() -> None:
    result = parse_fixture("teams.vtt")

    assert result.format == "vtt"
    assert result.notes == ["Exporterad från Microsoft Teams"]
    assert triples(result) == [
        (
            "Anna Andersson",
            "Välkomna allihop till den här fokusgruppen. Vi börjar med en kort presentationsrunda.",
            3,
        ),
        ("Bengt Karlsson", "Hej, jag heter Bengt och jobbar som arbetsterapeut i Linköpings kommun.", 12),
        # the cue without a voice tag continues Cecilia's turn; &amp; is unescaped
        (
            "Cecilia Lind",
            "Jag är sjuksköterska inom hemsjukvården & har varit det i tio år. och jag trivs väldigt bra.",
            19,
        ),
        ("Anna Andersson", "Tack! Och du, David?", 28),  # <c.color…> stripped
        ("David Öberg", "Jag är biståndshandläggare. Vi skriver <script> ibland i mallen, haha.", 62),
        ("Anna Andersson", "Intressant.", 70),  # no closing </v>
    ]
    assert result.speakers() == ["Anna Andersson", "Bengt Karlsson", "Cecilia Lind", "David Öberg"]


def test_it_handles_bom_and_crlf_in_vtt() -> None:
    data = b"\xef\xbb\xbf" + read("teams.vtt").replace(b"\n", b"\r\n")

    assert triples(parse_file("teams.vtt", data)) == triples(parse_fixture("teams.vtt"))


def test_it_handles_vtt_cues_without_voice_tags_and_with_two_voices() -> None:
    vtt = (
        "WEBVTT\n\n"
        "00:01.000 --> 00:03.000\nHej, är det någon där?\n\n"
        "00:04.000 --> 00:06.000\n<v.loud Anna Ek>Ja, hej!</v><v Bo Ek>Hej!</v>\n\n"
        "00:07.000 --> 00:09.000\n<v Bo Ek>Ska vi börja?\n\n"
        "00:10.000 --> 00:12.000\n<i>Ja</i>, <b>gärna</b>. <script>x</script>\n"
    )

    result = parse_file("a.vtt", vtt.encode())

    assert triples(result) == [
        ("Okänd talare", "Hej, är det någon där?", 1),
        ("Anna Ek", "Ja, hej!", 4),
        ("Bo Ek", "Hej! Ska vi börja? Ja, gärna. <script>x</script>", 4),
    ]


def test_it_reads_speaker_labels_written_in_vtt_cue_text() -> None:
    vtt = (
        "WEBVTT\n\n1\n00:00:01.000 --> 00:00:03.000\nIntervjuare: Välkomna.\n\n"
        "2\n00:00:04.000 --> 00:00:05.000\nIP 1: Tack.\n"
    )

    result = parse_file("zoom.vtt", vtt.encode())

    assert triples(result) == [("Intervjuare", "Välkomna.", 1), ("IP 1", "Tack.", 4)]


def test_it_keeps_a_colon_phrase_in_a_teams_cue_without_voice_tag_as_speech() -> None:
    vtt = (
        "WEBVTT\n\n00:01.000 --> 00:02.000\n<v Anna Ek>Vi har en rutin.</v>\n\n"
        "00:02.000 --> 00:04.000\nBra: den funkar.\n"
    )

    result = parse_file("a.vtt", vtt.encode())

    assert triples(result) == [("Anna Ek", "Vi har en rutin. Bra: den funkar.", 1)]


def test_it_reports_a_broken_vtt_timestamp_with_its_line_number() -> None:
    lines = read("teams.vtt").decode().split("\n")
    assert lines[14] == "00:00:12.300 --> 00:00:18.900"
    lines[14] = "00:00:0x.000 --> 00:00:18.900"

    error = error_for("teams.vtt", "\n".join(lines).encode())

    assert error.code == "vtt_timestamp"
    assert error.line == 15
    assert str(error).startswith("Rad 15: tidsstämpeln '00:00:0x.000 --> 00:00:18.900' kan inte läsas")


@pytest.mark.parametrize(
    "timing",
    [
        "00:00:01.000 -> 00:00:02.000",
        "00:00:01.000 --> 00:00:62.000",
        "00:61:01.000 --> 00:62:00.000",
        "00:00:01.000 -->",
    ],
)
def test_it_rejects_malformed_vtt_timings(timing: str) -> None:
    error = error_for("a.vtt", f"WEBVTT\n\n{timing}\n<v Anna>Hej</v>\n".encode())

    assert error.code == "vtt_timestamp"
    assert error.line == 3
    assert "Rad 3" in str(error)


@pytest.mark.parametrize(
    "content", ["Intervjuare: Hej.\n", "WEBVTTX\n\n00:01.000 --> 00:02.000\nHej\n", "00:01.000 --> 00:02.000\nHej\n"]
)
def test_it_rejects_a_vtt_without_webvtt_header(content: str) -> None:
    error = error_for("a.vtt", content.encode())

    assert error.code == "vtt_invalid"
    assert "WEBVTT" in str(error)


# --- bad input ----------------------------------------------------------------------------


def test_it_rejects_a_file_over_the_size_limit_naming_the_limit() -> None:
    error = error_for("a.txt", b"a" * (10 * 1024 * 1024 + 1))
    assert error.code == "too_large"
    assert "10 MB" in str(error)

    small = error_for("a.docx", read("word_talare.docx"), max_bytes=20_000)
    assert small.code == "too_large"
    assert "0,02 MB" not in str(small) and "MB" in str(small)


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("a.txt", b""),
        ("a.txt", b" \r\n\t \n"),
        ("a.txt", b"\xef\xbb\xbf\r\n"),
        ("a.txt", "  \n \n".encode("utf-16")),
        ("a.vtt", b""),
        ("a.docx", b""),
    ],
)
def test_it_rejects_empty_files(filename: str, data: bytes) -> None:
    error = error_for(filename, data)

    assert error.code == "empty"
    assert "tom" in str(error)


def test_it_rejects_a_docx_without_any_text_as_empty() -> None:
    assert error_for("tom.docx", docx_bytes(docx.Document())).code == "empty"
    assert error_for("tom.docx", raw_docx(document_xml("<w:p/><w:p><w:r><w:t> </w:t></w:r></w:p>"))).code == "empty"


@pytest.mark.parametrize(
    "data",
    [
        random.Random(1).randbytes(4096),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
        b"Intervjuare: Hej\x00\x00\x00 IP 1: Hej",
        bytes(range(1, 32)) * 50,
    ],
)
def test_it_rejects_binary_data_named_txt(data: bytes) -> None:
    error = error_for("transkript.txt", data)

    assert error.code == "binary"
    assert "binärdata" in str(error)


@pytest.mark.parametrize(
    "data",
    [b"\xef\xbb\xbfIntervjuare: Hej \xff\xfe d\xe5", b"\xff\xfe" + "IP 1: Hej".encode("utf-16-le") + b"\x00\xd8"],
)
def test_it_rejects_text_that_contradicts_its_byte_order_mark(data: bytes) -> None:
    error = error_for("a.txt", data)

    assert error.code == "encoding"
    assert "UTF-8" in str(error)


def test_it_rejects_random_bytes_named_docx() -> None:
    error = error_for("a.docx", random.Random(2).randbytes(5000))

    assert error.code == "not_docx"
    assert str(error).startswith("Filen är inte ett giltigt Word-dokument (.docx)")


@pytest.mark.parametrize(
    ("members", "hint"),
    [
        ({"xl/workbook.xml": b"<workbook/>", "[Content_Types].xml": b"<Types/>"}, "Excel"),
        ({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<x/>"}, "OpenDocument"),
        ({"readme.txt": b"Intervjuare: Hej"}, "word/document.xml"),
    ],
)
def test_it_rejects_a_zip_that_is_not_a_word_document(members: dict[str, bytes], hint: str) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)

    error = error_for("a.docx", buffer.getvalue())

    assert error.code == "not_docx"
    assert hint in str(error)


@pytest.mark.parametrize("cut", [100, 1000, 5000, 20_000, -200, -10])
def test_it_rejects_a_truncated_docx(cut: int) -> None:
    data = read("word_talare.docx")

    assert error_for("a.docx", data[:cut]).code == "not_docx"


def test_it_rejects_a_docx_whose_document_is_not_xml() -> None:
    assert error_for("a.docx", raw_docx("<w:document><w:body><w:p>")).code == "not_docx"


def test_it_rejects_old_word_files() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)

    error = error_for("Fokusgrupp.DOC", ole)
    assert error.code == "old_doc"
    assert str(error) == ("Word 97–2003-filer (.doc) stöds inte. Spara filen som .docx i Word och försök igen.")
    assert error_for("renamed.docx", ole).code == "old_doc"


def test_it_explains_a_password_protected_docx() -> None:
    encrypted = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64) + "EncryptedPackage".encode("utf-16-le")

    error = error_for("hemligt.docx", encrypted)

    assert error.code == "not_docx"
    assert "lösenord" in str(error)


@pytest.mark.parametrize(
    ("filename", "data"), [("a.pdf", b"%PDF-1.7\n%\xe2\xe3"), ("a.docx", b"%PDF-1.4\n"), ("a.txt", b"%PDF-1.5\n")]
)
def test_it_rejects_pdf(filename: str, data: bytes) -> None:
    error = error_for(filename, data)

    assert error.code == "pdf"
    assert "PDF" in str(error)


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("a.odt", b"PK\x03\x04 odt"),
        ("transkript", b"Intervjuare: Hej"),
        ("a.srt", b"1\n00:00:01,000"),
        ("a.rtf", b"{\\rtf1 hej}"),
    ],
)
def test_it_rejects_unsupported_file_types_listing_the_supported_ones(filename: str, data: bytes) -> None:
    error = error_for(filename, data)

    assert error.code == "unsupported"
    assert "stöds inte" in str(error)
    if not filename.endswith(".rtf"):
        assert ".txt" in str(error) and ".docx" in str(error) and ".vtt" in str(error)


# --- zip bombs and XML tricks ---------------------------------------------------------------


def test_it_rejects_a_docx_that_declares_too_much_uncompressed_data() -> None:
    data = raw_docx(document_xml(paragraph("IP 1: Hej.")), extra={"word/media/bild.png": b"x" * 1000})
    lying = patch_declared_size(data, "word/media/bild.png", 60 * 1024 * 1024)

    error = error_for("bomb.docx", lying)

    assert error.code == "zip_bomb"
    assert "50 MB" in str(error)
    assert error_for("a.docx", read("word_talare.docx"), max_uncompressed_bytes=10_000).code == "zip_bomb"


def test_it_rejects_a_docx_member_with_an_extreme_compression_ratio() -> None:
    data = raw_docx(document_xml(paragraph("IP 1: Hej.")), extra={"word/media/bild.png": bytes(3 * 1024 * 1024)})
    assert len(data) < 20_000  # 3 MB of zeros packed into a few kB

    assert error_for("bomb.docx", data).code == "zip_bomb"


def test_it_rejects_a_docx_with_too_many_members() -> None:
    extra = {f"word/media/bild{i}.png": b"x" for i in range(1001)}

    assert error_for("bomb.docx", raw_docx(document_xml(paragraph("IP 1: Hej.")), extra=extra)).code == "zip_bomb"


def test_it_stops_decompressing_when_a_member_exceeds_its_declared_size() -> None:
    body = paragraph("Intervjuare: Hej.") * 40_000  # ~2.4 MB that deflates very well
    data = raw_docx(document_xml(body))
    lying = patch_declared_size(data, "word/document.xml", 1000)  # below the ratio rule's floor

    error = error_for("bomb.docx", lying)

    assert error.code == "zip_bomb"  # zipfile alone would report a CRC error after inflating it all


def test_it_rejects_stored_members_longer_than_declared() -> None:
    data = raw_docx(document_xml(paragraph("IP 1: Hej.") * 100), compression=zipfile.ZIP_STORED)

    assert error_for("a.docx", patch_declared_size(data, "word/document.xml", 500)).code == "zip_bomb"


BILLION_LAUGHS = (
    '<!DOCTYPE w:document [<!ENTITY lol "lol">'
    '<!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
EXTERNAL_ENTITY = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize(
    ("prolog", "text"),
    [(BILLION_LAUGHS, "IP 1: &lol3;"), (EXTERNAL_ENTITY, "IP 1: &xxe;"), ("<!DOCTYPE w:document>", "IP 1: Hej")],
)
def test_it_rejects_entity_declarations_in_the_document(prolog: str, text: str) -> None:
    error = error_for("a.docx", raw_docx(document_xml(paragraph(text), prolog=prolog)))

    assert error.code == "xml_entities"
    assert "DOCTYPE" in str(error)


def test_it_rejects_entity_declarations_in_any_xml_part() -> None:
    styles = f'<?xml version="1.0"?>{EXTERNAL_ENTITY}<w:styles xmlns:w="{W_NS}"/>'
    data = raw_docx(document_xml(paragraph("IP 1: Hej.")), extra={"word/styles.xml": styles.encode()})

    assert error_for("a.docx", data).code == "xml_entities"


def test_it_rejects_entity_declarations_in_utf16_xml() -> None:
    xml = document_xml(paragraph("IP 1: &xxe;"), prolog=EXTERNAL_ENTITY).replace(
        'encoding="UTF-8"', 'encoding="UTF-16"'
    )

    assert error_for("a.docx", raw_docx(xml.encode("utf-16"))).code == "xml_entities"


def test_it_never_expands_entities_even_if_the_dtd_screen_were_bypassed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(safety, "reject_dtd", lambda content: None)
    xml = document_xml(paragraph("IP 1: &lol3;"), prolog=BILLION_LAUGHS).encode()

    with pytest.raises(TranscriptFileError) as info:
        safety.parse_xml(xml)

    assert info.value.code == "xml_entities"


def test_it_explains_that_a_text_without_turns_can_be_imported_as_one_speaker() -> None:
    prose = "Det här är bara en anteckning.\nUtan talare.\n\nDen har två stycken."

    error = error_for("anteckning.txt", prose.encode())

    assert error.code == "no_turns"
    message = str(error)
    assert "Intervjuare: " in message and "Teams" in message and ".vtt" in message and ".docx" in message
    assert "som en talare" in message
    assert error_for("a.vtt", b"WEBVTT\n\nNOTE bara en kommentar\n").code == "no_turns"
    document = docx.Document()
    document.add_paragraph("Bara löptext utan några talare alls.")
    assert error_for("a.docx", docx_bytes(document)).code == "no_turns"


def _corruptions() -> list[tuple[str, bytes]]:
    rng = random.Random(42)
    cases: list[tuple[str, bytes]] = []
    for name in ["utf8.txt", "teams.vtt", "word_talare.docx", "teams_export.docx", "word_tabell.docx"]:
        data = read(name)
        for _ in range(6):
            flipped = bytearray(data)
            for _ in range(rng.randint(1, 20)):
                flipped[rng.randrange(len(flipped))] = rng.randrange(256)
            cases.append((name, bytes(flipped)))
            cases.append((name, data[: rng.randrange(1, len(data))]))
    for ext in ["txt", "vtt", "docx", "doc", "text"]:
        for size in [1, 7, 300, 5000]:
            cases.append((f"x.{ext}", rng.randbytes(size)))
    return cases


def test_it_never_raises_anything_but_transcript_file_error_on_corrupt_input() -> None:
    for filename, data in _corruptions():
        try:
            result = parse_file(filename, data)
        except TranscriptFileError as error:
            assert error.code and str(error)
        else:
            assert isinstance(result, ParsedTranscript)


def test_it_refuses_unknown_error_codes() -> None:
    with pytest.raises(ValueError, match="unknown"):
        TranscriptFileError("x", "oops")


# --- single speaker fallback, result helpers ---------------------------------------------------


def test_it_imports_a_text_without_turns_as_a_single_speaker() -> None:
    prose = "Det här är bara en anteckning.\r\nUtan talare: men med kolon.\r\n\r\nDen har två stycken."

    result = parse_single_speaker("anteckning.txt", prose.encode("cp1252"), speaker="Intervjuperson")

    assert result.format == "txt"
    assert result.encoding == "cp1252"
    assert result.notes == []
    assert result.turns == [
        ParsedTurn(
            "Intervjuperson", "Det här är bara en anteckning.\nUtan talare: men med kolon.\nDen har två stycken.", None
        )
    ]


def test_it_imports_docx_and_vtt_as_a_single_speaker() -> None:
    word = parse_single_speaker("a.docx", read("word_fetstil.docx"))
    assert word.speakers() == ["Talare"]
    assert word.turns[0].text.split("\n")[:3] == [
        "Fokusgrupp 3 – Rehabilitering i hemmet",
        "Inspelad 2025-05-20, transkriberad av forskningsassistent.",
        "Arbetsterapeut Vi gör hembesök inom en vecka efter utskrivning.",
    ]

    vtt = parse_single_speaker("a.vtt", read("teams.vtt"))
    assert vtt.turns[0].text.startswith("Välkomna allihop till den här fokusgruppen. Vi börjar")
    assert vtt.turns[0].text.endswith("haha. Intressant.")


def test_it_applies_the_same_checks_to_the_single_speaker_import() -> None:
    with pytest.raises(TranscriptFileError) as info:
        parse_single_speaker("a.txt", b"  ")
    assert info.value.code == "empty"
    with pytest.raises(TranscriptFileError) as info:
        parse_single_speaker("a.txt", b"x" * 2000, max_bytes=1000)
    assert info.value.code == "too_large"


def test_it_counts_words_and_lists_speakers_in_order_of_appearance() -> None:
    result = parse_txt("IP 2: Hej och välkomna.\nIntervjuare: Tack, Anna-Karin! Kl. 10:30 – ja.\nIP 2: Ja.")

    assert result.speakers() == ["IP 2", "Intervjuare"]
    assert result.word_count() == 3 + 5 + 1  # "Anna-Karin" and "10:30" are one word each


@pytest.mark.parametrize(
    "name", ["utf8.txt", "cp1252.txt", "tidsmarkeringar.txt", "teams.vtt", "word_fetstil.docx", "teams_export.docx"]
)
def test_it_round_trips_through_json(name: str) -> None:
    import json

    result = parse_fixture(name)

    restored = ParsedTranscript.from_json(json.loads(json.dumps(result.to_json())))

    assert restored == result


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"format": "pdf", "turns": []},
        {"format": "txt", "turns": [{"speaker": "A"}]},
        {"format": "txt", "turns": [{"speaker": "A", "text": "x", "time_seconds": "12"}]},
        {"format": "txt", "turns": "nej"},
    ],
)
def test_it_rejects_malformed_json(data: dict) -> None:
    with pytest.raises(ValueError):
        ParsedTranscript.from_json(data)


# --- size: 12,000-word transcripts (not timed here; see the report for timings) ---------------

WORDS = [
    "vi",
    "har",
    "en",
    "bra",
    "samverkan",
    "med",
    "hemtjänsten",
    "och",
    "biståndshandläggaren",
    "men",
    "det",
    "tar",
    "ofta",
    "lång",
    "tid",
    "innan",
    "beslutet",
    "kommer",
    "fram",
    "till",
    "oss",
    "i",
    "verksamheten",
]
SPEAKERS = ["Intervjuare", "IP 1", "IP 2", "Sjuksköterska 3", "Anna-Karin Ström"]
TEAMS_NAMES = ["Anna Andersson", "Bengt Karlsson", "Cecilia Lind", "David Öberg", "Eva Åberg"]


def _long_turns(speakers: list[str]) -> list[tuple[str, str, int]]:
    """500 turns of 24 words: 12,000 words."""
    rng = random.Random(7)
    turns = []
    for index in range(500):
        words = [rng.choice(WORDS) for _ in range(24)]
        turns.append((speakers[index % len(speakers)], " ".join(words).capitalize() + ".", index * 7))
    return turns


def _hms(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def long_txt() -> bytes:
    return "\n".join(f"[{_hms(t)}] {s}: {x}" for s, x, t in _long_turns(SPEAKERS)).encode()


def long_vtt() -> bytes:
    lines = ["WEBVTT", ""]
    for index, (speaker, text, start) in enumerate(_long_turns(TEAMS_NAMES)):
        words = text.split()
        for part, (first, last) in enumerate([(0, 12), (12, 24)]):  # two cues per turn, merged
            cue_start = start + 3 * part
            lines += [
                f"4d1f0c2e-{index}/{part}-0",
                f"{_hms(cue_start)}.120 --> {_hms(cue_start + 3)}.000",
                f"<v {speaker}>{' '.join(words[first:last])}</v>",
                "",
            ]
    return "\n".join(lines).encode()


def long_word_docx() -> bytes:
    document = docx.Document()
    document.add_heading("Fokusgrupp 9", level=1)
    for speaker, text, start in _long_turns(SPEAKERS):
        para = document.add_paragraph()
        para.add_run(speaker).bold = True
        para.add_run(f" [{_hms(start)}] {text}")
    return docx_bytes(document)


def long_teams_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("Fokusgrupp 9-20261202_095812-Mötesinspelning")
    for speaker, text, start in _long_turns(TEAMS_NAMES):
        para = document.add_paragraph(f"{speaker}   {start // 60}:{start % 60:02d}")
        para.add_run().add_break(WD_BREAK.LINE)
        para.add_run(text)
    return docx_bytes(document)


@pytest.mark.parametrize(
    ("filename", "build", "fmt"),
    [
        ("lång.txt", long_txt, "txt"),
        ("lång.vtt", long_vtt, "vtt"),
        ("lång.docx", long_word_docx, "docx"),
        ("lång-teams.docx", long_teams_docx, "teams-docx"),
    ],
)
def test_it_parses_a_12000_word_transcript_in_every_format(filename: str, build, fmt: str) -> None:
    result = parse_file(filename, build())

    assert result.format == fmt
    assert len(result.turns) == 500
    assert result.word_count() == 12_000
    assert result.turns[1].time_seconds == 7
