"""Mina anteckningar: every note of the user in one study, searchable."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from transcripts import audit
from transcripts.models import Study
from transcripts.permissions import Action, study_view

from .forms import NoteForm, NoteSearchForm
from .models import Coding, Note


@study_view(Action.WRITE_NOTES)
@require_http_methods(["GET", "POST"])
def notes(request: HttpRequest, study: Study) -> HttpResponse:
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        note = form.save(commit=False)
        note.study, note.author, note.kind = study, request.user, Note.Kind.JOURNAL
        note.save()
        audit.record(request, "note_saved", note, study_id=study.pk, fields=["title", "text"])
        messages.success(request, _("The journal entry was saved."))
        return redirect("coding:notes", study.pk)
    search = NoteSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    own = Note.objects.filter(study=study, author=request.user).select_related(
        "transcript__interview__team", "transcript__interview__round", "code__area")
    memos = (Coding.objects.filter(code__study=study, coder=request.user).exclude(memo="")
             .select_related("code", "transcript__interview__team", "transcript__interview__round"))
    if query:
        own = own.filter(Q(text__icontains=query) | Q(title__icontains=query) | Q(code__name__icontains=query))
        memos = memos.filter(Q(memo__icontains=query) | Q(code__name__icontains=query))
    grouped: dict[str, list[Note]] = {kind: [] for kind in Note.Kind.values}
    for note in own:
        grouped[note.kind].append(note)
    context = {
        "study": study,
        "form": form,
        "search": search,
        "query": query,
        "familiarisation": grouped[Note.Kind.FAMILIARISATION],
        "code_memos": grouped[Note.Kind.CODE_MEMO],
        "journal": grouped[Note.Kind.JOURNAL],
        "coding_memos": list(memos.order_by("-created_at")[:200]),
    }
    context["total"] = sum(len(context[k]) for k in ("familiarisation", "code_memos", "journal", "coding_memos"))
    return render(request, "coding/notes.html", context)


@study_view(Action.WRITE_NOTES)
@require_http_methods(["GET", "POST"])
def note_edit(request: HttpRequest, study: Study, note_id: int) -> HttpResponse:
    note = get_object_or_404(Note, pk=note_id, study=study, author=request.user, kind=Note.Kind.JOURNAL)
    form = NoteForm(request.POST or None, instance=note)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(request, "note_saved", note, study_id=study.pk, fields=form.changed_data)
        messages.success(request, _("The journal entry was saved."))
        return redirect("coding:notes", study.pk)
    return render(request, "coding/note_edit.html", {"study": study, "form": form, "note": note})


@study_view(Action.WRITE_NOTES)
@require_POST
def note_delete(request: HttpRequest, study: Study, note_id: int) -> HttpResponse:
    note = get_object_or_404(Note, pk=note_id, study=study, author=request.user)
    audit.record(request, "note_deleted", note, study_id=study.pk)
    note.delete()
    messages.success(request, _("The note was deleted."))
    return redirect("coding:notes", study.pk)
