"""Themes: the list, the thematic map, a theme's review page, round comparison, phases."""

from __future__ import annotations

from collections import OrderedDict, defaultdict

from django import forms
from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from transcripts.ids import int_id, int_ids
from transcripts.models import Round, Study, Team, Transcript
from transcripts.permissions import Action, can, study_view

from . import rendering
from . import themes as theme_ops
from .aggregation import coding_attribution, format_attribution, role_without_number
from .models import Area, Code, Coding, Note, Phase, PhaseChange, Quote, Theme, ThemeCode, ThemeStatus, ThemeVersion


class ThemeForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Theme
        fields = ["name", "area", "parent", "status", "definition", "includes", "excludes"]
        widgets = {f: forms.Textarea(attrs={"rows": 3}) for f in ("definition", "includes", "excludes")}
        labels = {"area": gettext_lazy("Area (empty: spans areas)")}

    def __init__(self, *args, study: Study, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Theme.objects.filter(study=study).exclude(status=ThemeStatus.DISCARDED)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk).exclude(parent=self.instance)
            self.fields["version"].initial = self.instance.version
        self.fields["parent"].queryset = parents
        self.fields["area"].queryset = Area.objects.all()
        self.fields["name"].widget.attrs["autocomplete"] = "off"


def _theme(study: Study, theme_id: int) -> Theme:
    return get_object_or_404(Theme.objects.select_related("area", "parent"), pk=theme_id, study=study)


def _counted_per_code(study: Study) -> dict[int, int]:
    """Counted passages per code, grouped over the code index (no join per coding)."""
    codes = Code.objects.filter(study=study).values("pk")
    return dict(Coding.objects.filter(code_id__in=codes).counted().order_by().values("code_id")
                .annotate(n=Count("code")).values_list("code_id", "n"))


@study_view(Action.VIEW_STUDY)
@require_http_methods(["GET", "POST"])
def theme_list(request: HttpRequest, study: Study) -> HttpResponse:
    form = ThemeForm(request.POST or None, study=study, initial={"area": request.GET.get("omrade")})
    if request.method == "POST":
        if not can(request.user, study, Action.EDIT_THEMES):
            return HttpResponse(status=403)
        if form.is_valid():
            data = form.cleaned_data
            theme = theme_ops.create_theme(study=study, user=request.user, name=data["name"], area=data["area"],
                                           parent=data["parent"], definition=data["definition"],
                                           includes=data["includes"], excludes=data["excludes"], request=request)
            if data["status"] != ThemeStatus.CANDIDATE:
                theme_ops.save_theme(theme=theme, changes={"status": data["status"]}, expected_version=theme.version,
                                     user=request.user, request=request)
            messages.success(request, _("The theme %(name)s was created.") % {"name": theme.name})
            return redirect(theme.get_absolute_url())
    passages = (Coding.objects.counted().filter(code__themecode__theme=OuterRef("pk")).values("code__themecode__theme")
                .annotate(n=Count("pk")).values("n"))
    themes = (Theme.objects.filter(study=study).select_related("area", "parent")
              .annotate(code_count=Count("themecode", distinct=True), passage_count=Coalesce(Subquery(passages), 0))
              .order_by("area__order", "name"))
    return render(request, "coding/theme_list.html", {
        "study": study, "themes": themes, "form": form if can(request.user, study, Action.EDIT_THEMES) else None,
        "statuses": ThemeStatus.choices,
    })


def _map_context(request: HttpRequest, study: Study) -> dict:
    """Areas with their themes, each theme with its codes and counts; unlinked codes apart."""
    areas = list(Area.objects.all())
    counts = _counted_per_code(study)
    codes = {c.pk: c for c in Code.objects.filter(study=study).select_related("area").order_by("name")}
    themes = list(Theme.objects.filter(study=study).exclude(status=ThemeStatus.DISCARDED)
                  .select_related("area").order_by("name"))
    links: dict[int, list[Code]] = defaultdict(list)
    linked: set[int] = set()
    for theme_id, code_id in ThemeCode.objects.filter(theme__study=study).values_list("theme_id", "code_id"):
        if code_id in codes:
            links[theme_id].append(codes[code_id])
            linked.add(code_id)
    for theme in themes:
        theme.map_codes = sorted(links[theme.pk], key=lambda c: c.name)
        for code in theme.map_codes:
            code.count = counts.get(code.pk, 0)
        theme.total = sum(c.count for c in theme.map_codes)
    by_area: OrderedDict[int | None, dict] = OrderedDict((a.pk, {"area": a, "themes": [], "unlinked": []})
                                                         for a in areas)
    by_area[None] = {"area": None, "themes": [], "unlinked": []}
    for theme in themes:
        by_area[theme.area_id]["themes"].append(theme)
    for code in codes.values():
        code.count = counts.get(code.pk, 0)
        if code.pk not in linked:
            by_area[code.area_id]["unlinked"].append(code)
    return {"study": study, "blocks": list(by_area.values()), "themes": themes,
            "can_edit": can(request.user, study, Action.EDIT_THEMES),
            "unlinked_total": sum(len(b["unlinked"]) for b in by_area.values())}


