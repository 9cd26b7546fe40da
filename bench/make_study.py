"""Build a reproducible synthetic study for benchmarks on the current database.

    DEBUG=1 .venv/bin/python bench/make_study.py [--seed 1] [--transcripts 100] [--words 12000]
        [--codings 40000] [--long-transcript-words 48000] [--name ...] [--replace]

Prints one JSON object: counts per model, seconds per step, database vendor. The same seed
gives the same texts, codings, themes and quotes on every database (only ids and "updated"
timestamps differ). Tests and bench/run.py call `make_study()` in-process.

Structure: the study keeps the programme's named structure of 8 teams and 2 rounds, but an
interview has at most one transcript, so 100 transcripts need 50 teams x 2 rounds: teams 9
and up are "Benchmarkteam" fillers (see bench/README.md). `long_transcript_words` adds one
more team with a single round-1 transcript of that length.
"""

# ruff: noqa: E402
from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nvos.settings")
    import django

    django.setup()

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test.utils import override_settings

from bench import textgen
from coding.models import (
    Area,
    Assignment,
    Code,
    Coding,
    Note,
    PhaseChange,
    Quote,
    RoundPrompt,
    Theme,
    ThemeCode,
    ThemeStatus,
    ThemeVersion,
)
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
    SpeakerKind,
    Study,
    Team,
    TeamStatus,
    Transcript,
    Turn,
)

BENCH_PASSWORD = "nvos-bench-2026"
LEAD_USERNAME = "bench-projektledare"
CODER_USERNAMES = ("bench-medforskare1", "bench-medforskare2", "bench-medforskare3")
NAMED_TEAMS = 8
CODERS_PER_TRANSCRIPT = 2
BASE_TIME = datetime(2026, 1, 12, 8, 0, tzinfo=UTC)

# number, municipality code, collaboration, actors, target group, service area, status, cadence, role labels.
TEAMS = [
    (1, "0580", CollaborationType.WITHIN_MUNICIPALITY, "Hemtjänst, kommunal rehabilitering och biståndsenheten",
     "Äldre som skrivs ut från sjukhus till eget boende", "aldreomsorg", TeamStatus.ESTABLISHED,
     "Avstämning varje morgon", ["Arbetsterapeut", "Fysioterapeut", "Biståndsbedömare", "Undersköterska 1",
                                 "Undersköterska 2"]),
    (2, "0581", CollaborationType.MUNICIPALITY_REGION, "Kommunal hälso- och sjukvård och vårdcentral",
     "Personer med stora vård- och omsorgsbehov i hemmet", "kommunal-hsl", TeamStatus.ESTABLISHED,
     "Varje vecka", ["Sjuksköterska 1", "Sjuksköterska 2", "Distriktssköterska", "Arbetsterapeut"]),
    (3, "0583", CollaborationType.REGION_MUNICIPALITIES, "Regionens psykiatri och kommunernas socialpsykiatri",
     "Vuxna med psykisk ohälsa och samsjuklighet", "socialpsykiatri", TeamStatus.ESTABLISHED,
     "Varannan vecka", ["Kurator", "Sjuksköterska", "Boendestödjare", "Socialsekreterare", "Psykolog"]),
    (4, "0586", CollaborationType.WITHIN_MUNICIPALITY, "Socialtjänst, elevhälsa och fritidsverksamhet",
     "Barn och unga där skolan och socialtjänsten båda är inkopplade", "barn-och-unga", TeamStatus.STARTING,
     "Varje vecka", ["Socialsekreterare 1", "Socialsekreterare 2", "Kurator", "Specialpedagog",
                     "Fritidsledare", "Skolsköterska"]),
    (5, "0509", CollaborationType.MUNICIPALITY_REGION_STATE, "Kommun, region och Arbetsförmedlingen",
     "Vuxna med ekonomiskt bistånd och långvarig ohälsa", "ekonomiskt-bistand", TeamStatus.STARTING,
     "Varannan vecka", ["Socialsekreterare", "Arbetskonsulent", "Fysioterapeut", "Arbetsterapeut"]),
    (6, "0562", CollaborationType.WITHIN_MUNICIPALITY, "LSS-verksamhet och kommunal hälso- och sjukvård",
     "Vuxna i bostad med särskild service", "funktionshinder-lss", TeamStatus.ESTABLISHED,
     "Varje vecka", ["Enhetschef", "Stödpedagog", "Sjuksköterska", "Arbetsterapeut", "Undersköterska"]),
    (7, "0582", CollaborationType.REGION_MUNICIPALITIES, "Regionens beroendevård och kommunernas missbruksenheter",
     "Vuxna med beroendeproblematik", "missbruk", TeamStatus.ESTABLISHED, "Varannan vecka",
     ["Behandlare 1", "Behandlare 2", "Socialsekreterare", "Sjuksköterska"]),
    (8, "0584", CollaborationType.MUNICIPALITY_REGION, "Socialtjänst, hälso- och sjukvård och en ideell förening",
     "Personer utsatta för våld i nära relationer", "vald-i-nara-relationer", TeamStatus.STARTING,
     "En gång i månaden", ["Socialsekreterare", "Kurator", "Barnsamordnare", "Sjuksköterska", "Stödsamordnare"]),
]
EXTRA_PROFESSIONS = [
    "arbetsterapeut", "fysioterapeut", "sjuksköterska", "undersköterska", "biståndsbedömare", "kurator",
    "biståndshandläggare", "psykolog", "socialsekreterare", "enhetschef", "distriktssköterska",
    "boendestödjare", "specialistundersköterska", "dietist",
]

