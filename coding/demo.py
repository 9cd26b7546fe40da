"""The synthetic demo study that a first run shows: clearly labelled, written for this
project (no sentence is copied from the seed reports), safe to create twice."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from transcripts.models import (
    CollaborationType,
    Interview,
    InterviewMethod,
    Membership,
    Municipality,
    Participant,
    Role,
    Round,
    ServiceArea,
    SizeClass,
    SpeakerKind,
    Study,
    Team,
    TeamStatus,
)
from transcripts.publishing import TurnSpec, create_transcript

from . import demo_text

DEMO_STUDY_NAME = "Demo: Multidisciplinära team i NVOS (syntetiskt material)"
OTHER_STUDY_NAME = "Demo: Brukarorganisationer (syntetiskt material)"
DEMO_PASSWORD = "nvos-demo-2026"


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    role: str | None
    staff: bool = False


DEMO_USERS = [
    DemoUser("projektledare", "Projektledare", Role.LEAD),
    DemoUser("medforskare1", "Medforskare Ett", Role.CORESEARCHER),
    DemoUser("medforskare2", "Medforskare Två", Role.CORESEARCHER),
    DemoUser("administrator", "Administratör", Role.ADMIN, staff=True),
]
OTHER_STUDY_USER = DemoUser("annanstudie", "Medforskare i annan studie", Role.CORESEARCHER)

# number, municipality code, size, collaboration, professions, actors, target group, service area, status,
# cadence, participant role labels (round 1)
DEMO_TEAMS = [
    (1, "0586", SizeClass.MEDIUM, CollaborationType.WITHIN_MUNICIPALITY,
     "biståndsbedömare, undersköterska, arbetsterapeut, fysioterapeut, sjuksköterska",
     "Kommunal rehabilitering, hemtjänst och socialtjänst", "Äldre som kommer hem efter sjukhusvård",
     "aldreomsorg", TeamStatus.ESTABLISHED, "Dagliga avstämningar",
     ["Arbetsterapeut", "Biståndsbedömare", "Undersköterska", "Sjuksköterska"]),
    (2, "0580", SizeClass.LARGE, CollaborationType.WITHIN_MUNICIPALITY,
     "sjuksköterska, skötare, specialistundersköterska, enhetschef",
     "Kommunal hälso- och sjukvård, socialpsykiatri och socialtjänst", "Boende i socialpsykiatriskt gruppboende",
     "socialpsykiatri", TeamStatus.ESTABLISHED, "Varannan vecka",
     ["Sjuksköterska", "Skötare", "Specialistundersköterska", "Enhetschef"]),
    (3, "0583", SizeClass.MEDIUM, CollaborationType.MUNICIPALITY_REGION,
     "fysioterapeut, arbetsterapeut, undersköterska, sjuksköterska, biståndshandläggare",
     "Regionens hälso- och sjukvård, kommunal rehab och hemtjänst", "Äldre med behov av trygg hemgång",
     "kommunal-hsl", TeamStatus.ESTABLISHED, "Varje vecka",
     ["Fysioterapeut", "Arbetsterapeut", "Biståndshandläggare", "Sjuksköterska"]),
    (4, "0581", SizeClass.LARGE, CollaborationType.WITHIN_MUNICIPALITY,
     "sjuksköterska, arbetsterapeut, distriktssköterska, specialistundersköterska",
     "Kommunal hälso- och sjukvård", "Personer med demenssjukdom och deras närstående",
     "kommunal-hsl", TeamStatus.STARTING, "Varje vecka",
     ["Sjuksköterska 1", "Sjuksköterska 2", "Arbetsterapeut", "Distriktssköterska"]),
    (5, "0580", SizeClass.LARGE, CollaborationType.WITHIN_MUNICIPALITY,
     "psykolog, kurator, socialpedagog, specialpedagog",
     "Kommunal hälso- och sjukvård, skola och socialtjänst", "Unga 13–23 år med neuropsykiatrisk diagnos",
     "funktionshinder-lss", TeamStatus.ESTABLISHED, "Varje vecka",
     ["Psykolog", "Kurator", "Socialpedagog", "Specialpedagog"]),
    (6, "0584", SizeClass.SMALL, CollaborationType.REGION_MUNICIPALITIES,
     "socialsekreterare, sjuksköterska",
     "Kommunal socialtjänst och regional hälso- och sjukvård", "Unga upp till 26 år med missbruksproblematik",
     "missbruk", TeamStatus.ESTABLISHED, "Varannan vecka",
     ["Socialsekreterare 1", "Socialsekreterare 2", "Sjuksköterska"]),
]


def _profession_of(role_label: str) -> str:
    return role_label.rstrip(" 0123456789").lower()


@transaction.atomic
def create_demo_study() -> tuple[Study, bool]:
    """Create the demo study and its users; returns (study, created). Idempotent."""
    User = get_user_model()
    study, created = Study.objects.get_or_create(
        name=DEMO_STUDY_NAME,
        defaults={
            "is_demo": True,
            "description": (
                "Syntetiskt demomaterial: sex multidisciplinära team intervjuade i två omgångar "
                "(gruppintervju och fokusgruppsintervju). Ingen text kommer från verkliga intervjuer."
            ),
        },
    )
    other, _other_created = Study.objects.get_or_create(
        name=OTHER_STUDY_NAME,
        defaults={"is_demo": True, "description": "En andra demostudie, för att visa att studier hålls isär."},
    )
    for demo_user in [*DEMO_USERS, OTHER_STUDY_USER]:
        user, new = User.objects.get_or_create(
            username=demo_user.username,
            defaults={"first_name": demo_user.first_name, "is_staff": demo_user.staff},
        )
        if new:
            user.set_password(DEMO_PASSWORD)
            user.save()
        target = other if demo_user is OTHER_STUDY_USER else study
        Membership.objects.get_or_create(study=target, user=user, defaults={"role": demo_user.role})
        if demo_user.staff:
            _grant_admin_permissions(user)
    if not created:
        return study, False

    rounds = [
        Round.objects.create(study=study, number=1, label="Omgång 1", method=InterviewMethod.GROUP,
                             period_start="2026-02-02", period_end="2026-03-20"),
        Round.objects.create(study=study, number=2, label="Omgång 2", method=InterviewMethod.FOCUS_GROUP,
                             period_start="2026-09-07", period_end="2026-10-16"),
    ]
    municipalities = {m.code: m for m in Municipality.objects.all()}
    areas = {a.slug: a for a in ServiceArea.objects.all()}
    for (number, code, size, collaboration, professions, actors, target, area, status, cadence,
         roles) in DEMO_TEAMS:
        team = Team.objects.create(
            study=study, number=number, municipality=municipalities.get(code), size_class=size,
            collaboration_type=collaboration, professions=professions, actors=actors, target_group=target,
            service_area=areas.get(area), status=status, meeting_cadence=cadence,
        )
        for role_label in roles:
            Participant.objects.create(team=team, role_label=role_label, profession=_profession_of(role_label),
                                       consent_given="2026-01-20")
        for round_ in rounds:
            Interview.objects.create(
                team=team, round=round_, date=f"2026-{'02' if round_.number == 1 else '09'}-{10 + number:02d}",
                duration_minutes=55 + number, interviewer_label="Intervjuare", assistant_label="Medhjälpare",
            )
    # Team 4 has a participant who later withdrew consent: their turns show greyed out.
    Participant.objects.create(team=study.teams.get(number=4), role_label="Undersköterska",
                               profession="undersköterska", consent_given="2026-01-20",
                               consent_withdrawn="2026-10-30")
    create_demo_material(study)
    return study, True


def _grant_admin_permissions(user) -> None:
    """The demo admin manages metadata in the Django admin without being a superuser."""
    from django.contrib.auth.models import Permission

    models = ["study", "membership", "team", "round", "interview", "participant", "spiderscore",
              "sensitiveterm", "auditevent", "roundprompt"]
    perms = Permission.objects.filter(content_type__model__in=models)
    user.user_permissions.add(*perms)


def _demo_turns(team: Team, interview: Interview, rng) -> list[tuple[TurnSpec, str | None, str | None]]:
    """About 30 turns: per area a question and answers from the team's participants.
    Returns (turn spec, area slug, code name) with the area and code each answer illustrates."""
    participants = [p for p in team.participants.all() if p.consent_withdrawn is None or interview.round.number == 2]
    turns: list[tuple[TurnSpec, str | None, str | None]] = []
    seconds = 20
    turns.append((TurnSpec(SpeakerKind.INTERVIEWER, interview.interviewer_label,
                           "Välkomna, och tack för att ni vill vara med. Vi går igenom fem områden."), None, None))
    for area_slug, codes in demo_text.SENTENCES.items():
        question = rng.choice(demo_text.QUESTIONS[area_slug])
        if interview.round.number == 2:
            question = f"{demo_text.ROUND2_INTRO} {question}"
        seconds += rng.randint(60, 140)
        turns.append((TurnSpec(SpeakerKind.INTERVIEWER, interview.interviewer_label, question,
                               time_seconds=seconds), None, None))
        for _answer in range(rng.randint(3, 5)):
            speaker = rng.choice(participants)
            code_name = rng.choice(list(codes))
            sentences = rng.sample(codes[code_name], k=min(2, len(codes[code_name])))
            text = " ".join(sentences)
            if rng.random() < 0.3:
                text = f"{rng.choice(demo_text.FILLERS)} {text}"
            seconds += rng.randint(25, 90)
            turns.append((TurnSpec(SpeakerKind.PARTICIPANT, speaker.role_label, text, participant=speaker,
                                   time_seconds=seconds), area_slug, code_name))
        if rng.random() < 0.5:
            seconds += rng.randint(10, 30)
            turns.append((TurnSpec(SpeakerKind.ASSISTANT, interview.assistant_label,
                                   "Får jag bara fråga en sak till om det ni sa nyss?", time_seconds=seconds),
                          None, None))
    return turns


def create_demo_material(study: Study) -> dict[str, int]:
    """Transcripts for the interviews of teams 1–4 (both rounds), a codebook, codings by
    the two demo co-researchers with memos, familiarisation notes and assignments."""
    import random

    from .models import Area, Assignment, Code, Coding, Note

    User = get_user_model()
    rng = random.Random(2026)
    lead = User.objects.get(username="projektledare")
    coders = [User.objects.get(username="medforskare1"), User.objects.get(username="medforskare2")]
    areas = {a.slug: a for a in Area.objects.all()}
    codes: dict[str, Code] = {}
    for area_slug, area_codes in demo_text.SENTENCES.items():
        for name in area_codes:
            codes[name] = Code.objects.create(
                study=study, area=areas[area_slug], name=name, created_by=rng.choice(coders),
                definition=demo_text.CODE_DEFINITIONS.get(name, ""),
            )
    counts = {"transcripts": 0, "codings": 0}
    interviews = (Interview.objects.filter(team__study=study, team__number__lte=4)
                  .select_related("team", "round").order_by("round__number", "team__number"))
    for interview in interviews:
        planned = _demo_turns(interview.team, interview, rng)
        transcript = create_transcript(interview=interview, turns=[spec for spec, _a, _c in planned],
                                       published_by=lead, source_format="demo",
                                       notes="Syntetiskt demotranskript – ingen verklig intervju.")
        counts["transcripts"] += 1
        turns = list(transcript.turns.order_by("position"))
        for coder in coders:
            Assignment.objects.create(transcript=transcript, user=coder, assigned_by=lead)
            Note.objects.create(study=study, author=coder, kind=Note.Kind.FAMILIARISATION, transcript=transcript,
                                is_done=coder is coders[0] or interview.round.number == 1,
                                text="Första intryck: teamet beskriver mycket om samverkan och korta kontaktvägar.")
        for turn, (_spec, area_slug, code_name) in zip(turns, planned, strict=True):
            if area_slug is None:
                continue
            for coder in coders:
                if rng.random() < 0.25:
                    continue
                sentence_end = turn.text.find(".") + 1 or len(turn.text)
                start, end = (turn.start, turn.end) if rng.random() < 0.5 else (turn.start, turn.start + sentence_end)
                code = codes[code_name] if rng.random() < 0.85 else rng.choice(list(codes.values()))
                coding, created = Coding.objects.get_or_create(
                    transcript=transcript, code=code, coder=coder, start=start, end=end,
                    defaults={"turn": turn, "text": transcript.text[start:end],
                              "memo": "Tydligt exempel på området." if rng.random() < 0.12 else ""},
                )
                counts["codings"] += created
    create_demo_analysis(study, lead, codes)
    Note.objects.create(study=study, author=coders[0], kind=Note.Kind.JOURNAL, title="Efter första läsningen",
                        text="Jag märker att jag själv lätt dras till citat om samverkan; behöver läsa de andra "
                             "områdena lika noga.")
    Note.objects.create(study=study, author=coders[1], kind=Note.Kind.CODE_MEMO, code=codes["Korta kontaktvägar"],
                        text="Överlappar ibland med Gemensam planering – skilj på planering och snabba frågor.")
    return counts


def create_demo_analysis(study: Study, lead, codes: dict) -> None:
    """Themes in every status with key quotes and edited versions, prompt quotes for round 2
    and a phase history, so a first run shows the whole method."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import Area, Coding, PhaseChange, RoundPrompt
    from .themes import create_theme, mark_quote, save_theme

    areas = {a.slug: a for a in Area.objects.all()}
    for name, area_slug, status, definition, code_names in demo_text.THEMES:
        theme = create_theme(study=study, user=lead, name=name, area=areas.get(area_slug),
                             codes=[codes[c] for c in code_names])
        changes = {"status": status}
        if definition:
            changes["definition"] = definition
        save_theme(theme=theme, changes=changes, expected_version=theme.version, user=lead)
        if status in ("definierad", "granskad"):
            passages = list(Coding.objects.counted().filter(code__name__in=code_names, code__study=study)
                            .select_related("turn").order_by("pk")[:3])
            for index, coding in enumerate(passages):
                edited = ""
                if index == 0:
                    edited = _readability_edit(coding.text)
                mark_quote(theme=theme, coding=coding, is_key=index < 2, edited_text=edited, user=lead)
    round2 = study.rounds.get(number=2)
    for area_slug, (quote, follow_up) in demo_text.ROUND_PROMPTS.items():
        RoundPrompt.objects.create(round=round2, area=areas[area_slug], quote=quote, follow_up=follow_up)
    start = timezone.now() - timedelta(days=60)
    for index, (from_phase, to_phase, note) in enumerate(demo_text.PHASE_HISTORY):
        PhaseChange.objects.create(study=study, from_phase=from_phase, to_phase=to_phase, changed_by=lead, note=note,
                                   changed_at=start + timedelta(days=20 * index))
    Study.objects.filter(pk=study.pk).update(current_phase=demo_text.PHASE_HISTORY[-1][1])


def _readability_edit(text: str) -> str:
    """A light edit like the reports': fillers out, long passages cut at a sentence with […]."""
    edited = text
    for filler in demo_text.FILLERS:
        edited = edited.replace(f"{filler} ", "")
    edited = edited.replace("jättemycket", "mycket")
    if edited == text and ". " in text:
        edited = text.split(". ")[0] + ". […]"
    return edited
