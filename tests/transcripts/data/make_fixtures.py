"""Regenerate the committed transcript fixtures in this directory.

Run from the repository root: ``.venv/bin/python tests/transcripts/data/make_fixtures.py``.
The texts are invented (no real interview); the Teams names are fictitious. The .docx
files are rewritten with new timestamps in docProps, so only regenerate on purpose.
"""

from __future__ import annotations

from pathlib import Path

import docx
from docx.enum.text import WD_BREAK

HERE = Path(__file__).resolve().parent

UTF8_TXT = """\
Fokusgrupp 2 – Hemtjänst och hemsjukvård, Norrköping
Datum: 2025-03-12
Transkriberat av: projektassistent
Deltagare: IP 1–IP 4, Intervjuare, Bisittare

Intervjuare: Välkomna allihop, och tack för att ni ville vara med. Vi börjar med en kort presentationsrunda.
IP 1: Ja, jag jobbar som undersköterska i hemtjänsten sedan tolv år.
IP 2: Jag är sjuksköterska i kommunens hemsjukvård.
Vi har ungefär fyrtio patienter var.
Intervjuare: Hur fungerar samverkan mellan er i vardagen?
IP 3:
Det var så här: vi ringde till biståndshandläggaren flera gånger.
Och sen hände ingenting på två veckor.

Anna-Karin Ström: Får jag lägga till en sak? Vi skriver <b>viktigt</b> i journalen, och {{ mallen }} fungerar inte.
IP 4: Kl. 10:30 varje dag har vi avstämning. Det har hjälpt mycket.
Intervjuare: Tack. Då går vi vidare till nästa fråga.
"""

UTF8_BOM_TXT = """\
Intervju med enhetschefer, omgång 2
Moderator: Då sätter vi igång. Berätta gärna om er roll.
Deltagare A: Jag är enhetschef för två hemtjänstgrupper i en mindre kommun.
Deltagare B: Och jag ansvarar för korttidsboendet.
Moderator: Vilka är de största utmaningarna just nu?
Deltagare A: Bemanningen, helt klart. Särskilt på helger.
Deltagare C: Håller med. Och kompetensförsörjningen – vi får för få sökande.
"""

CP1252_TXT = """\
Transkription fokusgrupp – äldreomsorg Åtvidaberg
Sjuksköterska 1: Vi märker att fler äldre bor kvar hemma längre, även med stora vårdbehov.
Arbetsterapeut: Ja, och då blir hjälpmedlen ännu viktigare. Rullatorer, duschstolar …
Sjuksköterska 1: Precis. Det är ”rätt hjälpmedel i rätt tid” som gäller.
Biståndshandläggare: Från vårt håll ser vi att ansökningarna ökar, särskilt om trygghetslarm.
Arbetsterapeut: Öppna jämförelser visar samma sak för hela länet.
"""

TIME_MARKS_TXT = """\
Fokusgrupp 4 – Socialpsykiatri
Inspelningens längd: 58 min

[00:00:12] Intervjuare: Då har inspelningen startat. Välkomna!
[00:00:20] IP1: Tack.
00:00:25 IP2: Tack, kul att vara här.
Intervjuare [00:01:05]: Kan ni berätta om ett typiskt ärende?
IP1: [00:01:15] Ett typiskt ärende börjar ofta med en orosanmälan.
Sen kopplas vi in.
(00:02:40) IP3: Hos oss ser det annorlunda ut.
[02:55] IP2: Mm, precis.
IP3 (00:03:10): Vi har ett mobilt team som åker ut.
[00:04:00]
Intervjuare: Vad krävs för att det ska fungera bättre?
IP1: 00:04:30 Mer tid, helt enkelt.
[00:05:00] IP2: Kl. 08:00 har vi morgonmöte: det är då vi fördelar.
"""