# 12 codes per area; (name, parent name or None). Parents come before their children.
CODEBOOK: dict[str, list[tuple[str, str | None]]] = {
    "samverkan": [
        ("Samverkan inom kommunen", None), ("Gemensamma teamträffar", "Samverkan inom kommunen"),
        ("Samordning kring hemgång", "Samverkan inom kommunen"),
        ("Samverkan mellan kommun och region", None),
        ("Kontakten med vårdcentralen", "Samverkan mellan kommun och region"),
        ("Samordnad individuell plan", "Samverkan mellan kommun och region"),
        ("Samverkan med civilsamhället", None), ("Personberoende samverkan", None),
        ("Ledningens stöd för samverkan", None), ("Otydlig ansvarsfördelning", None),
        ("Gemensamt språk och samsyn", None), ("Samverkan över tid", None),
    ],
    "personcentrering": [
        ("Individens behov som utgångspunkt", None),
        ("Att lyssna in önskemål", "Individens behov som utgångspunkt"),
        ("Individens egna resurser", "Individens behov som utgångspunkt"),
        ("Personcentrering på systemnivå", None), ("Regelverk som styr", "Personcentrering på systemnivå"),
        ("Flexibla insatser", "Personcentrering på systemnivå"), ("Kontinuitet i personalgruppen", None),
        ("Helhetssyn", None), ("Närståendes roll", None), ("Tid för relationen", None),
        ("Jämlikt partnerskap", None), ("Hinder för personcentrering", None),
    ],
    "delaktighet": [
        ("Delaktighet i beslut", None), ("Delaktighet i myndighetsbeslut", "Delaktighet i beslut"),
        ("Delaktighet i vardagliga beslut", "Delaktighet i beslut"), ("Anpassad information", None),
        ("Information på lättläst svenska", "Anpassad information"), ("Tolk och språkstöd", "Anpassad information"),
        ("Inflytande över insatser", None), ("Brukarens röst i teamet", None), ("Delaktighet i SIP-möten", None),
        ("Självbestämmande och risk", None), ("Delaktighet vid kognitiv svikt", None),
        ("Uppföljning med individen", None),
    ],
    "kompetens-och-kunskap": [
        ("Grundkompetens", None), ("Undersköterskans kompetens", "Grundkompetens"),
        ("Introduktion av nyanställda", "Grundkompetens"), ("Kunskap om varandras yrken", None),
        ("Gränsöverskridande arbete", "Kunskap om varandras yrken"),
        ("Professionsgränser", "Kunskap om varandras yrken"), ("Utbildning och fortbildning", None),
        ("Bemanning och personalomsättning", None), ("Kunskapsöverföring i teamet", None), ("Handledning", None),
        ("Språkkunskaper", None), ("Att lära av avvikelser", None),
    ],
    "digitalisering": [
        ("Digitala möten", None), ("Möten via Teams", "Digitala möten"),
        ("Digitala möten med individen", "Digitala möten"), ("Journalåtkomst", None),
        ("Olika journalsystem", "Journalåtkomst"), ("Sekretess mellan huvudmän", "Journalåtkomst"),
        ("Välfärdsteknik", None), ("Uppkoppling och teknikstrul", None), ("Digital kompetens hos personalen", None),
        ("Digitalt utanförskap", None), ("Digital läkemedelshantering", None), ("Dokumentation i vardagen", None),
    ],
}
THEMES: dict[str, list[str]] = {
    "samverkan": [
        "Samverkan som bygger på personer snarare än strukturer", "Morgonmötet som navet i teamet",
        "Gränsen mellan kommun och region märks i vardagen", "Gemensamma mål ger gemensamt ansvar",
        "Samverkan kräver tid som inte finns", "Civilsamhället som outnyttjad resurs",
    ],
    "personcentrering": [
        "Att börja i vad personen själv vill", "Regelverket styr mer än behoven", "Kontinuitet skapar trygghet",
        "Närstående som både resurs och motpart", "Personcentrering på systemnivå saknas",
        "Små anpassningar gör stor skillnad",
    ],
    "delaktighet": [
        "Delaktighet som ord och som praktik", "Information som når fram", "Självbestämmande och risk",
        "Myndighetsbeslutet som en svart låda", "Individen vid bordet", "Delaktighet när förmågan sviktar",
    ],
    "kompetens-och-kunskap": [
        "Grundkompetensen varierar stort", "Gränsöverskridande men inte gränslöst",
        "Personalomsättning slår mot kontinuiteten", "Att lära av varandra i teamet",
        "Introduktion som ofta hoppas över", "Handledning ger stöd i svåra ärenden",
    ],
    "digitalisering": [
        "Digitala möten sparar tid men kostar närvaro", "Journalsystem som inte pratar med varandra",
        "Sekretessen som hinder och skydd", "Välfärdsteknik som möjlighet för individen",
        "Teknikstrul tar tid från mötet", "Digital ovana hos både personal och brukare",
    ],
}
# 30 themes: every status appears; shuffled per seed.
THEME_STATUSES = ([ThemeStatus.CANDIDATE] * 9 + [ThemeStatus.REVIEWED] * 8 + [ThemeStatus.DEFINED] * 8
                  + [ThemeStatus.DISCARDED] * 5)
