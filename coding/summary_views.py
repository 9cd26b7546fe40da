"""The summary page (counts per team × area × round, heatmap, charts, the quotes behind a
cell) and the export page with its downloads.

Counting rules live in coding/aggregation.py; the export formats in coding/exports/.
"""

from __future__ import annotations

import csv
import io
import tempfile
from urllib.parse import urlencode

from django import forms
from django.contrib.auth import get_user_model
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from transcripts import audit
from transcripts.ids import int_id, int_ids
from transcripts.models import Participant, Role, Round, Study, Team
from transcripts.permissions import Action, study_view

from .aggregation import (
    CodingFilter,
    area_round_totals,
    available_cells,
    cell_codings,
    coding_attribution,
    compare,
    counts_by_cell,
    counts_by_theme,
    format_attribution,
    role_without_number,
    round_matrices,
    study_codings,
)
from .exports import ExportOptions, web_exporters
from .exports.common import build_report, neutralise
from .exports.html_report import render_html
from .exports.tabular import CSV_DELIMITER
from .models import Area, Code, Coding, Quote, Theme, ThemeStatus

CELL_LIMIT = 300
SPOOL_BYTES = 16 * 1024 * 1024
ROUND_COLOURS = ["#0b5cad", "#bf4f00", "#116329", "#7e22ce"]


# --- forms ---------------------------------------------------------------------------------------

class SummaryFilterForm(forms.Form):
    """The GET filters of the summary page; choices come from lists the view already loaded."""

    round = forms.TypedChoiceField(label=gettext_lazy("Round"), coerce=int, required=False, empty_value=None)
    team = forms.TypedChoiceField(label=gettext_lazy("Team"), coerce=int, required=False, empty_value=None)
    profession = forms.ChoiceField(label=gettext_lazy("Profession"), required=False)
    coder = forms.TypedChoiceField(label=gettext_lazy("Coder"), coerce=int, required=False, empty_value=None)
    code = forms.TypedChoiceField(label=gettext_lazy("Code"), coerce=int, required=False, empty_value=None)
    theme = forms.TypedChoiceField(label=gettext_lazy("Theme"), coerce=int, required=False, empty_value=None)

    def __init__(self, data, *, rounds, teams, professions, coders, codes, themes):
        super().__init__(data)
        everything = [("", _("All"))]
        self.fields["round"].choices = everything + [(r.pk, str(r)) for r in rounds]
        self.fields["team"].choices = everything + [(t.pk, str(t)) for t in teams]
        self.fields["profession"].choices = everything + [(p, p) for p in professions]
        self.fields["coder"].choices = everything + [(u.pk, u.get_username()) for u in coders]
        self.fields["code"].choices = everything + [(c.pk, f"{c.area.name}: {c.name}") for c in codes]
        self.fields["theme"].choices = everything + [(t.pk, t.name) for t in themes]
        for field in self.fields.values():
            field.widget.attrs["data-autosubmit"] = ""

    def value(self, name):
        """A filter's valid value, or None (an invalid value is reported and ignored)."""
        if not hasattr(self, "cleaned_data"):
            self.is_valid()
        return self.cleaned_data.get(name) or None

    def coding_filter(self, *, own_coder_id: int | None = None) -> CodingFilter:
        def one(name):
            value = self.value(name)
            return (value,) if value else ()

        return CodingFilter(
            round_ids=one("round"), team_ids=one("team"), professions=one("profession"),
            coder_ids=(own_coder_id,) if own_coder_id else one("coder"), code_ids=one("code"),
            theme_ids=one("theme"),
        )

    def query(self) -> str:
        """The valid filters as a query string (without the leading "?")."""
        return urlencode({name: self.value(name) for name in self.fields if self.value(name)})


class IdChoiceField(forms.ModelMultipleChoiceField):
    """A multiple choice of rows that refuses out-of-range ids instead of passing them to
    the database (SQLite raises OverflowError on ids past 2**63)."""

    def _check_values(self, value):
        values = list(value or [])
        if len(int_ids(values)) != len(set(map(str, values))):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                        params={"value": next(v for v in values if int_id(v) is None)})
        return super()._check_values(values)


class ThemeChoiceField(IdChoiceField):
    def label_from_instance(self, obj: Theme) -> str:
        return f"{obj.name} ({obj.area.name if obj.area_id else _('several areas')})"