TEAMS_VTT = """\
WEBVTT

NOTE
Exporterad från Microsoft Teams

3f9a1c52-7d4e-4b8a-9c61-2e5d8f0a1b3c/12-0
00:00:03.120 --> 00:00:07.450
<v Anna Andersson>Välkomna allihop till den här fokusgruppen.</v>

3f9a1c52-7d4e-4b8a-9c61-2e5d8f0a1b3c/12-1
00:00:07.450 --> 00:00:11.020
<v Anna Andersson>Vi börjar med en kort presentationsrunda.</v>

3f9a1c52-7d4e-4b8a-9c61-2e5d8f0a1b3c/15-0
00:00:12.300 --> 00:00:18.900
<v Bengt Karlsson>Hej, jag heter Bengt och jobbar som
arbetsterapeut i Linköpings kommun.</v>

3f9a1c52-7d4e-4b8a-9c61-2e5d8f0a1b3c/16-0
00:00:19.000 --> 00:00:24.500
<v Cecilia Lind>Jag är sjuksköterska inom hemsjukvården &amp; har varit det i tio år.</v>

3f9a1c52-7d4e-4b8a-9c61-2e5d8f0a1b3c/16-1
00:00:24.500 --> 00:00:27.000
och jag trivs väldigt bra.

3f9a1c52-7d4e-4b8a-9c61-2e5d8f0a1b3c/18-0
00:00:28.250 --> 00:00:33.800
<v Anna Andersson>Tack! <c.colorE5E5E5>Och du, David?</c></v>

3f9a1c52-7d4e-4b8a-9c61-2e5d8f0a1b3c/19-0
00:01:02.000 --> 00:01:09.300
<v David Öberg>Jag är biståndshandläggare. Vi skriver &lt;script&gt; ibland i mallen, haha.</v>

3f9a1c52-7d4e-4b8a-9c61-2e5d8f0a1b3c/20-0
00:01:10.000 --> 00:01:15.000
<v Anna Andersson>Intressant.
"""


def _write_text() -> None:
    (HERE / "utf8.txt").write_bytes(UTF8_TXT.encode("utf-8"))
    (HERE / "utf8_bom_crlf.txt").write_bytes(b"\xef\xbb\xbf" + UTF8_BOM_TXT.replace("\n", "\r\n").encode())
    (HERE / "cp1252.txt").write_bytes(CP1252_TXT.replace("\n", "\r\n").encode("cp1252"))
    (HERE / "tidsmarkeringar.txt").write_bytes(TIME_MARKS_TXT.encode("utf-8"))
    (HERE / "teams.vtt").write_bytes(TEAMS_VTT.encode("utf-8"))


