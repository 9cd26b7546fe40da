"""factory_boy factories for the models tests need most."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from coding.models import Area, Code, Coding, Theme
from transcripts.models import Interview, Membership, Participant, Role, Round, Study, Team, Transcript, Turn


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("test-password-123")


class StudyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Study

    name = factory.Sequence(lambda n: f"Studie {n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    study = factory.SubFactory(StudyFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.CORESEARCHER


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    study = factory.SubFactory(StudyFactory)
    number = factory.Sequence(lambda n: n + 1)
    size_class = "mellanstor"
    collaboration_type = "inomkommunalt"
    professions = "arbetsterapeut, sjuksköterska"


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Round

    study = factory.SubFactory(StudyFactory)
    number = factory.Sequence(lambda n: n + 1)


class InterviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interview

    team = factory.SubFactory(TeamFactory)
    round = factory.SubFactory(RoundFactory, study=factory.SelfAttribute("..team.study"))


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    team = factory.SubFactory(TeamFactory)
    role_label = factory.Sequence(lambda n: f"Arbetsterapeut {n}")
    profession = "arbetsterapeut"


def make_transcript(interview: Interview, turns: list[tuple[str, str]], *, participants=None) -> Transcript:
    """A published transcript from (speaker label, text) pairs. Labels "Intervjuare" and
    "Medhjälpare" are the interview's own; any other label becomes (or reuses) a participant."""
    text_parts: list[str] = []
    spans = []
    offset = 0
    for label, turn_text in turns:
        if text_parts:
            text_parts.append("\n\n")
            offset += 2
        spans.append((label, offset, offset + len(turn_text)))
        text_parts.append(turn_text)
        offset += len(turn_text)
    transcript = Transcript.objects.create(
        interview=interview, text="".join(text_parts), source_format="txt", char_count=offset,
        word_count=sum(len(t.split()) for _l, t in turns),
    )
    participants = dict(participants or {})
    rows = []
    for position, (label, start, end) in enumerate(spans, start=1):
        kind = {"Intervjuare": "interviewer", "Medhjälpare": "assistant"}.get(label, "participant")
        participant = None
        if kind == "participant":
            participant = participants.get(label)
            if participant is None:
                participant, _created = Participant.objects.get_or_create(
                    team=interview.team, role_label=label, defaults={"profession": label.lower()}
                )
                participants[label] = participant
        rows.append(Turn(transcript=transcript, position=position, speaker_kind=kind, participant=participant,
                         speaker_label=label, start=start, end=end, text=transcript.text[start:end]))
    Turn.objects.bulk_create(rows)
    return transcript


class CodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Code

    study = factory.SubFactory(StudyFactory)
    area = factory.LazyFunction(lambda: Area.objects.get(slug="samverkan"))
    name = factory.Sequence(lambda n: f"Kod {n}")


class CodingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coding

    code = factory.SubFactory(CodeFactory)
    coder = factory.SubFactory(UserFactory)
    start = 0
    end = 10
    text = factory.LazyAttribute(lambda o: o.transcript.text[o.start:o.end])
    turn = factory.LazyAttribute(
        lambda o: o.transcript.turns.filter(start__lte=o.start).order_by("-start").first()
    )


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    study = factory.SubFactory(StudyFactory)
    area = factory.LazyFunction(lambda: Area.objects.get(slug="samverkan"))
    name = factory.Sequence(lambda n: f"Tema {n}")