@study_view(Action.VIEW_STUDY)
@require_GET
def thematic_map(request: HttpRequest, study: Study) -> HttpResponse:
    return render(request, "coding/thematic_map.html", _map_context(request, study))


@study_view(Action.EDIT_THEMES)
@require_POST
def theme_code_link(request: HttpRequest, study: Study) -> HttpResponse:
    """Links or unlinks a code and a theme from the map (htmx) or the theme page."""
    theme = _theme(study, _int(request.POST.get("theme")))
    code = get_object_or_404(Code, pk=_int(request.POST.get("code")), study=study)
    if request.POST.get("action") == "unlink":
        theme_ops.unlink_code(theme=theme, code=code, user=request.user, request=request)
    else:
        theme_ops.link_code(theme=theme, code=code, user=request.user, request=request)
    if request.htmx and request.POST.get("from") == "map":
        return render(request, "coding/thematic_map.html#map", _map_context(request, study))
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = theme.get_absolute_url()
    return redirect(target)


def _int(value) -> int:
    return int_id(value) or 0


def _passage_urls(study: Study, theme: Theme) -> dict[str, str]:
    """URL patterns with %d for the passage (or transcript) id: reversed once per page."""
    return {
        "quote_url": reverse("coding:quote_update", args=[study.pk, theme.pk, 999999]).replace("999999", "%d"),
        "transcript_url": reverse("coding:transcript_detail", args=[study.pk, 999999]).replace("999999", "%d"),
    }


def _quote_fields(quote: Quote | None) -> tuple[bool, str, bool]:
    """is_key, edited_text and quoted, for a PassageRow."""
    return bool(quote and quote.is_key), quote.edited_text if quote else "", quote is not None


def _passage_groups(request: HttpRequest, study: Study, theme: Theme, can_edit: bool) -> tuple[list[dict], dict]:
    """Passages grouped by team and round (as rendered HTML), with counts per team and round."""
    quotes = {q.coding_id: q for q in Quote.objects.filter(theme=theme)}
    groups: OrderedDict[tuple[int, int], dict] = OrderedDict()
    counts: dict[tuple[int, int], int] = defaultdict(int)
    urls = _passage_urls(study, theme)
    texts, csrf = rendering.passage_texts(), get_token(request)
    for pk, text, transcript_id, position, team, round_number, round_label, speaker, role, code_name in (
            theme_ops.passage_rows(theme)):
        quote = quotes.get(pk)
        row = rendering.PassageRow(
            pk, text, transcript_id, position, team, round_number, round_label,
            format_attribution(role_without_number(role) if role else speaker, team, study.attribution_format),
            code_name, *_quote_fields(quote))
        group = groups.setdefault((team, round_number), {"team": team, "round": round_label or round_number,
                                                         "items": []})
        group["items"].append(rendering.render_passage(row, csrf=csrf, can_edit=can_edit, texts=texts, **urls))
        counts[(team, round_number)] += 1
    for group in groups.values():
        group["count"] = len(group["items"])
        group["html"] = mark_safe("".join(group.pop("items")))  # noqa: S308 - rendered with escaping
    rounds = sorted({k[1] for k in counts})
    teams = sorted({k[0] for k in counts})
    table = [{"team": t, "cells": [counts.get((t, r), 0) for r in rounds],
              "total": sum(counts.get((t, r), 0) for r in rounds)} for t in teams]
    return list(groups.values()), {"rounds": rounds, "rows": table}


