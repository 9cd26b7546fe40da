"""Start page, study dashboard, and the coding workspace on a transcript page."""

from __future__ import annotations

from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from transcripts import audit
from transcripts.ids import int_ids
from transcripts.models import ImportDraft, Interview, Membership, Round, Study, Team, Transcript, Turn
from transcripts.permissions import Action, can, login_view, study_view

from . import rendering
from .codings import CodingError, apply_codings, remove_coding, view_mode, visible_codings
from .forms import FamiliarisationNoteForm, InlineCodeForm, StudySettingsForm
from .models import Area, Assignment, Code, Coding, CodingChange, Note, Phase
from .theme_views import dashboard_context


def _transcript(study: Study, transcript_id: int, *, with_meta: bool = True) -> Transcript:
    """The study's transcript, without its full text: pages render from the turns."""
    qs = Transcript.objects.filter(interview__team__study=study).defer("text")
    if with_meta:
        qs = qs.select_related("interview__team", "interview__round")
    return get_object_or_404(qs, pk=transcript_id)


def _error(message: str, status: int = 422) -> HttpResponse:
    """An htmx-friendly error: the message in the body and, URL-encoded, in a header
    that static/js/app.js shows as a visible message."""
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["X-NVOS-Error"] = quote(message)
    return response


@login_view
def home(request: HttpRequest) -> HttpResponse:
    """A co-researcher's start page: their studies and the transcripts assigned to them."""
    ImportDraft.purge_expired()  # uploads with real names never outlive 24 hours, even without cron
    studies = Study.objects.for_user(request.user).order_by("name")
    participant_turns = (
        Turn.objects.filter(transcript=OuterRef("transcript"), speaker_kind="participant")
        .values("transcript").annotate(n=Count("pk")).values("n")
    )
    coded_turns = (
        Coding.objects.filter(transcript=OuterRef("transcript"), coder=request.user,
                              turn__speaker_kind="participant")
        .values("transcript").annotate(n=Count("turn", distinct=True)).values("n")
    )
    note_done = Note.objects.filter(transcript=OuterRef("transcript"), author=request.user,
                                    kind=Note.Kind.FAMILIARISATION).values("is_done")[:1]
    note_exists = Note.objects.filter(transcript=OuterRef("transcript"), author=request.user,
                                      kind=Note.Kind.FAMILIARISATION).values("pk")[:1]
    assignments = list(
        Assignment.objects.filter(user=request.user)
        .select_related("transcript__interview__team__study", "transcript__interview__round")
        .annotate(
            participant_turns=Coalesce(Subquery(participant_turns), 0),
            coded_turns=Coalesce(Subquery(coded_turns), 0),
            note_done=Subquery(note_done),
            note_id=Subquery(note_exists),
        )
        .order_by("transcript__interview__team__study__name", "transcript__interview__round__number",
                  "transcript__interview__team__number")
    )
    for assignment in assignments:
        total = assignment.participant_turns or 0
        assignment.progress = round(100 * assignment.coded_turns / total) if total else 0
    return render(request, "coding/home.html", {"studies": studies, "assignments": assignments})


@study_view(Action.VIEW_STUDY)
def study_dashboard(request: HttpRequest, study: Study) -> HttpResponse:
    context = {
        "study": study,
        "phases": list(Phase.objects.all()),
        "teams": Team.objects.filter(study=study).select_related("service_area"),
        "rounds": Round.objects.filter(study=study),
        "interviews": Interview.objects.filter(team__study=study).select_related("team", "round", "transcript"),
    }
    context["current_phase"] = next((p for p in context["phases"] if p.number == study.current_phase), None)
    context.update(dashboard_context(request, study, context["phases"]))
    if can(request.user, study, Action.MANAGE_STUDY):
        context["settings_form"] = StudySettingsForm(instance=study)
    return render(request, "coding/study_dashboard.html", context)


def _codebook_data(study: Study, user, areas: list[Area]) -> dict:
    """Codes for the selection popup, with the user's recently used codes first."""
    codes = list(Code.objects.filter(study=study).values("id", "name", "area_id", "parent_id", "colour"))
    latest = Coding.objects.filter(coder=user, code__study=study).order_by("-id").values_list("code_id", flat=True)
    recent = list(dict.fromkeys(latest[:200]))[:8]  # the user's last codings, newest first, codes once
    return {
        "areas": [{"id": a.id, "name": a.name, "colour": a.colour} for a in areas],
        "codes": codes,
        "recent": recent,
    }


def _marks(codings) -> list[rendering.Mark]:
    rows = codings.values_list("id", "code_id", "start", "end", "code__name", "coder__username")
    return [rendering.Mark(id=i, code_id=c, start=s, end=e, label=f"{name} – {coder}")
            for i, c, s, e, name, coder in rows]


