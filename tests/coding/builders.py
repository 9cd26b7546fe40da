"""A small coded study for the summary and export tests, built on the `world` fixture.

Team 1 has transcripts in rounds 1 and 2, team 2 only in round 1. A withdrawn participant
("Kurator") speaks in team 1's round-2 interview; the passage coded there must drop out
of every count, page and export. One passage starts with "=" (formula injection).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from coding.models import Area, Code, Coding, Quote, RoundPrompt, Theme, ThemeCode, ThemeStatus
from transcripts.models import Interview, Round, Team, Transcript

from ..factories import InterviewFactory, ParticipantFactory, TeamFactory, UserFactory, make_transcript

ROUND2_TURNS = [
    ("Intervjuare", "Vad får ni för tankar av detta citat?"),
    ("Sjuksköterska 2", "Vi har blivit bättre på att ringa varandra direkt i stället för att skriva."),
    ("Kurator", "HEMLIGT: det här får aldrig synas någonstans efter återkallat samtycke."),
]
TEAM2_TURNS = [
    ("Intervjuare", "Hur delar ni information?"),
    ("Fysioterapeut", "=HYPERLINK(\"http://example.com\") skrev någon i journalen en gång, det var fel."),
    ("Fysioterapeut", "-Vi ses på torsdagarna och går igenom alla nya ärenden tillsammans."),
]
EDITED_QUOTE = "Vi träffas varje morgon och går igenom vem som ska hem."
VERBATIM_QUOTE = "Vi träffas varje morgon och går igenom vilka som ska hem från sjukhuset."
DELAKTIGHET_QUOTE = "Vi frågar alltid vad personen själv vill klara av, det är utgångspunkten."
ROUND2_QUOTE = "Vi har blivit bättre på att ringa varandra direkt i stället för att skriva."
WITHDRAWN_TEXT = "HEMLIGT"
PROMPT = "Det är ju inte bara vård utan det är ju socialt också."


@dataclass
class Analysis:
    study: object
    team1: Team
    team2: Team
    round1: Round
    round2: Round
    areas: dict[str, Area]
    codes: dict[str, Code]
    themes: dict[str, Theme]
    codings: dict[str, Coding]
    transcripts: dict[str, Transcript]
    coder: object
    extra: dict = field(default_factory=dict)


def code_turn(transcript: Transcript, position: int, code: Code, coder, **kwargs) -> Coding:
    """Code the whole text of one turn."""
    turn = transcript.turns.get(position=position)
    return Coding.objects.create(transcript=transcript, code=code, coder=coder, turn=turn, start=turn.start,
                                 end=turn.end, text=transcript.text[turn.start:turn.end], **kwargs)


def build_analysis(world) -> Analysis:
    study = world.study
    # Start from no codings: the world's own sample coding would shift every expected count.
    Coding.objects.filter(transcript__interview__team__study=study).delete()
    areas = {area.slug: area for area in Area.objects.all()}
    team1 = Team.objects.get(pk=world.ids["team_id"])
    team1.professions = "arbetsterapeut, sjuksköterska, kurator"
    team1.save(update_fields=["professions"])
    round1 = Round.objects.get(pk=world.ids["round_id"])
    round2 = Round.objects.get(study=study, number=2)
    coder = UserFactory(username="kodare")

    t1r1 = Transcript.objects.get(pk=world.ids["transcript_id"])
    ParticipantFactory(team=team1, role_label="Kurator", profession="kurator",
                       consent_withdrawn=datetime.date(2025, 1, 15))
    t1r2 = make_transcript(Interview.objects.get(team=team1, round=round2), ROUND2_TURNS)
    team2 = TeamFactory(study=study, number=2, size_class="liten", collaboration_type="kommun_region",
                        professions="fysioterapeut")
    interview = InterviewFactory(team=team2, round=round1, date=datetime.date(2024, 3, 1))
    t2r1 = make_transcript(interview, TEAM2_TURNS)

    codes = {
        "samverkan": Code.objects.create(study=study, area=areas["samverkan"], name="Daglig avstämning"),
        "delaktighet": Code.objects.create(study=study, area=areas["delaktighet"], name="Individens vilja"),
    }
    codes["child"] = Code.objects.create(study=study, area=areas["samverkan"], name="Morgonmöte",
                                         parent=codes["samverkan"])
    codings = {
        # t1r1 turns: 1 Intervjuare, 2 Arbetsterapeut, 3 Sjuksköterska, 4 Intervjuare, 5 Arbetsterapeut
        "t1r1_at": code_turn(t1r1, 2, codes["samverkan"], coder),
        "t1r1_ssk": code_turn(t1r1, 3, codes["child"], coder),
        "t1r1_del": code_turn(t1r1, 5, codes["delaktighet"], coder),
        "t1r2_ssk": code_turn(t1r2, 2, codes["samverkan"], coder),
        "t1r2_withdrawn": code_turn(t1r2, 3, codes["delaktighet"], coder),
        "t2r1_formula": code_turn(t2r1, 2, codes["samverkan"], coder),
    }
    themes = {
        "planning": Theme.objects.create(study=study, area=areas["samverkan"], name="Gemensam planering",
                                         definition="Teamet planerar tillsammans innan personen kommer hem.",
                                         status=ThemeStatus.DEFINED),
        "person": Theme.objects.create(study=study, area=areas["delaktighet"], name="Individen i centrum",
                                       definition="Individens egen vilja är utgångspunkten.",
                                       status=ThemeStatus.REVIEWED),
        "discarded": Theme.objects.create(study=study, area=areas["samverkan"], name="Kasserat tema",
                                          status=ThemeStatus.DISCARDED),
    }
    themes["sub"] = Theme.objects.create(study=study, area=areas["samverkan"], name="Morgonmöten",
                                         parent=themes["planning"], status=ThemeStatus.CANDIDATE)
    for theme, code in [("planning", "samverkan"), ("planning", "child"), ("person", "delaktighet"),
                        ("discarded", "samverkan"), ("sub", "child")]:
        ThemeCode.objects.create(theme=themes[theme], code=codes[code])
    Quote.objects.create(theme=themes["planning"], coding=codings["t1r1_at"], is_key=True, edited_text=EDITED_QUOTE)
    Quote.objects.create(theme=themes["planning"], coding=codings["t1r2_ssk"], is_key=True)
    Quote.objects.create(theme=themes["person"], coding=codings["t1r1_del"], is_key=True)
    Quote.objects.create(theme=themes["person"], coding=codings["t1r2_withdrawn"], is_key=True,
                         edited_text="HEMLIGT redigerat")
    Quote.objects.create(theme=themes["discarded"], coding=codings["t1r1_ssk"], is_key=True)
    RoundPrompt.objects.create(round=round2, area=areas["samverkan"], quote=PROMPT,
                               follow_up="Är det skillnad på team och multidisciplinära team?")
    return Analysis(study=study, team1=team1, team2=team2, round1=round1, round2=round2, areas=areas, codes=codes,
                    themes=themes, codings=codings, transcripts={"t1r1": t1r1, "t1r2": t1r2, "t2r1": t2r1},
                    coder=coder)


def add_codings(analysis: Analysis, n: int) -> None:
    """n more passages in team 2's round-1 transcript (for query-count tests)."""
    transcript = analysis.transcripts["t2r1"]
    turn = transcript.turns.get(position=3)
    Coding.objects.bulk_create(
        Coding(transcript=transcript, code=analysis.codes["samverkan" if i % 2 else "delaktighet"],
               coder=analysis.coder, turn=turn, start=turn.start, end=turn.start + 5 + i,
               text=transcript.text[turn.start:turn.start + 5 + i])
        for i in range(n)
    )
