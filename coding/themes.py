"""Braun & Clarke's phases 3–6 in code: themes built from codes, reviewed against their
passages, defined and named; and the study's phase with its history and warnings.

Every change goes through a function here, in one transaction, next to its audit record.
Theme edits use the theme's version number as an optimistic lock, so two leads editing
the same theme never overwrite each other silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from transcripts import audit
from transcripts.models import Study, Transcript

from .models import Code, Coding, Note, PhaseChange, Quote, Theme, ThemeCode, ThemeStatus, ThemeVersion

VERSIONED_FIELDS = ("name", "definition", "includes", "excludes", "status")


class ThemeConflict(ValueError):
    """Someone else saved the theme first; str() is a message for the user."""


def theme_passages(theme: Theme) -> QuerySet[Coding]:
    """Every counted coded passage behind a theme: the codings of its codes, without
    passages touching a withdrawn participant's words."""
    return (
        Coding.objects.counted()
        .filter(code__themecode__theme=theme)
        .select_related("transcript__interview__team", "transcript__interview__round", "turn__participant",
                        "code", "coder")
        .order_by("transcript__interview__team__number", "transcript__interview__round__number", "start", "id")
    )


PASSAGE_COLUMNS = ("pk", "text", "transcript_id", "turn__position", "transcript__interview__team__number",
                   "transcript__interview__round__number", "transcript__interview__round__label",
                   "turn__speaker_label", "turn__participant__role_label", "code__name")


def passage_rows(theme: Theme):
    """theme_passages as plain tuples (see PASSAGE_COLUMNS), for pages listing hundreds."""
    return theme_passages(theme).values_list(*PASSAGE_COLUMNS)


def _version(theme: Theme, user, note: str = "") -> ThemeVersion:
    return ThemeVersion.objects.create(
        theme=theme, number=theme.version, name=theme.name, definition=theme.definition, includes=theme.includes,
        excludes=theme.excludes, status=theme.status, changed_by=user, note=note[:200],
    )


@transaction.atomic
def create_theme(*, study: Study, user, name: str, area=None, parent: Theme | None = None, definition: str = "",
                 includes: str = "", excludes: str = "", codes: list[Code] = (), request=None) -> Theme:
    theme = Theme.objects.create(study=study, area=area, parent=parent, name=name, definition=definition,
                                 includes=includes, excludes=excludes, created_by=user)
    ThemeCode.objects.bulk_create([ThemeCode(theme=theme, code=c, linked_by=user) for c in codes])
    _version(theme, user, _("created"))
    audit.record(request or user, "theme_created", theme, study_id=study.pk, detail={"codes": [c.pk for c in codes]})
    return theme


@transaction.atomic
def save_theme(*, theme: Theme, changes: dict, expected_version: int, user, request=None, note: str = "") -> Theme:
    """Applies field changes if nobody else saved the theme since `expected_version`."""
    changed = [field for field, value in changes.items() if getattr(theme, field) != value]
    if not changed:
        return theme
    updated = Theme.objects.filter(pk=theme.pk, version=expected_version).update(
        **changes, version=F("version") + 1)
    if not updated:
        raise ThemeConflict(_("Someone else changed this theme while you were editing it. Your changes were not "
                              "saved: reload the page to see the latest version and make them again."))
    theme.refresh_from_db()
    if set(changed) & set(VERSIONED_FIELDS):
        _version(theme, user, note)
    audit.record(request or user, "theme_changed", theme, study_id=theme.study_id, fields=changed)
    return theme


def _touch(theme: Theme) -> None:
    Theme.objects.filter(pk=theme.pk).update(version=F("version") + 1)


@transaction.atomic
def link_code(*, theme: Theme, code: Code, user, request=None) -> bool:
    if code.study_id != theme.study_id:
        raise ValueError("code and theme belong to different studies")
    _link, created = ThemeCode.objects.get_or_create(theme=theme, code=code, defaults={"linked_by": user})
    if created:
        audit.record(request or user, "theme_code_linked", theme, study_id=theme.study_id, detail={"code": code.pk})
    return created


@transaction.atomic
def unlink_code(*, theme: Theme, code: Code, user, request=None) -> bool:
    deleted, _rows = ThemeCode.objects.filter(theme=theme, code=code).delete()
    if deleted:
        audit.record(request or user, "theme_code_unlinked", theme, study_id=theme.study_id, detail={"code": code.pk})
    return bool(deleted)


@transaction.atomic
def split_theme(*, theme: Theme, codes: list[Code], name: str, user, request=None) -> Theme:
    """Moves the chosen codes (and their key quotes) from `theme` to a new theme."""
    if not codes:
        raise ValueError(_("Choose at least one code to move to the new theme."))
    new = create_theme(study=theme.study, user=user, name=name, area=theme.area, parent=theme.parent, codes=codes,
                       request=request)
    code_ids = [c.pk for c in codes]
    ThemeCode.objects.filter(theme=theme, code_id__in=code_ids).delete()
    Quote.objects.filter(theme=theme, coding__code_id__in=code_ids).update(theme=new)
    _touch(theme)
    audit.record(request or user, "theme_split", theme, study_id=theme.study_id,
                 detail={"new_theme": new.pk, "codes": code_ids})
    return new