@study_view(Action.VIEW_STUDY)
@require_GET
def transcript_detail(request: HttpRequest, study: Study, transcript_id: int) -> HttpResponse:
    transcript = _transcript(study, transcript_id)
    _record_reading(request, study, transcript)
    mode, coder_id = view_mode(request, study)
    turns = rendering.turn_rows(transcript.turns.all())
    codings = visible_codings(study, request.user, request.role, mode, coder_id).filter(transcript=transcript)
    codable = can(request.user, study, Action.CODE)
    note = Note.objects.filter(author=request.user, transcript=transcript, kind=Note.Kind.FAMILIARISATION).first()
    coders = (
        Membership.objects.filter(study=study).select_related("user").order_by("user__username")
        if not (study.blind_coding and request.role == "medforskare") else []
    )
    areas = list(Area.objects.all())
    context = {
        "study": study,
        "transcript": transcript,
        "turns_html": rendering.render_turns(turns, _marks(codings), codable=codable),
        "turn_count": len(turns),
        "codable": codable,
        "codebook_data": _codebook_data(study, request.user, areas) if codable else {},
        "areas": areas,
        "mode": mode,
        "coder_id": coder_id,
        "coders": coders,
        "blind": study.blind_coding and request.role == "medforskare",
        "cursor": CodingChange.objects.filter(transcript=transcript).aggregate(m=Max("id"))["m"] or 0,
        "note_form": FamiliarisationNoteForm(instance=note),
        "note": note,
        "can_write_notes": can(request.user, study, Action.WRITE_NOTES),
        "poll_seconds": settings.NVOS_POLL_SECONDS,
        "can_import": can(request.user, study, Action.IMPORT_TRANSCRIPT),
    }
    return render(request, "coding/transcript_detail.html", context)


def _turns_oob(study: Study, request: HttpRequest, transcript: Transcript, first: int, last: int,
               positions: set[int] | None = None, rows: list[rendering.TurnRow] | None = None) -> str:
    """The turns first..last (or just `positions`, or the given rows) re-rendered for an
    out-of-band htmx swap."""
    mode, coder_id = view_mode(request, study)
    if rows is None:
        turns_qs = transcript.turns.filter(position__gte=first, position__lte=last)
        if positions is not None:
            turns_qs = turns_qs.filter(position__in=positions)
        rows = rendering.turn_rows(turns_qs)
    turns = rows
    if not turns:
        return ""
    codings = visible_codings(study, request.user, request.role, mode, coder_id).filter(
        transcript=transcript, start__lt=turns[-1].end, end__gt=turns[0].start)
    return rendering.render_turns(turns, _marks(codings), codable=can(request.user, study, Action.CODE), oob=True)


def _record_reading(request: HttpRequest, study: Study, transcript: Transcript) -> None:
    """Who read which transcript: one audit event per user, transcript and half hour,
    not one per page refresh."""
    key = f"nvos:read:{request.user.pk}:{transcript.pk}"
    if cache.add(key, 1, timeout=30 * 60):
        audit.record(request, "transcript_read", transcript, study_id=study.pk)


def _passage_context(study: Study, request: HttpRequest, transcript: Transcript, codings) -> dict:
    return {
        "study": study,
        "transcript": transcript,
        "codings": codings,
        "can_remove_any": can(request.user, study, Action.REMOVE_ANY_CODING),
        "can_code": can(request.user, study, Action.CODE),
    }


@study_view(Action.VIEW_STUDY)
@require_GET
def passage_detail(request: HttpRequest, study: Study, transcript_id: int) -> HttpResponse:
    """The codings covering one place in the text (or a list of coding ids): for the side panel."""
    transcript = _transcript(study, transcript_id, with_meta=False)
    mode, coder_id = view_mode(request, study)
    codings = visible_codings(study, request.user, request.role, mode, coder_id).filter(transcript=transcript)
    ids = int_ids(request.GET.get("c", "").split())
    offset = request.GET.get("o", "")
    if ids:
        codings = codings.filter(pk__in=ids)
    elif offset.isdigit():
        codings = codings.filter(start__lte=int(offset), end__gt=int(offset))
    else:
        codings = codings.none()
    codings = codings.select_related("code__area", "coder").order_by("start", "code__name")
    return render(request, "coding/transcript_detail.html#passage-panel",
                  _passage_context(study, request, transcript, list(codings)))


