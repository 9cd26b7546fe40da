"""Transcript listing and import (upload, speaker mapping, anonymisation review, publish)."""

from __future__ import annotations

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .models import Interview, Study
from .permissions import Action, study_view


@study_view(Action.VIEW_STUDY)
def transcript_list(request: HttpRequest, study: Study) -> HttpResponse:
    interviews = (
        Interview.objects.filter(team__study=study)
        .select_related("team", "round", "transcript")
        .annotate(turn_count=Count("transcript__turns"))
        .order_by("round__number", "team__number")
    )
    return render(request, "transcripts/transcript_list.html", {"study": study, "interviews": interviews})
