"""Studies, their teams, rounds, interviews, participants and anonymised transcripts.

No model here holds a real name: participants are role labels ("Sjuksköterska 2"),
interviewers are role labels, and transcripts are stored only after anonymisation.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A published transcript's text is its turns' texts joined by this separator, so that
# Transcript.text[turn.start:turn.end] == turn.text for every turn.
TURN_SEPARATOR = "\n\n"


class SizeClass(models.TextChoices):
    SMALL = "liten", _("small municipality")
    MEDIUM = "mellanstor", _("medium-sized municipality")
    LARGE = "stor", _("large municipality")


class Municipality(models.Model):
    """One of Östergötland's 13 municipalities, keyed by its SCB code (reference data)."""

    code = models.CharField(_("SCB code"), max_length=4, unique=True)
    name = models.CharField(_("name"), max_length=60)
    size_class = models.CharField(_("size class"), max_length=12, choices=SizeClass.choices)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceArea(models.Model):
    """A verksamhetsområde (Socialstyrelsen's Öppna jämförelser split), reference data."""

    slug = models.SlugField(_("key"), unique=True)
    name = models.CharField(_("name"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("service area")
        verbose_name_plural = _("service areas")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class SpiderCategory(models.Model):
    """One of the ten categories of the spider-diagram survey (Danermark & Germundsson)."""

    slug = models.SlugField(_("key"), unique=True)
    name = models.CharField(_("name"), max_length=80)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("spider-diagram category")
        verbose_name_plural = _("spider-diagram categories")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name


class AttributionFormat(models.TextChoices):
    ROLE_AND_TEAM = "role_team", _("Role and team, e.g. (Arbetsterapeut, team 1)")
    ROLE_ONLY = "role", _("Role only, e.g. (Biståndshandläggare)")


class StudyQuerySet(models.QuerySet):
    def for_user(self, user) -> StudyQuerySet:
        """Studies the user may open: staff see all, others those they are a member of."""
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self
        return self.filter(memberships__user=user).distinct()


class Study(models.Model):
    PHASE_CHOICES = [(n, str(n)) for n in range(1, 7)]

    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    is_demo = models.BooleanField(
        _("demo study"), default=False, help_text=_("Synthetic demo material, not research data.")
    )
    current_phase = models.PositiveSmallIntegerField(
        _("current phase"), choices=PHASE_CHOICES, default=1
    )
    blind_coding = models.BooleanField(
        _("blind coding"),
        default=False,
        help_text=_("Co-researchers see only their own codings until a project lead lifts it."),
    )
    attribution_format = models.CharField(
        _("quote attribution"),
        max_length=12,
        choices=AttributionFormat.choices,
        default=AttributionFormat.ROLE_AND_TEAM,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = StudyQuerySet.as_manager()

    class Meta:
        verbose_name = _("study")
        verbose_name_plural = _("studies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("coding:study_dashboard", args=[self.pk])


class Role(models.TextChoices):
    CORESEARCHER = "medforskare", _("co-researcher")
    LEAD = "projektledare", _("project lead")
    ADMIN = "administrator", _("admin")


class Membership(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="memberships",
                              verbose_name=_("study"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.CORESEARCHER)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["study", "user__username"]
        constraints = [models.UniqueConstraint(fields=["study", "user"], name="one_membership_per_study")]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} ({self.study})"


class CollaborationType(models.TextChoices):
    WITHIN_MUNICIPALITY = "inomkommunalt", _("within the municipality (inomkommunalt team)")
    MUNICIPALITY_REGION = "kommun_region", _("municipality and region")
    REGION_MUNICIPALITIES = "region_kommuner", _("region and several municipalities")
    MUNICIPALITY_REGION_STATE = "kommun_region_stat", _("municipality, region and state")


class TeamStatus(models.TextChoices):
    ESTABLISHED = "etablerat", _("established")
    STARTING = "uppstart", _("starting up")


class Team(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="teams", verbose_name=_("study"))
    number = models.PositiveSmallIntegerField(_("team number"))
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality"),
        help_text=_("Never shown in reports; reports give the size class only."),
    )
    size_class = models.CharField(_("municipality size"), max_length=12, choices=SizeClass.choices)
    collaboration_type = models.CharField(
        _("type of collaboration"), max_length=24, choices=CollaborationType.choices
    )
    professions = models.TextField(_("professions"), blank=True,
                                   help_text=_("Comma-separated, e.g. arbetsterapeut, sjuksköterska"))
    actors = models.TextField(_("actors (principals)"), blank=True)
    target_group = models.TextField(_("target group"), blank=True)
    service_area = models.ForeignKey(ServiceArea, on_delete=models.PROTECT, null=True, blank=True,
                                     verbose_name=_("service area"))
    status = models.CharField(_("status"), max_length=12, choices=TeamStatus.choices,
                              default=TeamStatus.ESTABLISHED)
    meeting_cadence = models.CharField(_("meeting cadence"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["study", "number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_team_number")]

    def __str__(self) -> str:
        return _("Team %(number)s") % {"number": self.number}

    @property
    def profession_list(self) -> list[str]:
        return [p.strip() for p in self.professions.split(",") if p.strip()]


class InterviewMethod(models.TextChoices):
    GROUP = "gruppintervju", _("group interview")
    FOCUS_GROUP = "fokusgruppsintervju", _("focus-group interview")


class Round(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("study"))
    number = models.PositiveSmallIntegerField(_("round number"))
    label = models.CharField(_("label"), max_length=120, blank=True)
    method = models.CharField(_("method"), max_length=24, choices=InterviewMethod.choices,
                              default=InterviewMethod.GROUP)
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)

    class Meta:
        verbose_name = _("interview round")
        verbose_name_plural = _("interview rounds")
        ordering = ["study", "number"]
        constraints = [models.UniqueConstraint(fields=["study", "number"], name="unique_round_number")]

    def __str__(self) -> str:
        return self.label or _("Round %(number)s") % {"number": self.number}

    def clean(self) -> None:
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": _("The period cannot end before it starts.")})


class Interview(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="interviews", verbose_name=_("team"))
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="interviews",
                              verbose_name=_("round"))
    date = models.DateField(_("date"), null=True, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), null=True, blank=True)
    interviewer_label = models.CharField(_("interviewer (role label)"), max_length=60, default="Intervjuare")
    assistant_label = models.CharField(_("assistant (role label)"), max_length=60, default="Medhjälpare")

    class Meta:
        verbose_name = _("interview")
        verbose_name_plural = _("interviews")
        ordering = ["round__number", "team__number"]
        constraints = [models.UniqueConstraint(fields=["team", "round"], name="one_interview_per_team_round")]

    def __str__(self) -> str:
        return f"{self.team}, {self.round}"

    def clean(self) -> None:
        if self.team_id and self.round_id and self.team.study_id != self.round.study_id:
            raise ValidationError(_("The team and the round must belong to the same study."))

    @property
    def study_id(self) -> int:
        return self.team.study_id


class ParticipantQuerySet(models.QuerySet):
    def withdrawn(self) -> ParticipantQuerySet:
        return self.filter(consent_withdrawn__isnull=False)


class Participant(models.Model):
    """A team member as a role label only ("Sjuksköterska 2"): never a name."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="participants",
                             verbose_name=_("team"))
    role_label = models.CharField(_("role label"), max_length=60,
                                  help_text=_('For example "Arbetsterapeut" or "Sjuksköterska 2". No names.'))
    profession = models.CharField(_("profession"), max_length=60, blank=True)
    consent_given = models.DateField(_("consent given"), null=True, blank=True)
    consent_withdrawn = models.DateField(
        _("consent withdrawn"), null=True, blank=True,
        help_text=_("From this date the participant's words are left out of analysis and every export."),
    )

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["team", "role_label"]
        constraints = [models.UniqueConstraint(fields=["team", "role_label"], name="unique_role_label_in_team")]

    def __str__(self) -> str:
        return f"{self.role_label} ({self.team})"

    @property
    def is_withdrawn(self) -> bool:
        return self.consent_withdrawn is not None


class TranscriptQuerySet(models.QuerySet):
    def for_listing(self) -> TranscriptQuerySet:
        return self.select_related("interview__team", "interview__round")


class Transcript(models.Model):
    """A published, anonymised transcript. Its text never changes once published:
    codings anchor into it by code-point offsets."""

    interview = models.OneToOneField(Interview, on_delete=models.PROTECT, related_name="transcript",
                                     verbose_name=_("interview"))
    text = models.TextField(_("anonymised text"))
    notes = models.TextField(_("transcript notes"), blank=True,
                             help_text=_("Headings and header lines before the first turn."))
    source_format = models.CharField(_("source format"), max_length=16)
    word_count = models.PositiveIntegerField(_("words"), default=0)
    char_count = models.PositiveIntegerField(_("characters"), default=0,
                                             help_text=_("Length of the text in code points."))
    published_at = models.DateTimeField(_("published"), default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                     related_name="+", verbose_name=_("published by"))
    last_scanned_at = models.DateTimeField(_("last scanned"), null=True, blank=True)
    open_findings = models.PositiveIntegerField(
        _("findings at last scan"), default=0,
        help_text=_("Possible personal data the last re-scan still found."),
    )

    objects = TranscriptQuerySet.as_manager()

    class Meta:
        verbose_name = _("transcript")
        verbose_name_plural = _("transcripts")
        ordering = ["interview__round__number", "interview__team__number"]

    def __str__(self) -> str:
        return _("Transcript: %(interview)s") % {"interview": self.interview}

    def get_absolute_url(self) -> str:
        return reverse("coding:transcript_detail", args=[self.interview.team.study_id, self.pk])

    @property
    def study_id(self) -> int:
        return self.interview.team.study_id


class SpeakerKind(models.TextChoices):
    INTERVIEWER = "interviewer", _("interviewer")
    ASSISTANT = "assistant", _("assistant")
    PARTICIPANT = "participant", _("participant")


class TurnQuerySet(models.QuerySet):
    def withdrawn(self) -> TurnQuerySet:
        return self.filter(participant__consent_withdrawn__isnull=False)


class Turn(models.Model):
    """One speaker turn: a span [start, end) of the transcript's text, in code points."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="turns",
                                   verbose_name=_("transcript"))
    position = models.PositiveIntegerField(_("turn number"))
    speaker_kind = models.CharField(_("speaker kind"), max_length=12, choices=SpeakerKind.choices)
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="turns", verbose_name=_("participant"))
    speaker_label = models.CharField(_("speaker (role label)"), max_length=60)
    text = models.TextField(_("text"), help_text=_("Equal to the transcript's text between start and end."))
    start = models.PositiveIntegerField(_("start offset"))
    end = models.PositiveIntegerField(_("end offset"))
    time_seconds = models.PositiveIntegerField(_("start time (seconds)"), null=True, blank=True)

    objects = TurnQuerySet.as_manager()

    class Meta:
        verbose_name = _("turn")
        verbose_name_plural = _("turns")
        ordering = ["transcript", "position"]
        indexes = [models.Index(fields=["transcript", "start"])]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "position"], name="unique_turn_position"),
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="turn_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.position}: {self.speaker_label}"