def _paragraph_with_bold(document: docx.document.Document, bold: str, rest: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(bold).bold = True
    paragraph.add_run(rest)


def word_talare() -> docx.document.Document:
    """Ordinary Word transcript with "Talare:" prefixes."""
    document = docx.Document()
    document.add_paragraph("Fokusgrupp 1 – Samverkan kring utskrivning", style="Title")
    document.add_paragraph("Datum: 4 april 2025")
    document.add_paragraph("Intervjuare: Välkomna. Vi ska prata om utskrivningar från slutenvården.")
    document.add_paragraph("IP 1: När patienten skrivs ut på fredag eftermiddag blir det ofta svårt.")
    document.add_paragraph("Vi får informationen sent.")
    document.add_paragraph("IP 2: [00:03:12] Det stämmer. Det var så här: vi fick ett samtal kl. 16:45.")
    paragraph = document.add_paragraph("Intervjuare: Hur löser ni det?")
    paragraph.add_run().add_break(WD_BREAK.LINE)
    paragraph.add_run("IP 3: Vi har ett team för trygg hemgång.")
    document.add_paragraph("Enhetschef hemtjänst: Vi har infört en rutin för helgutskrivningar.")
    document.add_paragraph("")
    document.add_paragraph("Enhetschef hemtjänst: Det har fungerat bra hittills.")
    document.add_paragraph("IP 1: {% if x %}mallsyntax{% endif %} ska stå kvar som text.")
    return document


def word_bold() -> docx.document.Document:
    """Word transcript with bold speaker names (with and without colon) and headings."""
    document = docx.Document()
    document.add_heading("Fokusgrupp 3 – Rehabilitering i hemmet", level=1)
    document.add_paragraph("Inspelad 2025-05-20, transkriberad av forskningsassistent.")
    _paragraph_with_bold(document, "Arbetsterapeut", " Vi gör hembesök inom en vecka efter utskrivning.")
    _paragraph_with_bold(document, "Fysioterapeut:", " Och vi följer upp med träning.")
    document.add_paragraph("Ibland blir det två besök i veckan.")
    document.add_heading("Tema 2: Hjälpmedel", level=2)
    _paragraph_with_bold(document, "Intervjuare", " Hur fungerar förskrivningen av hjälpmedel?")
    _paragraph_with_bold(document, "Arbetsterapeut", " [00:12:40] Det tar för lång tid.")
    paragraph = document.add_paragraph("Det är ")
    paragraph.add_run("väldigt").bold = True
    paragraph.add_run(" viktigt att det går fort.")
    _paragraph_with_bold(document, "Viktigt", " är att vi samarbetar.")
    document.add_paragraph().add_run("Sjuksköterska 2").bold = True
    document.add_paragraph("Vi ser samma sak i hemsjukvården.")
    return document


def word_table() -> docx.document.Document:
    """Transcript laid out as a table: time | speaker | text, with a header row."""
    document = docx.Document()
    document.add_paragraph("Fokusgrupp 5 – Biståndshandläggning")
    rows = [
        ("Tid", "Talare", "Text"),
        ("00:00:10", "Intervjuare", "Välkomna. Vi börjar med er roll."),
        ("00:00:31", "IP 1", "Jag är biståndshandläggare sedan 2019."),
        ("", "", "Innan dess jobbade jag i hemtjänsten."),
        ("00:01:02", "Enhetschef hemtjänst", "Jag leder tre arbetsgrupper."),
        ("00:01:40", "IP 1", "Vi har täta kontakter."),
    ]
    table = document.add_table(rows=len(rows), cols=3)
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    return document


def _teams_entry(document: docx.document.Document, head: str, text: str) -> None:
    """Current Teams layout: "Name   0:03", a line break, then the text, in one paragraph."""
    paragraph = document.add_paragraph(head)
    paragraph.add_run().add_break(WD_BREAK.LINE)
    paragraph.add_run(text)


def teams_export() -> docx.document.Document:
    """Microsoft Teams transcript download (.docx), Swedish Teams."""
    document = docx.Document()
    document.add_paragraph("Fokusgrupp hemtjänst Motala-20261202_095812-Mötesinspelning")
    document.add_paragraph("2 december 2026, 09:58AM")
    document.add_paragraph("47 min 12 s")
    document.add_paragraph("Anna Andersson startade transkriberingen")
    _teams_entry(document, "Anna Andersson   0:03", "Välkomna allihop. Då kör vi igång.")
    _teams_entry(document, "Anna Andersson   0:09", "Vi börjar med en presentationsrunda.")
    _teams_entry(document, "Bengt Karlsson\t0:15", "Jag heter Bengt och är arbetsterapeut.")
    document.add_paragraph("Cecilia Lind   1:02")
    document.add_paragraph("Jag är sjuksköterska.")
    document.add_paragraph("Jag har jobbat i hemsjukvården länge.")
    paragraph = document.add_paragraph("Bengt Karlsson")
    paragraph.add_run().add_break(WD_BREAK.LINE)
    paragraph.add_run("1:30")
    paragraph.add_run().add_break(WD_BREAK.LINE)
    paragraph.add_run("Det håller jag med om.")
    _teams_entry(document, "David Öberg   1:02:05", "Vi får avsluta där. Tack för i dag!")
    document.add_paragraph("Anna Andersson stoppade transkriberingen")
    return document


def main() -> None:
    _write_text()
    word_talare().save(HERE / "word_talare.docx")
    word_bold().save(HERE / "word_fetstil.docx")
    word_table().save(HERE / "word_tabell.docx")
    teams_export().save(HERE / "teams_export.docx")


if __name__ == "__main__":
    main()