# Share of codings per area (the seed reports: areas 3 and 4 produced the most material).
AREA_CODING_SHARE = (1.0, 0.9, 1.3, 1.4, 0.8)
PHASE_HISTORY = [
    (1, 2, datetime(2026, 3, 30, 9, 0, tzinfo=UTC), "Alla transkript från omgång 1 är lästa."),
    (2, 3, datetime(2026, 5, 18, 9, 0, tzinfo=UTC), "Inledande kodning klar för omgång 1."),
    (3, 4, datetime(2026, 6, 8, 9, 0, tzinfo=UTC), ""),
    (4, 3, datetime(2026, 6, 15, 13, 0, tzinfo=UTC), "Tillbaka: två kandidatteman behöver slås ihop."),
    (3, 4, datetime(2026, 11, 9, 9, 0, tzinfo=UTC), "Omgång 2 kodad; granskning av teman."),
]


class StudyExists(Exception):
    """A study with this name exists and replace was not asked for."""


def default_name(seed: int) -> str:
    return f"Benchmark: syntetisk NVOS-studie (seed {seed})"


class _Steps:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] = round(time.perf_counter() - started, 3)


def _bulk(model, objects: list, batch_size: int) -> list:
    """bulk_create in batches; the rows come back with their ids (PostgreSQL, SQLite >= 3.35)."""
    created = model.objects.bulk_create(objects, batch_size=batch_size)
    if created and created[0].pk is None:  # pragma: no cover - only on databases without RETURNING
        raise RuntimeError(f"{connection.vendor} did not return ids from bulk_create")
    return created


def delete_study(study: Study) -> None:
    """Delete a study and everything in it, fast: the big tables go first with plain DELETEs."""
    with transaction.atomic():
        transcripts = Transcript.objects.filter(interview__team__study=study)
        Quote.objects.filter(theme__study=study).delete()
        Quote.objects.filter(coding__transcript__in=transcripts).delete()
        ThemeCode.objects.filter(theme__study=study).delete()
        ThemeVersion.objects.filter(theme__study=study).delete()
        Note.objects.filter(study=study).delete()
        Assignment.objects.filter(transcript__in=transcripts).delete()
        # One DELETE for each big table instead of the collector loading 40,000 rows: first the
        # rows of any table that points at them (quotes, and whatever is added later), then them.
        for model in (Coding, Turn):
            rows = model.objects.filter(transcript__in=transcripts)
            for relation in model._meta.related_objects:
                relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": rows}).delete()
            rows._raw_delete(connection.alias)
        transcripts.delete()
        Theme.objects.filter(study=study).update(parent=None)
        Code.objects.filter(study=study).update(parent=None)  # Code.parent is PROTECT
        Code.objects.filter(study=study).delete()
        study.delete()


