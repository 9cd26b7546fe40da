"""Pages of the analysis: start page, study dashboard, transcript reading and coding."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from transcripts.models import Interview, Round, Study, Team, Transcript
from transcripts.permissions import Action, login_view, study_view

from .models import Phase


@login_view
def home(request: HttpRequest) -> HttpResponse:
    studies = Study.objects.for_user(request.user).order_by("name")
    return render(request, "coding/home.html", {"studies": studies})


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
    return render(request, "coding/study_dashboard.html", context)


@study_view(Action.VIEW_STUDY)
def transcript_detail(request: HttpRequest, study: Study, transcript_id: int) -> HttpResponse:
    transcript = get_object_or_404(
        Transcript.objects.select_related("interview__team", "interview__round"),
        pk=transcript_id, interview__team__study=study,
    )
    turns = transcript.turns_with_text()
    return render(request, "coding/transcript_detail.html", {"study": study, "transcript": transcript, "turns": turns})