@study_view(Action.CODE)
@require_POST
def coding_create(request: HttpRequest, study: Study, transcript_id: int) -> HttpResponse:
    transcript = get_object_or_404(Transcript.objects.filter(interview__team__study=study).only("pk", "char_count"),
                                   pk=transcript_id)
    try:
        start, end = int(request.POST.get("start", "")), int(request.POST.get("end", ""))
    except ValueError:
        return _error(_("The selection has no valid start and end. Reload the page and try again."))
    raw = request.POST.getlist("codes")
    code_ids = int_ids(raw)
    if not code_ids or len(code_ids) != len(set(raw)):
        return _error(_("A chosen code does not exist in this study."))
    try:
        _created, span = apply_codings(transcript=transcript, codes=code_ids, coder=request.user, start=start,
                                       end=end, expected_text=request.POST.get("text"), request=request,
                                       study_id=study.pk)
    except CodingError as exc:
        return _error(str(exc))
    codings = list(Coding.objects.filter(transcript=transcript, coder=request.user, start=span.start, end=span.end)
                   .select_related("code__area", "coder"))
    response = render(request, "coding/transcript_detail.html#passage-panel",
                      _passage_context(study, request, transcript, codings))
    rows = [rendering.turn_row(t) for t in span.turns]  # already read when the selection was checked
    response.content += _turns_oob(study, request, transcript, span.first.position, span.last.position,
                                   rows=rows).encode()
    return response


@study_view(Action.CODE)
@require_POST
def coding_delete(request: HttpRequest, study: Study, coding_id: int) -> HttpResponse:
    coding = get_object_or_404(Coding.objects.select_related("transcript", "code"), pk=coding_id,
                               code__study=study)
    if coding.coder_id != request.user.pk and not can(request.user, study, Action.REMOVE_ANY_CODING):
        return _error(_("Only the coder or a project lead can remove this coding."), status=403)
    transcript = coding.transcript
    first, last = remove_coding(coding=coding, user=request.user, request=request)
    if not request.htmx:
        return redirect(transcript.get_absolute_url())
    response = render(request, "coding/transcript_detail.html#passage-panel",
                      _passage_context(study, request, transcript, []))
    response.content += _turns_oob(study, request, transcript, first, last).encode()
    return response


@study_view(Action.CODE)
@require_POST
def coding_memo_update(request: HttpRequest, study: Study, coding_id: int) -> HttpResponse:
    coding = get_object_or_404(Coding.objects.select_related("transcript", "code__area", "coder"),
                               pk=coding_id, code__study=study)
    if coding.coder_id != request.user.pk:
        return _error(_("You can write memos on your own codings only."), status=403)
    coding.memo = request.POST.get("memo", "").strip()[:10000]
    coding.save(update_fields=["memo"])
    audit.record(request, "coding_memo_changed", coding, study_id=study.pk, fields=["memo"])
    context = _passage_context(study, request, coding.transcript, [coding])
    context["saved"] = coding.pk
    if not request.htmx:
        return redirect(coding.transcript.get_absolute_url())
    return render(request, "coding/transcript_detail.html#passage-panel", context)


@study_view(Action.VIEW_STUDY)
@require_GET
def transcript_changes(request: HttpRequest, study: Study, transcript_id: int) -> HttpResponse:
    """Polled by an open transcript page: re-renders the turns whose codings changed."""
    transcript = _transcript(study, transcript_id, with_meta=False)
    after = request.GET.get("after", "0")
    after_id = int(after) if after.isdigit() else 0
    changes = list(CodingChange.objects.filter(transcript=transcript, id__gt=after_id)
                   .values_list("id", "first_turn", "last_turn")[:500])
    if not changes:
        return HttpResponse(status=204)
    # Only the turns that changed, not everything between the first and the last of them:
    # with several coders at work those lie far apart.
    positions = {p for _id, first, last in changes for p in range(first, last + 1)}
    cursor = max(c[0] for c in changes)
    context = {"study": study, "transcript": transcript, "cursor": cursor, "poll_seconds": settings.NVOS_POLL_SECONDS}
    response = render(request, "coding/transcript_detail.html#live", context)
    response.content += _turns_oob(study, request, transcript, min(positions), max(positions), positions).encode()
    return response


@study_view(Action.EDIT_CODEBOOK)
@require_POST
def code_create_inline(request: HttpRequest, study: Study) -> HttpResponse:
    """Creates a code from the selection popup; answers JSON for the popup script."""
    form = InlineCodeForm(request.POST, study=study)
    if not form.is_valid():
        message = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return JsonResponse({"error": message}, status=422)
    code = form.save(commit=False)
    code.study = study
    code.created_by = request.user
    code.save()
    audit.record(request, "code_created", code, study_id=study.pk, fields=["name", "area"])
    return JsonResponse({"id": code.pk, "name": code.name, "area_id": code.area_id, "parent_id": code.parent_id,
                         "colour": code.colour}, status=201)