@transaction.atomic
def merge_themes(*, source: Theme, target: Theme, user, request=None) -> Theme:
    """Moves codes, key quotes and sub-themes of `source` into `target`; `source` is kept
    as discarded, so the history of the analysis stays readable."""
    if source.pk == target.pk or source.study_id != target.study_id:
        raise ValueError(_("Choose another theme of this study to merge into."))
    taken = set(ThemeCode.objects.filter(theme=target).values_list("code_id", flat=True))
    for link in ThemeCode.objects.filter(theme=source).exclude(code_id__in=taken):
        ThemeCode.objects.create(theme=target, code_id=link.code_id, linked_by=user)
    quoted = set(Quote.objects.filter(theme=target).values_list("coding_id", flat=True))
    Quote.objects.filter(theme=source).exclude(coding_id__in=quoted).update(theme=target)
    Theme.objects.filter(parent=source).exclude(pk=target.pk).update(parent=target)
    ThemeCode.objects.filter(theme=source).delete()
    _touch(target)
    discard_theme(theme=source, user=user, request=request,
                  note=_("merged into %(name)s") % {"name": target.name})
    audit.record(request or user, "themes_merged", target, study_id=target.study_id, detail={"source": source.pk})
    return target


@transaction.atomic
def discard_theme(*, theme: Theme, user, request=None, note: str = "") -> Theme:
    theme.refresh_from_db()
    return save_theme(theme=theme, changes={"status": ThemeStatus.DISCARDED}, expected_version=theme.version,
                      user=user, request=request, note=note or _("discarded"))


@transaction.atomic
def mark_quote(*, theme: Theme, coding: Coding, is_key: bool, edited_text: str, user, request=None) -> Quote | None:
    """Marks a passage as key quote (with an optional readability-edited version), or
    unmarks it. The verbatim passage always stays on the coding."""
    edited_text = edited_text.strip()
    if not is_key and not edited_text:
        Quote.objects.filter(theme=theme, coding=coding).delete()
        audit.record(request or user, "quote_unmarked", theme, study_id=theme.study_id, detail={"coding": coding.pk})
        return None
    quote, _created = Quote.objects.update_or_create(
        theme=theme, coding=coding, defaults={"is_key": is_key, "edited_text": edited_text, "marked_by": user})
    audit.record(request or user, "quote_marked", theme, study_id=theme.study_id,
                 detail={"coding": coding.pk, "key": is_key}, fields=["edited_text"] if edited_text else [])
    return quote


# ---- phases ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Warning:
    """Open work that moving on would leave behind: a message and the items, with links."""

    message: str
    items: list[tuple[str, str]]  # (label, url)


def phase_warnings(study: Study, target: int) -> list[Warning]:
    """What is still open before `target` (checks each threshold the move crosses)."""
    warnings: list[Warning] = []
    current = study.current_phase
    if current < 2 <= target:
        read = Note.objects.filter(transcript=OuterRef("pk"), kind=Note.Kind.FAMILIARISATION, is_done=True)
        unread = (Transcript.objects.filter(interview__team__study=study).exclude(Exists(read))
                  .select_related("interview__team", "interview__round"))
        items = [(str(t.interview), t.get_absolute_url()) for t in unread]
        if items:
            warnings.append(Warning(_("Transcripts that no one has marked as read (phase 1):"), items))
    if current < 3 <= target:
        undefined = Code.objects.filter(study=study, definition="").select_related("area")
        items = [(f"{c.area.name} › {c.name}", reverse("coding:code_detail", args=[study.pk, c.pk])) for c in undefined]
        if items:
            warnings.append(Warning(_("Codes without a definition:"), items))
    if current < 6 <= target:
        themes = Theme.objects.filter(study=study).exclude(status=ThemeStatus.DISCARDED)
        passages = Coding.objects.counted().filter(code__themecode__theme=OuterRef("pk"))
        lacking = themes.filter(Q(definition="") | ~Exists(passages))
        items = [(t.name, t.get_absolute_url()) for t in lacking]
        if items:
            warnings.append(Warning(_("Themes without a definition or without any coded passage:"), items))
    return warnings


@transaction.atomic
def change_phase(*, study: Study, target: int, user, note: str, request=None) -> PhaseChange:
    if not 1 <= target <= 6:
        raise ValueError(_("Choose a phase between 1 and 6."))
    study = Study.objects.select_for_update().get(pk=study.pk)
    change = PhaseChange.objects.create(study=study, from_phase=study.current_phase, to_phase=target,
                                        changed_by=user, note=note.strip())
    Study.objects.filter(pk=study.pk).update(current_phase=target)
    audit.record(request or user, "phase_changed", study, study_id=study.pk,
                 detail={"from": change.from_phase, "to": target})
    return change
