"""Transcript import in the browser: upload, speaker mapping, anonymisation review, publish;
re-scanning a published transcript; the study's list of sensitive terms."""

from __future__ import annotations

from collections import OrderedDict

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import audit, importing
from .importers import TranscriptFileError
from .models import ImportDraft, Interview, SensitiveTerm, Study, Transcript
from .permissions import Action, study_view


class UploadForm(forms.Form):
    interview = forms.ModelChoiceField(queryset=Interview.objects.none(), label=gettext_lazy("Interview"))
    file = forms.FileField(label=gettext_lazy("Transcript file"),
                           help_text=gettext_lazy("Plain text (.txt), Word (.docx), or a Microsoft Teams transcript "
                                                  "(.vtt or .docx)."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".txt,.text,.docx,.vtt"}))
    single_speaker = forms.BooleanField(
        required=False, label=gettext_lazy("Import as a text with a single speaker"),
        help_text=gettext_lazy("For a text without speaker labels: the whole text becomes one speaker's turns."))

    def __init__(self, *args, study: Study, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["interview"].queryset = (Interview.objects.filter(team__study=study, transcript__isnull=True)
                                             .select_related("team", "round").order_by("round__number", "team__number"))


def _draft(study: Study, draft_id: int) -> ImportDraft:
    importing.purge_expired_drafts()
    return get_object_or_404(ImportDraft.objects.select_related("interview__team", "interview__round"),
                             pk=draft_id, interview__team__study=study)


@study_view(Action.IMPORT_TRANSCRIPT)
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest, study: Study) -> HttpResponse:
    importing.purge_expired_drafts()
    initial = {"interview": request.GET.get("intervju")}
    form = UploadForm(request.POST or None, request.FILES or None, study=study, initial=initial)
    offer_single = False
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data = upload.read(importing.settings.NVOS_UPLOAD_MAX_BYTES + 1)
        try:
            draft = importing.start_import(interview=form.cleaned_data["interview"], user=request.user,
                                           filename=upload.name, data=data,
                                           single_speaker=form.cleaned_data["single_speaker"], request=request)
        except TranscriptFileError as exc:
            form.add_error("file", str(exc))
            offer_single = getattr(exc, "code", "") == "no_turns"
        except importing.ImportProblem as exc:
            form.add_error("interview", str(exc))
        else:
            return redirect("import_speakers", study.pk, draft.pk)
    drafts = ImportDraft.objects.filter(interview__team__study=study).select_related(
        "interview__team", "interview__round", "created_by")
    return render(request, "transcripts/import_start.html",
                  {"study": study, "form": form, "drafts": drafts, "offer_single": offer_single,
                   "max_mb": importing.settings.NVOS_UPLOAD_MAX_BYTES // (1024 * 1024)})


@study_view(Action.IMPORT_TRANSCRIPT)
@require_http_methods(["GET", "POST"])
def import_speakers(request: HttpRequest, study: Study, draft_id: int) -> HttpResponse:
    draft = _draft(study, draft_id)
    parsed = importing.parsed_of(draft)
    errors: list[str] = []
    if request.method == "POST":
        targets = {}
        for index, label in enumerate(parsed.speakers()):
            targets[label] = importing.SpeakerTarget(request.POST.get(f"speaker-{index}", ""),
                                                     request.POST.get(f"new-{index}", ""))
        errors = importing.set_mapping(draft, targets)
        if not errors:
            missing = importing.unmapped(draft)
            if missing:
                errors = [_("Choose a role for every speaker before going on (%(n)s left).") % {"n": len(missing)}]
            else:
                importing.scan(draft)
                return redirect("import_review", study.pk, draft.pk)
    counts: OrderedDict[str, int] = OrderedDict((label, 0) for label in parsed.speakers())
    examples: dict[str, str] = {}
    for turn in parsed.turns:
        counts[turn.speaker] += 1
        examples.setdefault(turn.speaker, turn.text[:160])
    speakers = [{"index": i, "label": label, "turns": counts[label], "example": examples.get(label, ""),
                 "value": draft.speaker_map.get(label, {}).get("value", ""),
                 "new_label": draft.speaker_map.get(label, {}).get("new_label", "")}
                for i, label in enumerate(parsed.speakers())]
    return render(request, "transcripts/import_speakers.html", {
        "study": study, "draft": draft, "parsed": parsed, "speakers": speakers, "errors": errors,
        "choices": importing.speaker_choices(draft.interview), "preview": parsed.turns[:40],
        "turn_count": len(parsed.turns), "word_count": parsed.word_count(),
    })


def _review_context(study: Study, draft: ImportDraft) -> dict:
    texts = importing.turn_texts(draft)
    parsed = importing.parsed_of(draft)
    labels = _mapped_labels(draft)
    groups: OrderedDict[str, dict] = OrderedDict()
    for row in draft.findings:
        group = groups.setdefault(row["key"], {"key": row["key"], "category": row["category"],
                                               "replacement": row["replacement"], "rows": [], "first": row["id"]})
        before, found, after = importing.context_snippet(texts[row["turn"]], row["start"], row["end"])
        group["rows"].append({**row, "before": before, "found": found, "after": after,
                              "speaker": labels.get(parsed.turns[row["turn"]].speaker, "?"),
                              "position": row["turn"] + 1})
    for group in groups.values():
        statuses = {r["status"] for r in group["rows"]}
        group["status"] = statuses.pop() if len(statuses) == 1 else "mixed"
        group["pending"] = any(r["status"] == importing.PENDING for r in group["rows"])
    return {
        "study": study, "draft": draft, "groups": list(groups.values()),
        "turns": [{"index": i, "speaker": labels.get(t.speaker, "?"), "text": texts[i]}
                  for i, t in enumerate(parsed.turns)],
        "problems": importing.publish_problems(draft),
        "counts": {s: sum(1 for r in draft.findings if r["status"] == s)
                   for s in (importing.ACCEPTED, importing.REJECTED, importing.PENDING)},
        "categories": [("namn", _("name")), ("kommun", _("municipality")), ("ort", _("place")),
                       ("arbetsplats", _("workplace")), ("telefon", _("phone number")), ("epost", _("e-mail address")),
                       ("personnummer", _("personal identity number")), ("annat", _("other"))],
    }


def _mapped_labels(draft: ImportDraft) -> dict[str, str]:
    """File label → the role label it becomes, for showing the text as it will be stored."""
    interview = draft.interview
    participants = {f"p:{p.pk}": p.role_label for p in interview.team.participants.all()}
    result = {}
    for label, entry in draft.speaker_map.items():
        value = entry.get("value")
        result[label] = {importing.INTERVIEWER: interview.interviewer_label,
                         importing.ASSISTANT: interview.assistant_label,
                         importing.NEW: entry.get("new_label", "")}.get(value) or participants.get(value, "?")
    return result


@study_view(Action.IMPORT_TRANSCRIPT)
@require_http_methods(["GET"])
def import_review(request: HttpRequest, study: Study, draft_id: int) -> HttpResponse:
    draft = _draft(study, draft_id)
    if draft.step != ImportDraft.Step.REVIEW:
        return redirect("import_speakers", study.pk, draft.pk)
    return render(request, "transcripts/import_review.html", _review_context(study, draft))


def _review_response(request: HttpRequest, study: Study, draft: ImportDraft, error: str = "") -> HttpResponse:
    context = _review_context(study, draft)
    context["error"] = error
    if request.htmx:
        return render(request, "transcripts/import_review.html#review", context)
    if error:
        messages.error(request, error)
    return redirect("import_review", study.pk, draft.pk)


@study_view(Action.IMPORT_TRANSCRIPT)
@require_POST
def import_finding_update(request: HttpRequest, study: Study, draft_id: int, finding_id: int) -> HttpResponse:
    draft = _draft(study, draft_id)
    try:
        importing.update_finding(draft, finding_id, request.POST.get("action", ""),
                                 replacement=request.POST.get("replacement", ""),
                                 everywhere=request.POST.get("everywhere") == "1")
    except importing.ImportProblem as exc:
        return _review_response(request, study, draft, str(exc))
    return _review_response(request, study, draft)


@study_view(Action.IMPORT_TRANSCRIPT)
@require_POST
def import_finding_add(request: HttpRequest, study: Study, draft_id: int) -> HttpResponse:
    draft = _draft(study, draft_id)
    try:
        turn, start, end = (int(request.POST.get(k, "")) for k in ("turn", "start", "end"))
        importing.add_finding(draft, turn=turn, start=start, end=end, category=request.POST.get("category", ""),
                              remember=request.POST.get("remember") == "1", user=request.user)
    except ValueError as exc:
        message = str(exc) if isinstance(exc, importing.ImportProblem) else _("Mark the text again.")
        return _review_response(request, study, draft, message)
    return _review_response(request, study, draft)


@study_view(Action.IMPORT_TRANSCRIPT)
@require_POST
def import_decide_all(request: HttpRequest, study: Study, draft_id: int) -> HttpResponse:
    draft = _draft(study, draft_id)
    importing.decide_all(draft, request.POST.get("action", ""))
    return _review_response(request, study, draft)


@study_view(Action.IMPORT_TRANSCRIPT)
@require_POST
def import_publish(request: HttpRequest, study: Study, draft_id: int) -> HttpResponse:
    draft = _draft(study, draft_id)
    try:
        transcript = importing.publish(draft, user=request.user, request=request)
    except importing.ImportProblem as exc:
        messages.error(request, str(exc))
        return redirect("import_review", study.pk, draft.pk)
    messages.success(request, _("The transcript was published. The uploaded file and the speakers' names are deleted."))
    return redirect(transcript.get_absolute_url())


@study_view(Action.IMPORT_TRANSCRIPT)
@require_POST
def import_cancel(request: HttpRequest, study: Study, draft_id: int) -> HttpResponse:
    draft = _draft(study, draft_id)
    importing.cancel(draft, user=request.user, request=request)
    messages.success(request, _("The import was cancelled and the uploaded file deleted."))
    return redirect("import_start", study.pk)


@study_view(Action.IMPORT_TRANSCRIPT)
@require_http_methods(["GET", "POST"])
def transcript_rescan(request: HttpRequest, study: Study, transcript_id: int) -> HttpResponse:
    transcript = get_object_or_404(Transcript.objects.select_related("interview__team", "interview__round"),
                                   pk=transcript_id, interview__team__study=study)
    findings = None
    if request.method == "POST":
        found = importing.rescan(transcript, user=request.user, request=request)
        texts = {t.position: t.text for t in transcript.turns.all()}
        findings = [{"position": position, "finding": f,
                     "context": importing.context_snippet(texts[position], f.start, f.end)} for position, f in found]
    return render(request, "transcripts/transcript_rescan.html",
                  {"study": study, "transcript": transcript, "findings": findings})


class SensitiveTermForm(forms.Form):
    term = forms.CharField(label=gettext_lazy("Name or term"), max_length=120,
                           help_text=gettext_lazy("Stored only as a fingerprint: the list shows initials."))
    category = forms.ChoiceField(label=gettext_lazy("Kind"), choices=SensitiveTerm.Category.choices)


@study_view(Action.MANAGE_SENSITIVE_TERMS)
@require_http_methods(["GET", "POST"])
def sensitive_terms(request: HttpRequest, study: Study) -> HttpResponse:
    form = SensitiveTermForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        term = importing.add_sensitive_term(study_id=study.pk, term=form.cleaned_data["term"],
                                            category=form.cleaned_data["category"], user=request.user)
        if term is not None:
            audit.record(request, "sensitive_term_added", term, study_id=study.pk)
            messages.success(request, _("The term was added. Future scans look for it."))
        return redirect("sensitive_terms", study.pk)
    terms = SensitiveTerm.objects.filter(study=study).select_related("added_by")
    return render(request, "transcripts/sensitive_terms.html", {"study": study, "form": form, "terms": terms})


@study_view(Action.MANAGE_SENSITIVE_TERMS)
@require_POST
def sensitive_term_delete(request: HttpRequest, study: Study, term_id: int) -> HttpResponse:
    term = get_object_or_404(SensitiveTerm, pk=term_id, study=study)
    audit.record(request, "sensitive_term_deleted", term, study_id=study.pk)
    term.delete()
    return redirect("sensitive_terms", study.pk)