def _users() -> tuple[object, list]:
    User = get_user_model()
    users = []
    for username, first_name in [(LEAD_USERNAME, "Benchmarkledare"),
                                 *[(name, f"Medforskare {i}") for i, name in enumerate(CODER_USERNAMES, 1)]]:
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": first_name})
        if created:
            user.set_password(BENCH_PASSWORD)
            user.save(update_fields=["password"])
        users.append(user)
    return users[0], users[1:]


def _role_labels(professions: list[str]) -> list[str]:
    totals = Counter(professions)
    seen: Counter[str] = Counter()
    labels = []
    for profession in professions:
        seen[profession] += 1
        label = profession.capitalize()
        labels.append(f"{label} {seen[profession]}" if totals[profession] > 1 else label)
    return labels


def _profession(role_label: str) -> str:
    return role_label.rstrip(" 0123456789").lower()


def _allocate(total: int, weights: list[float]) -> list[int]:
    """Split total into integers proportional to weights (largest remainder)."""
    if not weights:
        return []
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _ends_sentence(text: str, word_end: int) -> bool:
    return text[word_end - 1] in ".?!"


def _choose_span(rng: random.Random, text: str, turns: list[textgen.GeneratedTurn], index: int) -> tuple[int, int]:
    """A passage as a coder marks it: from a word start in turn `index` to a word end, mostly
    whole sentences, at least three words when the turn has them, sometimes running into the
    next turn."""
    turn = turns[index]
    starts, ends = turn.word_starts, turn.word_ends
    n_words = len(starts)
    roll = rng.random()
    if roll < 0.3 or n_words <= 3:
        first = 0
    else:
        first = rng.randrange(n_words - 2)
        if roll < 0.8:  # back to the start of the sentence
            while first > 0 and not _ends_sentence(text, ends[first - 1]):
                first -= 1
    last = first + max(3, int(rng.triangular(3, 90, 14))) - 1
    if last < n_words:
        if rng.random() < 0.7:  # on to the end of the sentence, when it is near
            stop = min(n_words - 1, last + 12)
            probe = last
            while probe < stop and not _ends_sentence(text, ends[probe]):
                probe += 1
            if _ends_sentence(text, ends[probe]):
                last = probe
        return starts[first], ends[last]
    if index + 1 < len(turns) and len(turns[index + 1].word_ends) and rng.random() < 0.1:
        following = turns[index + 1].word_ends
        return starts[first], following[min(last - n_words, len(following) - 1)]
    return starts[first], ends[n_words - 1]


def make_study(*, seed: int = 1, transcripts: int = 100, words: int = 12000, codings: int = 40000,
               name: str | None = None, replace: bool = False, long_transcript_words: int = 0,
               batch_size: int = 2000) -> dict:
    """Create the synthetic study; returns what it made (counts, seconds per step, vendor).

    Runs with DEBUG off: with DEBUG on, Django would format and keep the SQL of every insert
    (megabytes of transcript text), which costs seconds and memory and measures nothing."""
    with override_settings(DEBUG=False):
        return _make_study(seed=seed, transcripts=transcripts, words=words, codings=codings, name=name,
                           replace=replace, long_transcript_words=long_transcript_words, batch_size=batch_size)


