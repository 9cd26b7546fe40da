"""The analysis: areas, codes, codings, notes, themes and the Braun & Clarke phases."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from transcripts.models import Participant, Round, Study, Transcript, Turn, withdrawn_turn_in_span


class Area(models.Model):
    """One of the five NVOS areas: the fixed top level of every codebook (reference data)."""

    slug = models.SlugField(_("key"), unique=True)
    name_sv = models.CharField(_("Swedish name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80)
    definition_sv = models.TextField(_("Swedish definition"))
    definition_en = models.TextField(_("English definition"))
    colour = models.CharField(_("colour"), max_length=7)
    order = models.PositiveSmallIntegerField(_("order"), unique=True)

    class Meta:
        verbose_name = _("NVOS area")
        verbose_name_plural = _("NVOS areas")
        ordering = ["order"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "sv").startswith("en") else self.name_sv

    @property
    def definition(self) -> str:
        return self.definition_en if (get_language() or "sv").startswith("en") else self.definition_sv


class Phase(models.Model):
    """One of Braun & Clarke's six phases (reference data)."""

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name_sv = models.CharField(_("Swedish name"), max_length=80)
    name_en = models.CharField(_("English name"), max_length=80)
    guidance_sv = models.TextField(_("Swedish guidance"))
    guidance_en = models.TextField(_("English guidance"))

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "sv").startswith("en") else self.name_sv

    @property
    def guidance(self) -> str:
        return self.guidance_en if (get_language() or "sv").startswith("en") else self.guidance_sv


class PhaseChange(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="phase_changes",
                              verbose_name=_("study"))
    from_phase = models.PositiveSmallIntegerField(_("from phase"))
    to_phase = models.PositiveSmallIntegerField(_("to phase"))
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("phase change")
        verbose_name_plural = _("phase history")
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.study}: {self.from_phase} → {self.to_phase}"


class CodeQuerySet(models.QuerySet):
    def for_codebook(self) -> CodeQuerySet:
        return self.select_related("area", "parent", "created_by")