@study_view(Action.VIEW_STUDY)
@require_http_methods(["GET", "POST"])
def theme_detail(request: HttpRequest, study: Study, theme_id: int) -> HttpResponse:
    theme = _theme(study, theme_id)
    can_edit = can(request.user, study, Action.EDIT_THEMES)
    form = ThemeForm(request.POST or None, instance=theme, study=study)
    if request.method == "POST":
        if not can_edit:
            return HttpResponse(status=403)
        posted = Theme.objects.get(pk=theme.pk)
        form = ThemeForm(request.POST, instance=posted, study=study)
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in ThemeForm.Meta.fields}
            fresh = Theme.objects.get(pk=theme.pk)
            try:
                theme_ops.save_theme(theme=fresh, changes=changes, expected_version=form.cleaned_data["version"] or 0,
                                     user=request.user, request=request)
            except theme_ops.ThemeConflict as exc:
                messages.error(request, str(exc))
                return redirect(theme.get_absolute_url())
            messages.success(request, _("The theme was saved."))
            return redirect(theme.get_absolute_url())
    groups, counts = _passage_groups(request, study, theme, can_edit)
    codes = list(Code.objects.filter(themecode__theme=theme).select_related("area").order_by("name"))
    context = {
        "study": study, "theme": theme, "form": form if can_edit else None, "can_edit": can_edit,
        "groups": groups, "counts": counts, "codes": codes,
        "passage_total": sum(g["count"] for g in groups),
        "other_codes": Code.objects.filter(study=study).exclude(themecode__theme=theme).select_related("area")
        .order_by("area__order", "name") if can_edit else [],
        "other_themes": Theme.objects.filter(study=study).exclude(pk=theme.pk)
        .exclude(status=ThemeStatus.DISCARDED).order_by("name") if can_edit else [],
        "subthemes": Theme.objects.filter(parent=theme).order_by("name"),
        "versions": ThemeVersion.objects.filter(theme=theme).select_related("changed_by"),
    }
    return render(request, "coding/theme_detail.html", context)


@study_view(Action.EDIT_THEMES)
@require_POST
def quote_update(request: HttpRequest, study: Study, theme_id: int, coding_id: int) -> HttpResponse:
    theme = _theme(study, theme_id)
    coding = get_object_or_404(theme_ops.theme_passages(theme), pk=coding_id)
    quote = theme_ops.mark_quote(theme=theme, coding=coding, is_key=request.POST.get("is_key") == "on",
                                 edited_text=request.POST.get("edited_text", "")[:5000], user=request.user,
                                 request=request)
    if not request.htmx:
        return redirect(f"{theme.get_absolute_url()}#p-{coding.pk}")
    interview = coding.transcript.interview
    row = rendering.PassageRow(
        coding.pk, coding.text, coding.transcript_id, coding.turn.position, interview.team.number,
        interview.round.number, interview.round.label, coding_attribution(coding, study.attribution_format),
        coding.code.name, *_quote_fields(quote))
    html = rendering.render_passage(row, csrf=get_token(request), can_edit=True, texts=rendering.passage_texts(),
                                    saved=True, **_passage_urls(study, theme))
    return HttpResponse(html)


@study_view(Action.EDIT_THEMES)
@require_POST
def theme_split(request: HttpRequest, study: Study, theme_id: int) -> HttpResponse:
    theme = _theme(study, theme_id)
    code_ids = int_ids(request.POST.getlist("codes"))  # "x" gave a 500
    codes = list(Code.objects.filter(pk__in=code_ids, themecode__theme=theme))
    name = " ".join(request.POST.get("name", "").split())[:200]
    if not codes or not name:
        messages.error(request, _("Name the new theme and choose at least one code to move to it."))
        return redirect(theme.get_absolute_url())
    new = theme_ops.split_theme(theme=theme, codes=codes, name=name, user=request.user, request=request)
    messages.success(request, _("%(n)s codes moved to the new theme %(name)s.") % {"n": len(codes), "name": new.name})
    return redirect(new.get_absolute_url())


@study_view(Action.EDIT_THEMES)
@require_POST
def theme_merge(request: HttpRequest, study: Study, theme_id: int) -> HttpResponse:
    source = _theme(study, theme_id)
    target = get_object_or_404(Theme, pk=_int(request.POST.get("target")), study=study)
    try:
        theme_ops.merge_themes(source=source, target=target, user=request.user, request=request)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect(source.get_absolute_url())
    messages.success(request, _("%(source)s was merged into %(target)s and kept as discarded.") % {
        "source": source.name, "target": target.name})
    return redirect(target.get_absolute_url())


@study_view(Action.EDIT_THEMES)
@require_POST
def theme_discard(request: HttpRequest, study: Study, theme_id: int) -> HttpResponse:
    theme = _theme(study, theme_id)
    theme_ops.discard_theme(theme=theme, user=request.user, request=request,
                            note=request.POST.get("note", "").strip())
    messages.success(request, _("The theme was discarded. It stays in the history."))
    return redirect(theme.get_absolute_url())