def withdrawn_turn_in_span(transcript_ref: str = "transcript", first_ref: str = "start",
                           last_ref: str = "end") -> Exists:
    """An Exists() that is true when a withdrawn participant spoke in the offset span.

    Used to drop codings that touch a withdrawn participant's words from every count,
    page and export in one query, without copying withdrawal state onto each coding.
    """
    return Exists(
        Turn.objects.filter(
            transcript=OuterRef(transcript_ref),
            start__lt=OuterRef(last_ref),
            end__gt=OuterRef(first_ref),
            participant__consent_withdrawn__isnull=False,
        )
    )


class SensitiveTerm(models.Model):
    """A study's own list of names to look for (workplaces, localities, people).

    Only a keyed hash of the term is stored, with a masked hint for the list page,
    so that this list itself never puts a real name into the database.
    """

    class Category(models.TextChoices):
        NAME = "namn", _("name")
        PLACE = "ort", _("place")
        WORKPLACE = "arbetsplats", _("workplace")
        OTHER = "annat", _("other")

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="sensitive_terms",
                              verbose_name=_("study"))
    digest = models.CharField(_("fingerprint"), max_length=64)
    token_count = models.PositiveSmallIntegerField(_("words"))
    hint = models.CharField(_("hint"), max_length=80)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices, default=Category.NAME)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                 related_name="+", verbose_name=_("added by"))
    added_at = models.DateTimeField(_("added"), auto_now_add=True)

    class Meta:
        verbose_name = _("sensitive term")
        verbose_name_plural = _("sensitive terms")
        ordering = ["study", "hint"]
        constraints = [models.UniqueConstraint(fields=["study", "digest"], name="unique_sensitive_term")]

    def __str__(self) -> str:
        return self.hint