@study_view(Action.VIEW_STUDY)
@require_GET
def code_colours(request: HttpRequest, study: Study) -> HttpResponse:
    """A stylesheet with one custom property per code, so highlights need no inline styles
    (the CSP allows none). Colours are validated as #rrggbb on save and again here."""
    rows = Code.objects.filter(study=study).values_list("id", "colour", "area__colour")
    lines = [f".k{pk}{{--kc:{rendering.safe_colour(colour or area_colour)}}}" for pk, colour, area_colour in rows]
    return HttpResponse("\n".join(lines), content_type="text/css; charset=utf-8")


@study_view(Action.WRITE_NOTES)
@require_POST
def familiarisation_note_update(request: HttpRequest, study: Study, transcript_id: int) -> HttpResponse:
    transcript = _transcript(study, transcript_id, with_meta=False)
    note = Note.objects.filter(author=request.user, transcript=transcript, kind=Note.Kind.FAMILIARISATION).first()
    form = FamiliarisationNoteForm(request.POST, instance=note)
    if form.is_valid():
        note = form.save(commit=False)
        note.study, note.author, note.transcript, note.kind = study, request.user, transcript, Note.Kind.FAMILIARISATION
        note.save()
        audit.record(request, "note_saved", note, study_id=study.pk, fields=form.changed_data)
        form = FamiliarisationNoteForm(instance=note)
    if not request.htmx:
        return redirect(transcript.get_absolute_url())
    return render(request, "coding/transcript_detail.html#familiarisation-note",
                  {"study": study, "transcript": transcript, "note_form": form, "note": note, "saved": True,
                   "can_write_notes": True})


@study_view(Action.ASSIGN_TRANSCRIPTS)
@require_POST
def transcript_assign(request: HttpRequest, study: Study, transcript_id: int) -> HttpResponse:
    """A lead sets which co-researchers a transcript is assigned to."""
    transcript = _transcript(study, transcript_id, with_meta=False)
    wanted = set(int_ids(request.POST.getlist("users")))
    members = set(Membership.objects.filter(study=study, user_id__in=wanted).values_list("user_id", flat=True))
    current = set(Assignment.objects.filter(transcript=transcript).values_list("user_id", flat=True))
    Assignment.objects.filter(transcript=transcript).exclude(user_id__in=members).delete()
    Assignment.objects.bulk_create([Assignment(transcript=transcript, user_id=u, assigned_by=request.user)
                                    for u in members - current])
    audit.record(request, "assignments_changed", transcript, study_id=study.pk,
                 detail={"added": sorted(members - current), "removed": sorted(current - members)})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = ""
    if request.htmx:
        return HttpResponseClientRedirect(target or transcript.get_absolute_url())
    return redirect(target or reverse("coding:transcript_list", args=[study.pk]))



@study_view(Action.VIEW_STUDY)
@require_GET
def transcript_list(request: HttpRequest, study: Study) -> HttpResponse:
    """Interviews and their transcripts; leads assign co-researchers here."""
    interviews = list(
        Interview.objects.filter(team__study=study)
        .select_related("team", "round", "transcript")
        .annotate(coding_count=Count("transcript__codings", distinct=True))
        .order_by("round__number", "team__number")
    )
    can_assign = can(request.user, study, Action.ASSIGN_TRANSCRIPTS)
    assigned: dict[int, set[int]] = {}
    for transcript_id, user_id in Assignment.objects.filter(transcript__interview__team__study=study).values_list(
            "transcript_id", "user_id"):
        assigned.setdefault(transcript_id, set()).add(user_id)
    members = list(Membership.objects.filter(study=study).select_related("user").order_by("user__username"))
    usernames = {m.user_id: m.user.get_username() for m in members}
    for interview in interviews:
        transcript = getattr(interview, "transcript", None)
        ids = assigned.get(transcript.pk, set()) if transcript else set()
        interview.assigned_ids = ids
        interview.assigned_names = sorted(usernames.get(i, "?") for i in ids)
    return render(request, "coding/transcript_list.html", {
        "study": study,
        "interviews": interviews,
        "members": [m for m in members if m.role in ("medforskare", "projektledare")],
        "can_assign": can_assign,
        "can_import": can(request.user, study, Action.IMPORT_TRANSCRIPT),
    })


@study_view(Action.MANAGE_STUDY)
@require_POST
def study_settings(request: HttpRequest, study: Study) -> HttpResponse:
    """Blind coding and the attribution format, set by a project lead or admin."""
    form = StudySettingsForm(request.POST, instance=study)
    if form.is_valid():
        form.save()
        audit.record(request, "study_settings_changed", study, study_id=study.pk, fields=form.changed_data)
        messages.success(request, _("The study settings were saved."))
    return redirect("coding:study_dashboard", study.pk)