@study_view(Action.VIEW_STUDY)
@require_GET
def round_comparison(request: HttpRequest, study: Study) -> HttpResponse:
    """Round 1 and round 2 side by side per team, for one area or one theme."""
    areas = list(Area.objects.all())
    themes = list(Theme.objects.filter(study=study).exclude(status=ThemeStatus.DISCARDED).order_by("name"))
    choice = request.GET.get("val", f"area-{areas[0].pk}")
    kind, _sep, raw = choice.partition("-")
    selected = None
    codings = Coding.objects.counted().filter(code__study=study)
    if kind == "theme":
        selected = next((t for t in themes if str(t.pk) == raw), None)
        codings = codings.filter(code__themecode__theme=selected) if selected else codings.none()
    else:
        selected = next((a for a in areas if str(a.pk) == raw), areas[0])
        codings = codings.filter(code__area=selected)
        kind = "area"
    rounds = list(Round.objects.filter(study=study).order_by("number"))[:2]
    teams = list(Team.objects.filter(study=study).order_by("number"))
    cells: dict[tuple[int, int], list[Coding]] = defaultdict(list)
    for coding in codings.select_related("transcript__interview__team", "turn__participant", "code").order_by("start"):
        interview = coding.transcript.interview
        coding.attribution = coding_attribution(coding, study.attribution_format)
        cells[(interview.team_id, interview.round_id)].append(coding)
    rows = []
    for team in teams:
        row_cells = [cells.get((team.pk, r.pk), []) for r in rounds]
        if any(row_cells):
            rows.append({"team": team, "cells": [{"count": len(c), "passages": c[:8], "more": max(len(c) - 8, 0)}
                                                 for c in row_cells]})
    totals = [sum(r["cells"][i]["count"] for r in rows) for i in range(len(rounds))]
    return render(request, "coding/round_comparison.html", {
        "study": study, "areas": areas, "themes": themes, "kind": kind, "selected": selected, "choice": choice,
        "rounds": rounds, "rows": rows, "totals": totals,
    })


class PhaseForm(forms.Form):
    phase = forms.TypedChoiceField(coerce=int, label=gettext_lazy("Move the study to phase"))
    note = forms.CharField(label=gettext_lazy("Note (why now, what is left)"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3}))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, phases: list[Phase], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [(p.number, str(p)) for p in phases]


@study_view(Action.CHANGE_PHASE)
@require_POST
def phase_change(request: HttpRequest, study: Study) -> HttpResponse:
    """Moves the study forward or back; first shows open work, then moves on confirmation."""
    phases = list(Phase.objects.all())
    form = PhaseForm(request.POST, phases=phases)
    if not form.is_valid():
        messages.error(request, _("Choose a phase."))
        return redirect("coding:study_dashboard", study.pk)
    target = form.cleaned_data["phase"]
    warnings = theme_ops.phase_warnings(study, target)
    if warnings and not form.cleaned_data["confirmed"]:
        confirm = PhaseForm(initial={**form.cleaned_data, "confirmed": True}, phases=phases)
        return render(request, "coding/phase_confirm.html", {
            "study": study, "form": confirm, "warnings": warnings,
            "target": next(p for p in phases if p.number == target)})
    theme_ops.change_phase(study=study, target=target, user=request.user, note=form.cleaned_data["note"],
                           request=request)
    messages.success(request, _("The study is now in phase %(n)s.") % {"n": target})
    return redirect("coding:study_dashboard", study.pk)


def dashboard_context(request: HttpRequest, study: Study, phases: list[Phase]) -> dict:
    """What the study dashboard leads with: the current phase's work."""
    phase = study.current_phase
    context: dict = {
        "phase_form": PhaseForm(initial={"phase": min(phase + 1, 6)}, phases=phases)
        if can(request.user, study, Action.CHANGE_PHASE) else None,
        "history": PhaseChange.objects.filter(study=study).select_related("changed_by")[:20],
    }
    if phase == 1:
        mine = Note.objects.filter(transcript=OuterRef("pk"), author=request.user, kind=Note.Kind.FAMILIARISATION)
        read = Note.objects.filter(transcript=OuterRef("pk"), kind=Note.Kind.FAMILIARISATION, is_done=True)
        context["phase_items"] = (
            Transcript.objects.filter(interview__team__study=study)
            .select_related("interview__team", "interview__round")
            .annotate(my_done=Subquery(mine.values("is_done")[:1]),
                      readers=Coalesce(Subquery(read.values("transcript").annotate(n=Count("pk")).values("n")), 0))
        )
    elif phase == 2:
        context["phase_items"] = (
            Transcript.objects.filter(interview__team__study=study)
            .select_related("interview__team", "interview__round")
            .annotate(coding_count=Coalesce(Subquery(
                Coding.objects.filter(transcript=OuterRef("pk")).values("transcript").annotate(n=Count("pk"))
                .values("n")), 0))
        )
    elif phase in (3, 4, 5):
        themes = Theme.objects.filter(study=study).exclude(status=ThemeStatus.DISCARDED).select_related("area")
        if phase == 5:
            themes = themes.exclude(status=ThemeStatus.DEFINED)
        context["phase_items"] = themes.order_by("area__order", "name")
        context["unlinked_codes"] = Code.objects.filter(study=study, themecode__isnull=True).count()
    return context