def _make_study(*, seed: int, transcripts: int, words: int, codings: int, name: str | None, replace: bool,
                long_transcript_words: int, batch_size: int) -> dict:
    if transcripts < 1 or words < 200 or codings < 0:
        raise ValueError("need transcripts >= 1, words >= 200 and codings >= 0")
    name = name or default_name(seed)
    steps = _Steps()
    total_started = time.perf_counter()

    with steps("replace"):
        existing = list(Study.objects.filter(name=name))
        if existing and not replace:
            raise StudyExists(f"Studien {name!r} finns redan; använd --replace för att skapa om den.")
        for old in existing:
            delete_study(old)

    # ---- Study, users, teams, rounds, interviews, participants, codebook, phase history.
    with steps("structure"), transaction.atomic():
        lead, coders = _users()
        study = Study.objects.create(
            name=name, is_demo=True, current_phase=4,
            description=(f"Syntetiskt benchmarkmaterial (seed {seed}): {transcripts} transkript à cirka {words} "
                         "ord. Ingen text kommer från verkliga intervjuer."),
        )
        memberships = _bulk(Membership, [Membership(study=study, user=lead, role=Role.LEAD)]
                            + [Membership(study=study, user=coder, role=Role.CORESEARCHER) for coder in coders],
                            batch_size)
        rounds = _bulk(Round, [
            Round(study=study, number=1, label="Omgång 1", method=InterviewMethod.GROUP,
                  period_start=date(2026, 2, 2), period_end=date(2026, 3, 20)),
            Round(study=study, number=2, label="Omgång 2", method=InterviewMethod.FOCUS_GROUP,
                  period_start=date(2026, 9, 7), period_end=date(2026, 10, 16)),
        ], batch_size)
        municipalities = {m.code: m for m in Municipality.objects.all()}
        service_areas = {s.slug: s for s in ServiceArea.objects.all()}
        regular_teams = max(NAMED_TEAMS, math.ceil(transcripts / 2))
        team_specs = []  # (number, team kwargs, role labels)
        for number in range(1, regular_teams + 1 + (1 if long_transcript_words else 0)):
            if number <= NAMED_TEAMS:
                _n, code, collaboration, actors, target, area, status, cadence, labels = TEAMS[number - 1]
                municipality = municipalities.get(code)
            else:
                team_rng = random.Random(f"{seed}/team/{number}")
                municipality = team_rng.choice(sorted(municipalities.values(), key=lambda m: m.code))
                collaboration = team_rng.choice(list(CollaborationType))
                actors = "Syntetiska huvudmän för benchmark"
                if number > regular_teams:
                    target = f"Benchmarkteam {number}: ett långt transkript ({long_transcript_words} ord)"
                else:
                    target = (f"Benchmarkteam {number}: syntetiskt team utöver de {NAMED_TEAMS} namngivna, "
                              f"för att nå {transcripts} transkript")
                area = team_rng.choice(sorted(service_areas))
                status = team_rng.choice(list(TeamStatus))
                cadence = team_rng.choice(["Varje vecka", "Varannan vecka", "En gång i månaden"])
                labels = _role_labels(team_rng.choices(EXTRA_PROFESSIONS, k=team_rng.randint(4, 6)))
            professions = ", ".join(dict.fromkeys(_profession(label) for label in labels))
            team_specs.append((number, Team(
                study=study, number=number, municipality=municipality,
                size_class=municipality.size_class if municipality else "mellanstor",
                collaboration_type=collaboration, professions=professions, actors=actors, target_group=target,
                service_area=service_areas.get(area), status=status, meeting_cadence=cadence,
            ), labels))
        teams = _bulk(Team, [team for _n, team, _l in team_specs], batch_size)
        participants_by_team: dict[int, list[Participant]] = {}
        participant_rows = []
        for team, (_n, _t, labels) in zip(teams, team_specs, strict=True):
            rows = [Participant(team=team, role_label=label, profession=_profession(label),
                                consent_given=date(2026, 1, 20)) for label in labels]
            participants_by_team[team.number] = rows
            participant_rows.extend(rows)
        _bulk(Participant, participant_rows, batch_size)

        # Interview slots: (team, round) in team order; transcripts fill the first ones.
        interview_rows = []
        for team in teams:
            team_rounds = rounds[:1] if team.number > regular_teams else rounds
            for round_ in team_rounds:
                start = date(2026, 2, 2) if round_.number == 1 else date(2026, 9, 7)
                interview_rows.append(Interview(
                    team=team, round=round_, date=start + timedelta(days=(team.number - 1) % 40),
                    interviewer_label="Intervjuare", assistant_label="Medhjälpare",
                ))
        interviews = _bulk(Interview, interview_rows, batch_size)

        areas = list(Area.objects.order_by("order"))
        area_by_slug = {a.slug: a for a in areas}
        code_rows: list[Code] = []
        code_area: list[int] = []
        parents: dict[tuple[str, str], Code] = {}
        for area_index, slug in enumerate(textgen.AREA_SLUGS):
            for code_name, parent_name in CODEBOOK[slug]:
                code = Code(study=study, area=area_by_slug[slug], name=code_name, created_by=lead,
                            created_at=BASE_TIME + timedelta(days=70 + len(code_rows)),
                            definition=f"Avsnitt där teamet beskriver {code_name[0].lower()}{code_name[1:]}.",
                            inclusion="Teamets egna erfarenheter och exempel.",
                            exclusion="Allmänna åsikter utan koppling till teamets arbete.")
                code._parent_name = parent_name
                code_rows.append(code)
                code_area.append(area_index)
        top = _bulk(Code, [c for c in code_rows if c._parent_name is None], batch_size)
        for code in top:
            parents[(code.area.slug, code.name)] = code
        for code in code_rows:
            if code._parent_name is not None:
                code.parent = parents[(code.area.slug, code._parent_name)]
        _bulk(Code, [c for c in code_rows if c._parent_name is not None], batch_size)

        phase_changes = _bulk(PhaseChange, [
            PhaseChange(study=study, from_phase=a, to_phase=b, changed_by=lead, changed_at=at, note=note)
            for a, b, at, note in PHASE_HISTORY
        ], batch_size)

    # ---- Texts (pure Python).
    with steps("generate_texts"):
        prompts = textgen.prompt_quotes(random.Random(f"{seed}/prompts"))
        plan = []  # (interview, generated transcript, rng for this transcript)
        regular_slots = [i for i in interviews if i.team.number <= regular_teams][:transcripts]
        long_slots = [i for i in interviews if i.team.number > regular_teams]
        for index, interview in enumerate(regular_slots + long_slots):
            is_long = index >= len(regular_slots)
            rng = random.Random(f"{seed}/long" if is_long else f"{seed}/transcript/{index}")
            size = long_transcript_words if is_long else words
            duration = rng.randint(52 * 60, 68 * 60) * size // 12000
            team_participants = participants_by_team[interview.team.number]
            generated = textgen.generate_transcript(
                rng, words=size, participants=[p.profession for p in team_participants],
                round_number=interview.round.number, duration_seconds=duration, prompts=prompts,
            )
            interview.duration_minutes = max(1, round(duration / 60))
            plan.append((interview, generated))

    # ---- Transcripts and turns.
    with steps("transcripts_and_turns"), transaction.atomic():
        Interview.objects.bulk_update([i for i, _g in plan], ["duration_minutes"], batch_size=batch_size)
        transcript_rows = [
            Transcript(
                interview=interview, text=generated.text, source_format="txt", word_count=generated.word_count,
                char_count=len(generated.text), open_findings=0,
                notes=(f"Syntetiskt benchmarkmaterial. {interview.round.get_method_display()}, "
                       f"omgång {interview.round.number}, team {interview.team.number}."),
                published_at=(published := datetime.combine(interview.date, datetime.min.time(), UTC)
                              + timedelta(days=7)),
                last_scanned_at=published, published_by=lead,
            )
            for interview, generated in plan
        ]
        transcript_objs = _bulk(Transcript, transcript_rows, max(1, min(batch_size, 50)))
        turn_rows = []
        turn_objs_by_transcript: list[list[Turn]] = []
        for transcript, (interview, generated) in zip(transcript_objs, plan, strict=True):
            team_participants = participants_by_team[interview.team.number]
            text = generated.text
            rows = []
            for position, turn in enumerate(generated.turns, start=1):
                if turn.kind == "interviewer":
                    participant, label, kind = None, interview.interviewer_label, SpeakerKind.INTERVIEWER
                else:
                    participant = team_participants[turn.speaker]
                    label, kind = participant.role_label, SpeakerKind.PARTICIPANT
                rows.append(Turn(transcript=transcript, position=position, speaker_kind=kind,
                                 participant=participant, speaker_label=label, text=text[turn.start:turn.end],
                                 start=turn.start, end=turn.end, time_seconds=turn.time_seconds))
            turn_objs_by_transcript.append(rows)
            turn_rows.extend(rows)
        _bulk(Turn, turn_rows, batch_size)

    # ---- Assignments and codings.
    with steps("codings"), transaction.atomic():
        rng = random.Random(f"{seed}/codings")
        codes = code_rows
        codebook_size = len(codes)
        ranks = list(range(codebook_size))
        random.Random(f"{seed}/code-weights").shuffle(ranks)
        code_cum = list(itertools.accumulate(
            AREA_CODING_SHARE[code_area[index]] / (1 + ranks[index] % 12) ** 0.6 for index in range(codebook_size)
        ))
        assigned_by_transcript = [
            [coders[(index + k) % len(coders)] for k in range(min(CODERS_PER_TRANSCRIPT, len(coders)))]
            for index in range(len(plan))
        ]
        assignment_rows = [
            Assignment(transcript=transcript, user=user, assigned_by=lead, assigned_at=transcript.published_at)
            for transcript, users in zip(transcript_objs, assigned_by_transcript, strict=True) for user in users
        ]
        _bulk(Assignment, assignment_rows, batch_size)

        per_transcript = _allocate(codings, [g.word_count for _i, g in plan])
        coding_rows: list[Coding] = []
        coding_keys: list[tuple] = []
        seen: set[tuple] = set()
        spanning = 0
        for t_index, ((_interview, generated), count) in enumerate(zip(plan, per_transcript, strict=True)):
            gturns = generated.turns
            usable = [i for i, t in enumerate(gturns) if t.kind == "participant" and len(t.word_starts) >= 3]
            if not usable:
                usable = [i for i, t in enumerate(gturns) if len(t.word_starts)]
            by_area: dict[int, list[int]] = defaultdict(list)
            for i in usable:
                by_area[gturns[i].area].append(i)
            transcript = transcript_objs[t_index]
            turn_objs = turn_objs_by_transcript[t_index]
            text = generated.text
            coders_here = assigned_by_transcript[t_index]
            made = 0
            attempts = 0
            while made < count and attempts < count * 20 + 100:
                attempts += 1
                code_index = rng.choices(range(codebook_size), cum_weights=code_cum)[0]
                coder_index = rng.randrange(len(coders_here))
                pool = by_area.get(code_area[code_index]) if rng.random() < 0.85 else None
                turn_index = rng.choice(pool or usable)
                turn = gturns[turn_index]
                start, end = _choose_span(rng, text, gturns, turn_index)
                key = (t_index, code_index, coder_index, start, end)
                if key in seen:
                    continue
                seen.add(key)
                memo = textgen.coding_memo(rng) if rng.random() < 0.08 else ""
                coder = coders_here[coder_index]
                spanning += end > turn.end
                coding_rows.append(Coding(
                    transcript=transcript, code=codes[code_index], coder=coder, turn=turn_objs[turn_index],
                    start=start, end=end, text=text[start:end], memo=memo,
                    created_at=transcript.published_at + timedelta(days=3, seconds=rng.randrange(50 * 86400)),
                ))
                coding_keys.append((t_index, code_index, coder.username, start, end, memo))
                made += 1
        _bulk(Coding, coding_rows, batch_size)

    # ---- Themes, quotes, notes, round prompts.
    with steps("analysis"), transaction.atomic():
        rng = random.Random(f"{seed}/analysis")
        statuses = list(THEME_STATUSES)
        rng.shuffle(statuses)
        codes_by_area: dict[int, list[int]] = defaultdict(list)
        for index, area_index in enumerate(code_area):
            codes_by_area[area_index].append(index)
        theme_rows, theme_links = [], []
        for area_index, slug in enumerate(textgen.AREA_SLUGS):
            for theme_name in THEMES[slug]:
                definition, includes, excludes = textgen.theme_definition(rng, slug)
                theme_rows.append(Theme(
                    study=study, area=area_by_slug[slug], name=theme_name, definition=definition,
                    includes=includes, excludes=excludes, status=statuses[len(theme_rows) % len(statuses)],
                    created_by=rng.choice([lead, *coders]),
                    created_at=BASE_TIME + timedelta(days=130 + len(theme_rows)),
                ))
                theme_links.append(rng.sample(codes_by_area[area_index], rng.randint(2, 4)))
        themes = _bulk(Theme, theme_rows, batch_size)
        theme_code_rows = [
            ThemeCode(theme=theme, code=codes[code_index], linked_by=theme.created_by,
                      linked_at=theme.created_at + timedelta(hours=1))
            for theme, links in zip(themes, theme_links, strict=True) for code_index in links
        ]
        _bulk(ThemeCode, theme_code_rows, batch_size)

        codings_by_code: dict[int, list[int]] = defaultdict(list)
        for coding_index, key in enumerate(coding_keys):
            codings_by_code[key[1]].append(coding_index)
        quote_rows = []
        for theme, links in zip(themes, theme_links, strict=True):
            candidates = sorted({c for code_index in links for c in codings_by_code[code_index]})
            for coding_index in rng.sample(candidates, min(len(candidates), rng.randint(8, 12))):
                coding = coding_rows[coding_index]
                edited = textgen.edit_for_readability(coding.text) if rng.random() < 0.3 else ""
                edited = "" if edited == coding.text else edited
                quote_rows.append(Quote(theme=theme, coding=coding, is_key=rng.random() < 0.8, edited_text=edited,
                                        marked_by=lead, marked_at=theme.created_at + timedelta(days=20)))
        _bulk(Quote, quote_rows, batch_size)

        note_rows = []
        for transcript, (interview, _g), users in zip(transcript_objs, plan, assigned_by_transcript, strict=True):
            for user in users:
                if rng.random() < 0.7:
                    note_rows.append(Note(
                        study=study, author=user, kind=Note.Kind.FAMILIARISATION, transcript=transcript,
                        title=f"Bekantskap: team {interview.team.number}, omgång {interview.round.number}",
                        text=textgen.familiarisation_note(rng), is_done=rng.random() < 0.8,
                        created_at=transcript.published_at + timedelta(days=1),
                    ))
        for code_index, code in enumerate(codes):
            for user in coders:
                if rng.random() < 0.25:
                    note_rows.append(Note(
                        study=study, author=user, kind=Note.Kind.CODE_MEMO, code=code, title=f"Kodmemo: {code.name}",
                        text=textgen.code_memo(rng, textgen.AREA_SLUGS[code_area[code_index]]),
                        created_at=code.created_at + timedelta(days=2),
                    ))
        for user in [lead, *coders]:
            for entry in range(8):
                at = BASE_TIME + timedelta(days=60 + 35 * entry + rng.randrange(20))
                note_rows.append(Note(study=study, author=user, kind=Note.Kind.JOURNAL,
                                      title=f"Reflexiv dagbok {at:%Y-%m-%d}", text=textgen.journal_entry(rng),
                                      created_at=at))
        _bulk(Note, note_rows, batch_size)

        prompt_rows = _bulk(RoundPrompt, [
            RoundPrompt(round=rounds[1], area=area_by_slug[slug], quote=prompts[slug],
                        follow_up=textgen.FOLLOW_UP_BY_AREA[slug])
            for slug in textgen.AREA_SLUGS
        ], batch_size)

    digest = hashlib.sha256()
    for _interview, generated in plan:
        digest.update(generated.text.encode())
    for key in coding_keys:
        digest.update(repr(key).encode())
    for quote in quote_rows:
        digest.update(f"{quote.theme.name}|{quote.coding.start}|{quote.edited_text}".encode())

    status_counts = Counter(theme.status for theme in themes)
    note_counts = Counter(note.kind for note in note_rows)
    steps.seconds["total"] = round(time.perf_counter() - total_started, 3)
    return {
        "study_id": study.pk,
        "name": study.name,
        "seed": seed,
        "database": connection.vendor,
        "counts": {
            "users": 1 + len(coders),
            "memberships": len(memberships),
            "rounds": len(rounds),
            "teams": len(teams),
            "named_teams": min(NAMED_TEAMS, len(teams)),
            "benchmark_teams": max(0, len(teams) - NAMED_TEAMS),
            "participants": len(participant_rows),
            "interviews": len(interviews),
            "transcripts": len(transcript_objs),
            "long_transcripts": len(long_slots),
            "words": sum(g.word_count for _i, g in plan),
            "words_per_transcript": {"min": min(g.word_count for _i, g in plan),
                                     "max": max(g.word_count for _i, g in plan)},
            "characters": sum(len(g.text) for _i, g in plan),
            "turns": len(turn_rows),
            "codes": len(codes),
            "nested_codes": sum(1 for c in codes if c.parent_id),
            "codings": len(coding_rows),
            "codings_with_memo": sum(1 for c in coding_rows if c.memo),
            "codings_spanning_turns": spanning,
            "assignments": len(assignment_rows),
            "themes": len(themes),
            "themes_by_status": {status.value: status_counts.get(status.value, 0) for status in ThemeStatus},
            "theme_codes": len(theme_code_rows),
            "quotes": len(quote_rows),
            "quotes_edited": sum(1 for q in quote_rows if q.edited_text),
            "notes": dict(sorted(note_counts.items())),
            "phase_changes": len(phase_changes),
            "round_prompts": len(prompt_rows),
        },
        "seconds": steps.seconds,
        "fingerprint": digest.hexdigest(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--transcripts", type=int, default=100)
    parser.add_argument("--words", type=int, default=12000, help="words per transcript (about)")
    parser.add_argument("--codings", type=int, default=40000)
    parser.add_argument("--long-transcript-words", type=int, default=0,
                        help="add one extra transcript of this many words, in a team of its own (e.g. 48000)")
    parser.add_argument("--name", default=None, help="study name (default: derived from the seed)")
    parser.add_argument("--replace", action="store_true", help="delete an existing study of the same name first")
    args = parser.parse_args(argv)
    try:
        result = make_study(seed=args.seed, transcripts=args.transcripts, words=args.words, codings=args.codings,
                            name=args.name, replace=args.replace, long_transcript_words=args.long_transcript_words)
    except StudyExists as exc:
        print(exc, file=sys.stderr)
        return 2
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