class Code(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="codes", verbose_name=_("study"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="codes", verbose_name=_("area"))
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="children", verbose_name=_("parent code"))
    name = models.CharField(_("name"), max_length=120)
    definition = models.TextField(_("definition"), blank=True)
    inclusion = models.TextField(_("include when"), blank=True)
    exclusion = models.TextField(_("exclude when"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, blank=True,
                              help_text=_("Empty means the colour of its area."))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = CodeQuerySet.as_manager()

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        ordering = ["area__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["study", "area", "name"], name="unique_code_name_in_area"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def display_colour(self) -> str:
        return self.colour or self.area.colour

    def clean(self) -> None:
        if self.parent_id:
            if self.parent.study_id != self.study_id:
                raise ValidationError({"parent": _("The parent code belongs to another study.")})
            if self.parent.area_id != self.area_id:
                raise ValidationError({"parent": _("The parent code must sit under the same area.")})
            ancestor = self.parent
            while ancestor is not None:
                if ancestor.pk == self.pk:
                    raise ValidationError({"parent": _("A code cannot sit under itself.")})
                ancestor = ancestor.parent


WITHDRAWN_SPANS_INLINE = 300


class CodingQuerySet(models.QuerySet):
    def counted(self) -> CodingQuerySet:
        """Codings that may be analysed: none touching a withdrawn participant's words.

        Withdrawn turns are few, so their spans are read first (one small query) and
        excluded by value; a correlated subquery per coding made every count over a whole
        study slow. With very many withdrawn turns the subquery is used after all.
        """
        withdrawn = list(Participant.objects.withdrawn().values_list("pk", flat=True)[:WITHDRAWN_SPANS_INLINE + 1])
        if not withdrawn:
            return self
        if len(withdrawn) > WITHDRAWN_SPANS_INLINE:
            return self.exclude(withdrawn_turn_in_span())
        spans = list(Turn.objects.filter(participant_id__in=withdrawn).values_list("transcript_id", "start", "end")
                     [:WITHDRAWN_SPANS_INLINE + 1])
        if not spans:
            return self
        if len(spans) > WITHDRAWN_SPANS_INLINE:
            return self.exclude(withdrawn_turn_in_span())
        overlap = Q()
        for transcript_id, start, end in spans:
            overlap |= Q(transcript_id=transcript_id, start__lt=end, end__gt=start)
        return self.exclude(overlap)


class Coding(models.Model):
    """A code applied by one coder to the span [start, end) of a published transcript.

    Offsets are Unicode code points into Transcript.text; `text` is a copy of the span so
    that lists and exports never need to load a whole transcript.
    """

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="codings",
                                   verbose_name=_("transcript"))
    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="codings", verbose_name=_("code"))
    coder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="codings",
                              verbose_name=_("coder"))
    turn = models.ForeignKey(Turn, on_delete=models.CASCADE, related_name="codings",
                             verbose_name=_("first turn"),
                             help_text=_("The turn the passage starts in: its speaker is the quote's attribution."))
    start = models.PositiveIntegerField(_("start offset"))
    end = models.PositiveIntegerField(_("end offset"))
    text = models.TextField(_("passage"))
    memo = models.TextField(_("memo"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    objects = CodingQuerySet.as_manager()

    class Meta:
        verbose_name = _("coding")
        verbose_name_plural = _("codings")
        ordering = ["transcript", "start", "end", "id"]
        indexes = [models.Index(fields=["transcript", "start"]), models.Index(fields=["code", "transcript"])]
        constraints = [
            models.UniqueConstraint(fields=["transcript", "code", "coder", "start", "end"],
                                    name="no_duplicate_coding"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="coding_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} [{self.start}:{self.end}]"


class Assignment(models.Model):
    """A lead assigns a transcript to a co-researcher to read and code."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="assignments",
                                   verbose_name=_("transcript"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments",
                             verbose_name=_("co-researcher"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+", verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned"), default=timezone.now)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["transcript", "user"]
        constraints = [models.UniqueConstraint(fields=["transcript", "user"], name="one_assignment")]

    def __str__(self) -> str:
        return f"{self.user} – {self.transcript}"


class Note(models.Model):
    """Every kind of written note in one table, so "Mina anteckningar" lists and searches
    them together: familiarisation notes (phase 1), coding memos, code memos and the
    reflexive journal."""

    class Kind(models.TextChoices):
        FAMILIARISATION = "familiarisation", _("familiarisation note")
        CODE_MEMO = "code", _("code memo")
        JOURNAL = "journal", _("reflexive journal entry")

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="notes", verbose_name=_("study"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes",
                               verbose_name=_("author"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="user_notes", verbose_name=_("transcript"))
    code = models.ForeignKey(Code, on_delete=models.CASCADE, null=True, blank=True, related_name="notes",
                             verbose_name=_("code"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    text = models.TextField(_("text"), blank=True)
    is_done = models.BooleanField(_("done"), default=False,
                                  help_text=_("For familiarisation notes: the transcript has been read."))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["author", "transcript"], condition=Q(kind="familiarisation"),
                                    name="one_familiarisation_note"),
            models.UniqueConstraint(fields=["author", "code"], condition=Q(kind="code"), name="one_code_memo"),
        ]

    def __str__(self) -> str:
        return self.title or self.get_kind_display()


class ThemeStatus(models.TextChoices):
    CANDIDATE = "kandidat", _("candidate")
    REVIEWED = "granskad", _("reviewed")
    DEFINED = "definierad", _("defined")
    DISCARDED = "forkastad", _("discarded")


class Theme(models.Model):
    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="themes", verbose_name=_("study"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="themes",
                             verbose_name=_("area"), help_text=_("Empty when the theme spans areas."))
    parent = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="subthemes", verbose_name=_("parent theme"))
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("central organising concept"), blank=True)
    includes = models.TextField(_("includes"), blank=True)
    excludes = models.TextField(_("excludes"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ThemeStatus.choices,
                              default=ThemeStatus.CANDIDATE)
    codes = models.ManyToManyField(Code, through="ThemeCode", related_name="themes", verbose_name=_("codes"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("theme")
        verbose_name_plural = _("themes")
        ordering = ["area__order", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("coding:theme_detail", args=[self.study_id, self.pk])


class ThemeCode(models.Model):
    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, verbose_name=_("theme"))
    code = models.ForeignKey(Code, on_delete=models.CASCADE, verbose_name=_("code"))
    linked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  related_name="+", verbose_name=_("linked by"))
    linked_at = models.DateTimeField(_("linked"), default=timezone.now)

    class Meta:
        verbose_name = _("code in theme")
        verbose_name_plural = _("codes in themes")
        constraints = [models.UniqueConstraint(fields=["theme", "code"], name="code_once_per_theme")]

    def __str__(self) -> str:
        return f"{self.theme} ← {self.code}"


class ThemeVersion(models.Model):
    """A saved state of a theme's name and definition: who changed it and when."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="versions", verbose_name=_("theme"))
    number = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    definition = models.TextField(_("central organising concept"), blank=True)
    includes = models.TextField(_("includes"), blank=True)
    excludes = models.TextField(_("excludes"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=ThemeStatus.choices)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                   related_name="+", verbose_name=_("changed by"))
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("theme version")
        verbose_name_plural = _("theme versions")
        ordering = ["theme", "-number"]
        constraints = [models.UniqueConstraint(fields=["theme", "number"], name="unique_theme_version")]

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"


class Quote(models.Model):
    """A reviewer's mark on a passage under a theme: key quote for the report, and a
    readability-edited version. The verbatim passage stays on the coding."""

    theme = models.ForeignKey(Theme, on_delete=models.CASCADE, related_name="quotes", verbose_name=_("theme"))
    coding = models.ForeignKey(Coding, on_delete=models.CASCADE, related_name="quotes",
                               verbose_name=_("coded passage"))
    is_key = models.BooleanField(_("key quote"), default=True)
    edited_text = models.TextField(_("edited for readability"), blank=True)
    marked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  related_name="+", verbose_name=_("marked by"))
    marked_at = models.DateTimeField(_("marked"), default=timezone.now)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["theme", "coding__start"]
        constraints = [models.UniqueConstraint(fields=["theme", "coding"], name="one_quote_per_theme_passage")]

    def __str__(self) -> str:
        return f"{self.theme}: {self.coding_id}"


class RoundPrompt(models.Model):
    """The quote from round 1 read to the teams in round 2 for one area, with its follow-up."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="prompts", verbose_name=_("round"))
    area = models.ForeignKey(Area, on_delete=models.PROTECT, verbose_name=_("area"))
    quote = models.TextField(_("prompt quote"))
    follow_up = models.TextField(_("follow-up question"), blank=True)

    class Meta:
        verbose_name = _("prompt quote")
        verbose_name_plural = _("prompt quotes")
        ordering = ["round", "area__order"]
        constraints = [models.UniqueConstraint(fields=["round", "area"], name="one_prompt_per_round_area")]

    def __str__(self) -> str:
        return f"{self.round}: {self.area}"


class CodingChange(models.Model):
    """A short-lived log of which turns' codings changed, so open transcript pages can
    fetch just those turns when they poll. Rows older than a day are pruned."""

    transcript = models.ForeignKey(Transcript, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("transcript"))
    first_turn = models.PositiveIntegerField(_("first turn"))
    last_turn = models.PositiveIntegerField(_("last turn"))
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("coding change")
        verbose_name_plural = _("coding changes")
        ordering = ["id"]
        indexes = [models.Index(fields=["transcript", "id"])]

    def __str__(self) -> str:
        return f"{self.transcript_id}: {self.first_turn}–{self.last_turn}"
