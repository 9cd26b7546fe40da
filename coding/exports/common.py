"""What every export shares: the options, safe cell values, file names and the report.

The Word report and the printable HTML page are two renderings of one `Report`, built by
`build_report()` in a fixed number of queries. The tabular formats (tabular.py) share the
counts matrices built here, so a number is the same in every format.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from transcripts.models import Round, Study, Team

from ..aggregation import (
    CodingFilter,
    RoundMatrix,
    available_cells,
    coding_attribution,
    counts_by_cell,
    round_matrices,
    study_codings,
)
from ..models import Area, Phase, Quote, RoundPrompt, Theme, ThemeStatus

# A spreadsheet cell starting with one of these is read as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportOptions:
    """What a lead chose to include. Empty tuples mean "all"; ids, not numbers."""

    area_ids: tuple[int, ...] = ()
    theme_ids: tuple[int, ...] = ()
    round_ids: tuple[int, ...] = ()
    team_ids: tuple[int, ...] = ()
    verbatim: bool = False

    def coding_filter(self) -> CodingFilter:
        """The passages rows and counts are made of: areas, rounds, teams and, when themes
        are chosen, only passages coded with those themes' codes."""
        return CodingFilter(round_ids=self.round_ids, team_ids=self.team_ids, area_ids=self.area_ids,
                            theme_ids=self.theme_ids)


def neutralise(value):
    """A string that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def study_slug(study: Study) -> str:
    """An ASCII-only slug of the study name ("Studie Åsa" → "studie-asa")."""
    return slugify(study.name)[:60].strip("-") or f"studie-{study.pk}"


def export_filename(stem: str, study: Study, extension: str, day: datetime.date | None = None) -> str:
    day = day or timezone.localdate()
    return f"{stem}-{study_slug(study)}-{day.isoformat()}.{extension}"


# --- the shared selections -------------------------------------------------------------------

def selected_areas(options: ExportOptions) -> list[Area]:
    areas = Area.objects.all()
    if options.area_ids:
        areas = areas.filter(pk__in=options.area_ids)
    return list(areas)


def selected_rounds(study: Study, options: ExportOptions) -> list[Round]:
    rounds = Round.objects.filter(study=study)
    if options.round_ids:
        rounds = rounds.filter(pk__in=options.round_ids)
    return list(rounds)


def selected_teams(study: Study, options: ExportOptions) -> list[Team]:
    teams = Team.objects.filter(study=study).select_related("service_area")
    if options.team_ids:
        teams = teams.filter(pk__in=options.team_ids)
    return list(teams)


def count_matrices(study: Study, options: ExportOptions, *, areas: list[Area], rounds: list[Round],
                   teams: list[Team]) -> list[RoundMatrix]:
    """Team × area per round for the selected passages: two queries."""
    counts = counts_by_cell(study_codings(study, options.coding_filter()))
    return round_matrices(counts, rounds=rounds, teams=teams, areas=areas, available=available_cells(study))


# --- the theme report (Word and printable HTML) -------------------------------------------------

@dataclass
class QuoteEntry:
    text: str
    attribution: str
    coding_id: int
    edited: bool


@dataclass
class ThemeEntry:
    theme: Theme
    level: int  # 0 = theme, 1 = sub-theme, ...
    quotes: list[QuoteEntry] = field(default_factory=list)


@dataclass
class PromptEntry:
    round: Round
    quote: str
    follow_up: str


@dataclass
class AreaSection:
    area: Area
    prompts: list[PromptEntry]
    themes: list[ThemeEntry]


@dataclass
class Report:
    study: Study
    day: datetime.date
    phase: Phase | None
    sections: list[AreaSection]
    spanning_themes: list[ThemeEntry]
    areas: list[Area]
    rounds: list[Round]
    matrices: list[RoundMatrix]
    options: ExportOptions
    several_rounds_prompted: bool = False

    @property
    def phase_label(self) -> str:
        if self.phase is None:
            return ""
        return _("Phase %(number)s: %(name)s") % {"number": self.phase.number, "name": self.phase.name}


def build_report(study: Study, options: ExportOptions, *, day: datetime.date | None = None) -> Report:
    """Everything the theme summary shows, in about ten queries whatever the data size."""
    areas = selected_areas(options)
    rounds = selected_rounds(study, options)
    teams = selected_teams(study, options)
    phase = Phase.objects.filter(number=study.current_phase).first()

    prompts_by_area: dict[int, list[PromptEntry]] = {}
    prompts = RoundPrompt.objects.filter(round__in=rounds, area__in=areas).select_related("round")
    for prompt in prompts.order_by("round__number", "area__order"):
        if prompt.quote.strip():
            prompts_by_area.setdefault(prompt.area_id, []).append(
                PromptEntry(round=prompt.round, quote=prompt.quote, follow_up=prompt.follow_up))

    themes = Theme.objects.filter(study=study).exclude(status=ThemeStatus.DISCARDED).order_by("name", "pk")
    if options.theme_ids:
        themes = themes.filter(pk__in=options.theme_ids)
    themes = list(themes)
    entries = {theme.pk: ThemeEntry(theme=theme, level=0) for theme in themes}

    quote_codings = study_codings(study, CodingFilter(round_ids=options.round_ids, team_ids=options.team_ids))
    quotes = (
        Quote.objects.filter(theme__in=themes, is_key=True, coding__in=quote_codings.values("pk"))
        .select_related("coding__turn__participant", "coding__transcript__interview__team",
                        "coding__transcript__interview__round")
        .order_by("theme_id", "coding__transcript__interview__round__number",
                  "coding__transcript__interview__team__number", "coding__start", "pk")
    )
    for quote in quotes:
        edited = bool(quote.edited_text.strip()) and not options.verbatim
        entries[quote.theme_id].quotes.append(QuoteEntry(
            text=quote.edited_text.strip() if edited else quote.coding.text.strip(),
            attribution=coding_attribution(quote.coding, study.attribution_format),
            coding_id=quote.coding_id,
            edited=edited,
        ))

    area_ids = {area.pk for area in areas}
    by_area: dict[int | None, list[ThemeEntry]] = {}
    for theme in themes:
        if theme.parent_id in entries:
            continue  # listed under its parent
        if theme.area_id is None or theme.area_id in area_ids:
            by_area.setdefault(theme.area_id, []).extend(_with_subthemes(entries[theme.pk], themes, entries))

    sections = [AreaSection(area=area, prompts=prompts_by_area.get(area.pk, []), themes=by_area.get(area.pk, []))
                for area in areas]
    return Report(
        study=study, day=day or timezone.localdate(), phase=phase, sections=sections,
        spanning_themes=by_area.get(None, []), areas=areas, rounds=rounds,
        matrices=count_matrices(study, options, areas=areas, rounds=rounds, teams=teams), options=options,
        several_rounds_prompted=len({p.round.pk for ps in prompts_by_area.values() for p in ps}) > 1,
    )


def _with_subthemes(entry: ThemeEntry, themes: list[Theme], entries: dict[int, ThemeEntry],
                    level: int = 0) -> list[ThemeEntry]:
    entry.level = level
    result = [entry]
    if level < 5:
        for child in themes:
            if child.parent_id == entry.theme.pk:
                result.extend(_with_subthemes(entries[child.pk], themes, entries, level + 1))
    return result


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: object) -> str:
    """Text without the characters XML 1.0 cannot carry. A soft line break pasted from
    Word arrives as U+000B; python-docx would refuse the whole document over it."""
    return _XML_INVALID.sub("", "" if text is None else str(text))