class ExportForm(forms.Form):
    """What goes into an export. Nothing ticked in a group means all of it."""

    TEXT_CHOICES = [
        ("edited", gettext_lazy("Edited for readability where an edited version exists")),
        ("verbatim", gettext_lazy("Verbatim, exactly as transcribed")),
    ]

    area = IdChoiceField(label=gettext_lazy("Areas"), queryset=Area.objects.all(), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    theme = ThemeChoiceField(label=gettext_lazy("Themes"), queryset=Theme.objects.none(), required=False,
                             widget=forms.CheckboxSelectMultiple)
    round = IdChoiceField(label=gettext_lazy("Rounds"), queryset=Round.objects.none(),
                                           required=False, widget=forms.CheckboxSelectMultiple)
    team = IdChoiceField(label=gettext_lazy("Teams"), queryset=Team.objects.none(), required=False,
                                          widget=forms.CheckboxSelectMultiple)
    text = forms.ChoiceField(label=gettext_lazy("Quote text"), choices=TEXT_CHOICES, required=False,
                             initial="edited", widget=forms.RadioSelect)
    format = forms.ChoiceField(label=gettext_lazy("Format"), required=False)

    def __init__(self, *args, study: Study, require_format: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].queryset = (Theme.objects.filter(study=study).exclude(status=ThemeStatus.DISCARDED)
                                         .select_related("area").order_by("area__order", "name"))
        self.fields["round"].queryset = Round.objects.filter(study=study)
        self.fields["team"].queryset = Team.objects.filter(study=study)
        self.fields["format"].choices = [(key, exporter.label) for key, exporter in web_exporters().items()]
        self.fields["format"].required = require_format

    def options(self) -> ExportOptions:
        data = self.cleaned_data
        return ExportOptions(
            area_ids=tuple(area.pk for area in data["area"]),
            theme_ids=tuple(theme.pk for theme in data["theme"]),
            round_ids=tuple(round_.pk for round_ in data["round"]),
            team_ids=tuple(team.pk for team in data["team"]),
            verbatim=data.get("text") == "verbatim",
        )


# --- summary -------------------------------------------------------------------------------------

def _summary_context(request: HttpRequest, study: Study) -> dict:
    """Everything the summary page shows, in a fixed number of queries."""
    areas = list(Area.objects.all())
    rounds = list(Round.objects.filter(study=study))
    teams = list(Team.objects.filter(study=study))
    themes = list(Theme.objects.filter(study=study).exclude(status=ThemeStatus.DISCARDED)
                  .select_related("area").order_by("area__order", "name", "pk"))
    codes = list(Code.objects.filter(study=study).select_related("area"))
    professions = list(Participant.objects.filter(team__study=study).exclude(profession="")
                       .order_by("profession").values_list("profession", flat=True).distinct())
    own_only = (study.blind_coding and request.role == Role.CORESEARCHER and not request.user.is_superuser)
    if own_only:
        coders = [request.user]
    else:
        # Everyone who has coded is or was a member; members are a short list, codings a long one.
        coders = list(get_user_model().objects.filter(memberships__study=study).order_by("username"))
    form = SummaryFilterForm(request.GET, rounds=rounds, teams=teams, professions=professions, coders=coders,
                             codes=codes, themes=themes)
    flt = form.coding_filter(own_coder_id=request.user.pk if own_only else None)

    shown_rounds = [r for r in rounds if not flt.round_ids or r.pk in flt.round_ids]
    shown_teams = [t for t in teams if not flt.team_ids or t.pk in flt.team_ids]
    codings = study_codings(study, flt)
    counts = counts_by_cell(codings)
    matrices = round_matrices(counts, rounds=shown_rounds, teams=shown_teams, areas=areas,
                              available=available_cells(study))
    cell_base = reverse("coding:summary_cell", args=[study.pk])
    filter_query = form.query()
    label = _("%(team)s, %(area)s, %(round)s: %(n)s passages")
    for matrix in matrices:
        round_name = str(matrix.round)
        for row in matrix.rows:
            team_name = str(row.team)
            for cell in row.cells:
                cell.url = _cell_url(cell_base, filter_query, cell.round.pk, cell.team.pk, cell.area.pk)
                # Built here once rather than by a blocktranslate in each of hundreds of cells.
                percent = cell.percent
                cell.label = label % {"team": team_name, "area": cell.area.name, "round": round_name,
                                      "n": cell.count} + (f", {percent} %" if percent is not None else "")
    theme_counts = counts_by_theme(codings)
    shown_themes = [t for t in themes if not flt.theme_ids or t.pk in flt.theme_ids]
    return {
        "study": study,
        "form": form,
        "own_only": own_only,
        "areas": areas,
        "matrices": matrices,
        "comparison": compare(matrices[0], matrices[1]) if len(matrices) >= 2 else None,
        "area_chart": _area_round_chart(areas, shown_rounds, area_round_totals(counts)),
        "theme_chart": _theme_chart(shown_themes, theme_counts),
        "filter_query": filter_query,
        "report_query": urlencode({"format": "docx", **{name: form.value(name) for name in ("round", "team", "theme")
                                                          if form.value(name)}}),
        "total": sum(counts.values()),
    }


def _cell_url(base: str, filter_query: str, round_id: int, team_id: int, area_id: int) -> str:
    cell = urlencode({"cell_round": round_id, "cell_team": team_id, "cell_area": area_id})
    return f"{base}?{filter_query}&{cell}" if filter_query else f"{base}?{cell}"


@study_view(Action.VIEW_STUDY)
@require_GET
def summary(request: HttpRequest, study: Study) -> HttpResponse:
    return render(request, "coding/summary.html", _summary_context(request, study))


def _int_param(request: HttpRequest, name: str) -> int:
    try:
        return int(request.GET.get(name, ""))
    except ValueError as exc:
        raise Http404 from exc


@study_view(Action.VIEW_STUDY)
@require_GET
def summary_cell(request: HttpRequest, study: Study) -> HttpResponse:
    """The passages behind one heatmap cell: a partial for htmx, the summary page with
    the list filled in otherwise (so the link works without JavaScript)."""
    round_ = get_object_or_404(Round, pk=_int_param(request, "cell_round"), study=study)
    team = get_object_or_404(Team, pk=_int_param(request, "cell_team"), study=study)
    area = get_object_or_404(Area, pk=_int_param(request, "cell_area"))
    context = _summary_context(request, study)
    flt = context["form"].coding_filter(own_coder_id=request.user.pk if context["own_only"] else None)
    codings = list(cell_codings(study, flt, round_id=round_.pk, team_id=team.pk, area_id=area.pk)[:CELL_LIMIT + 1])
    count = len(codings)
    if count > CELL_LIMIT:
        count = cell_codings(study, flt, round_id=round_.pk, team_id=team.pk, area_id=area.pk).count()
        codings = codings[:CELL_LIMIT]
    for coding in codings:
        coding.attribution = coding_attribution(coding, study.attribution_format)
    context["cell"] = {"round": round_, "team": team, "area": area, "codings": codings, "count": count,
                       "truncated": count > len(codings)}
    if request.htmx:
        return render(request, "coding/summary.html#cell-quotes", context)
    return render(request, "coding/summary.html", context)


# --- charts (inline SVG, drawn on the server) -----------------------------------------------------

CHART_WIDTH = 640
CHART_LABEL = 130   # room for the bar labels on the left
CHART_BAR = 430     # longest bar
BAR_HEIGHT = 18
BAR_GAP = 6
GROUP_GAP = 14


def _bar(*, y: int, value: int, maximum: int, label: str, title: str, colour: str) -> dict:
    width = round(CHART_BAR * value / maximum) if maximum else 0
    return {"y": y, "text_y": y + BAR_HEIGHT - 4, "width": width, "value_x": CHART_LABEL + width + 6,
            "value": value, "label": label, "title": title, "colour": colour}


def _area_round_chart(areas: list[Area], rounds: list[Round], totals: dict[tuple[int, int], int]) -> dict:
    maximum = max(totals.values(), default=0)
    y, groups = 0, []
    for area in areas:
        y += GROUP_GAP + 12
        group = {"label": area.name, "y": y, "bars": []}
        y += 6
        for index, round_ in enumerate(rounds):
            value = totals.get((area.pk, round_.pk), 0)
            group["bars"].append(_bar(y=y, value=value, maximum=maximum, label=str(round_),
                                      title=f"{area.name}, {round_}: {value}",
                                      colour=ROUND_COLOURS[index % len(ROUND_COLOURS)]))
            y += BAR_HEIGHT + BAR_GAP
        groups.append(group)
    return {"groups": groups, "height": y + 4, "width": CHART_WIDTH, "label_width": CHART_LABEL,
            "bar_height": BAR_HEIGHT}


def _theme_chart(themes: list[Theme], counts: dict[int, int]) -> dict:
    maximum = max((counts.get(t.pk, 0) for t in themes), default=0)
    y, groups = 0, []
    for theme in themes:
        value = counts.get(theme.pk, 0)
        y += GROUP_GAP + 12
        name = theme.name if len(theme.name) <= 80 else theme.name[:79] + "…"
        group = {"label": name, "y": y, "bars": []}
        y += 6
        area = theme.area.name if theme.area_id else _("several areas")
        group["bars"].append(_bar(y=y, value=value, maximum=maximum, label=area,
                                  title=f"{theme.name}: {value}",
                                  colour=theme.area.colour if theme.area_id else "#57606a"))
        y += BAR_HEIGHT + BAR_GAP
        groups.append(group)
    return {"groups": groups, "height": y + 4, "width": CHART_WIDTH, "label_width": CHART_LABEL,
            "bar_height": BAR_HEIGHT}


# --- exports ---------------------------------------------------------------------------------------

@study_view(Action.EXPORT)
@require_GET
def export(request: HttpRequest, study: Study) -> HttpResponse:
    form = ExportForm(study=study, initial={"text": "edited"})
    return render(request, "coding/export.html", {"study": study, "form": form, "exporters": web_exporters().values()})


@study_view(Action.EXPORT)
@require_GET
def export_download(request: HttpRequest, study: Study) -> HttpResponse:
    form = ExportForm(request.GET, study=study, require_format=True)
    if not form.is_valid():
        context = {"study": study, "form": form, "exporters": web_exporters().values()}
        return render(request, "coding/export.html", context, status=400)
    exporter = web_exporters()[form.cleaned_data["format"]]
    options = form.options()
    filename = exporter.filename(study)
    if exporter.stream is not None:
        response = StreamingHttpResponse(exporter.stream(study, options), content_type=exporter.content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
    else:
        # FileResponse closes the file when the response is done; large files spill to disk.
        buffer = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115
        exporter.write(study, options, buffer)
        buffer.seek(0)
        response = FileResponse(buffer, as_attachment=True, filename=filename, content_type=exporter.content_type)
    audit.record(request, "export_downloaded", study, study_id=study.pk, detail={"format": exporter.key})
    response["Cache-Control"] = "no-store"
    return response


@study_view(Action.EXPORT)
@require_GET
def report_print(request: HttpRequest, study: Study) -> HttpResponse:
    """The theme summary as a page to print (the same content as the .html download)."""
    form = ExportForm(request.GET, study=study)
    if not form.is_valid():
        context = {"study": study, "form": form, "exporters": web_exporters().values()}
        return render(request, "coding/export.html", context, status=400)
    audit.record(request, "export_downloaded", study, study_id=study.pk, detail={"format": "print"})
    response = HttpResponse(render_html(build_report(study, form.options()), request=request))
    response["Cache-Control"] = "no-store"
    return response


@study_view(Action.EXPORT)
@require_GET
def code_quotes_csv(request: HttpRequest, study: Study, code_id: int) -> HttpResponse:
    """All counted passages of one code as CSV, in one query (a second only for an empty code)."""
    # Edited versions are few: one small query instead of a subquery per passage.
    edited_by_coding: dict[int, str] = {}
    for coding_id, edited_text in (Quote.objects.filter(coding__code__pk=code_id, coding__code__study=study)
                                   .exclude(edited_text="").order_by("-marked_at", "-pk")
                                   .values_list("coding_id", "edited_text")):
        edited_by_coding[coding_id] = edited_text  # the earliest marked wins, as before
    rows = list(
        # code__pk, not code_id: Django answers an out-of-range id with no rows only on the
        # target field's own lookup; through the foreign key SQLite raises OverflowError (a 500).
        Coding.objects.filter(code__pk=code_id, code__study=study).counted()
        .order_by("transcript__interview__round__number", "transcript__interview__team__number", "transcript_id",
                  "start", "pk")
        .values_list("code__name", "transcript__interview__round__number", "transcript__interview__team__number",
                     "turn__speaker_label", "turn__participant__role_label", "text", "pk", "coder__username",
                     "transcript_id", "start", "end")
    )
    name = rows[0][0] if rows else get_object_or_404(Code, pk=code_id, study=study).name
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
    writer.writerow([_("Code"), _("Round"), _("Team"), _("Speaker"), _("Attribution"), _("Verbatim text"),
                     _("Edited text"), _("Coder"), _("Transcript id"), _("Start"), _("End")])
    for (_code, round_number, team_number, speaker_label, role_label, text, coding_id, coder, transcript_id,
         start, end) in rows:
        edited_text = edited_by_coding.get(coding_id, "")
        role = role_without_number(role_label) if role_label else speaker_label
        values = [name, round_number, team_number, role,
                  format_attribution(role, team_number, study.attribution_format), text, edited_text or "", coder,
                  transcript_id, start, end]
        writer.writerow([neutralise(value) if isinstance(value, str) else value for value in values])
    filename = f"nvos-citat-{slugify(name)[:50].strip('-') or code_id}-{timezone.localdate().isoformat()}.csv"
    response = HttpResponse(("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "no-store"
    audit.record(request, "export_downloaded", study, study_id=study.pk,
                 detail={"format": "code_quotes_csv", "code_id": code_id})
    return response