class ImportDraft(models.Model):
    """An upload between parsing and publishing. It holds the parsed file (real speaker
    names included) and is deleted at publish, at cancel, or after 24 hours at the latest."""

    class Step(models.TextChoices):
        SPEAKERS = "speakers", _("map speakers")
        REVIEW = "review", _("review findings")

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="import_drafts",
                                  verbose_name=_("interview"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("uploaded by"))
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    source_format = models.CharField(_("source format"), max_length=16)
    parsed = models.JSONField(_("parsed file"), default=dict)
    speaker_map = models.JSONField(_("speaker mapping"), default=dict)
    findings = models.JSONField(_("findings"), default=list)
    step = models.CharField(_("step"), max_length=12, choices=Step.choices, default=Step.SPEAKERS)

    class Meta:
        verbose_name = _("import in progress")
        verbose_name_plural = _("imports in progress")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Import for %(interview)s") % {"interview": self.interview}

    @classmethod
    def purge_expired(cls) -> int:
        cutoff = timezone.now() - settings.NVOS_IMPORT_DRAFT_MAX_AGE
        deleted, _details = cls.objects.filter(created_at__lt=cutoff).delete()
        return deleted


class AuditEvent(models.Model):
    """Append-only record of who did what, when (UTC). Metadata only: ids and field names,
    never transcript or quote text, so a consent withdrawal never rewrites history."""

    at = models.DateTimeField(_("time (UTC)"), default=timezone.now, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="+", verbose_name=_("user"))
    username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    study_id = models.BigIntegerField(_("study id"), null=True, blank=True, db_index=True)
    object_type = models.CharField(_("object type"), max_length=40, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    fields = models.JSONField(_("fields"), default=list, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit trail")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"


class SpiderScore(models.Model):
    """A team's mean rating on one spider-diagram category before one round's interview."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="spider_scores",
                             verbose_name=_("team"))
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="spider_scores",
                              verbose_name=_("round"))
    category = models.ForeignKey(SpiderCategory, on_delete=models.PROTECT, verbose_name=_("category"))
    score = models.DecimalField(_("mean score"), max_digits=4, decimal_places=2)

    class Meta:
        verbose_name = _("spider-diagram score")
        verbose_name_plural = _("spider-diagram scores")
        ordering = ["team", "round", "category__order"]
        constraints = [
            models.UniqueConstraint(fields=["team", "round", "category"], name="one_score_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.team}, {self.round}: {self.category} {self.score}"
