"""The codebook page: the five areas with their code trees, and editing codes."""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from transcripts import audit
from transcripts.models import Study
from transcripts.permissions import Action, can, study_view

from .codebook import code_usage, delete_code, merge_codes, save_code
from .forms import CodeForm, MergeCodeForm, NoteForm
from .models import Area, Code, Coding, Note
from .refi_import import QdcImportError, import_qdc


def code_tree(study: Study) -> list[dict]:
    """Areas in order, each with its codes as a flat list in tree order with a depth."""
    counted = (Coding.objects.counted().filter(code=OuterRef("pk")).values("code")
               .annotate(n=Count("pk")).values("n"))
    codes = list(
        Code.objects.filter(study=study).select_related("created_by")
        .annotate(n=Coalesce(Subquery(counted), 0), theme_count=Count("themes", distinct=True))
        .order_by("name")
    )
    children: dict[int | None, list[Code]] = defaultdict(list)
    for code in codes:
        children[code.parent_id].append(code)
    def walk(code: Code, depth: int, ordered: list[Code]) -> None:
        code.depth = depth
        ordered.append(code)
        for child in children[code.pk]:
            walk(child, depth + 1, ordered)

    result = []
    for area in Area.objects.all():
        ordered: list[Code] = []
        for top in (c for c in children[None] if c.area_id == area.pk):
            walk(top, 0, ordered)
        # Codes whose parent sits in another area (should not happen) still show up.
        shown = {c.pk for c in ordered}
        ordered += [c for c in codes if c.area_id == area.pk and c.pk not in shown]
        result.append({"area": area, "codes": ordered})
    return result


@study_view(Action.VIEW_STUDY)
@require_http_methods(["GET", "POST"])
def codebook(request: HttpRequest, study: Study) -> HttpResponse:
    form = None
    if can(request.user, study, Action.EDIT_CODEBOOK):
        form = CodeForm(request.POST or None, study=study, initial={"area": request.GET.get("omrade")})
        if request.method == "POST" and form.is_valid():
            code = form.save(commit=False)
            code.created_by = request.user
            code.save()
            audit.record(request, "code_created", code, study_id=study.pk, fields=form.changed_data)
            messages.success(request, _("The code %(name)s was created.") % {"name": code.name})
            return redirect("coding:codebook", study.pk)
    elif request.method == "POST":
        return HttpResponse(status=403)
    return render(request, "coding/codebook.html", {"study": study, "tree": code_tree(study), "form": form})


def _code(study: Study, code_id: int) -> Code:
    return get_object_or_404(Code.objects.select_related("area", "parent", "created_by"), pk=code_id, study=study)


@study_view(Action.VIEW_STUDY)
@require_http_methods(["GET", "POST"])
def code_detail(request: HttpRequest, study: Study, code_id: int) -> HttpResponse:
    code = _code(study, code_id)
    can_edit = can(request.user, study, Action.EDIT_CODEBOOK)
    form = CodeForm(request.POST or None, instance=code, study=study) if can_edit else None
    if request.method == "POST":
        if form is None:
            return HttpResponse(status=403)
        if form.is_valid():
            save_code(code=form.save(commit=False), changed=form.changed_data, user=request.user, request=request)
            messages.success(request, _("The code was saved."))
            return redirect("coding:code_detail", study.pk, code.pk)
    memo = Note.objects.filter(code=code, author=request.user, kind=Note.Kind.CODE_MEMO).first()
    context = {
        "study": study,
        "code": code,
        "form": form,
        "usage": code_usage(code),
        "memo_form": NoteForm(instance=memo, prefix="memo"),
        "memos": Note.objects.filter(code=code, kind=Note.Kind.CODE_MEMO).select_related("author"),
        "merge_form": MergeCodeForm(code=code) if can(request.user, study, Action.MERGE_DELETE_CODES) else None,
        "recent": code.codings.counted().select_related("transcript__interview__team", "coder")
        .order_by("-created_at")[:20],
    }
    return render(request, "coding/code_detail.html", context)


@study_view(Action.MERGE_DELETE_CODES)
@require_POST
def code_merge(request: HttpRequest, study: Study, code_id: int) -> HttpResponse:
    code = _code(study, code_id)
    form = MergeCodeForm(request.POST, code=code)
    if not form.is_valid():
        messages.error(request, _("Choose a code of this study to merge into."))
        return redirect("coding:code_detail", study.pk, code.pk)
    target = form.cleaned_data["target"]
    result = merge_codes(source=code, target=target, user=request.user, request=request)
    messages.success(request, _("%(source)s was merged into %(target)s: %(moved)s codings moved.") % {
        "source": code.name, "target": target.name, "moved": result["moved"] + result["duplicates"]})
    return redirect("coding:code_detail", study.pk, target.pk)


@study_view(Action.MERGE_DELETE_CODES)
@require_http_methods(["GET", "POST"])
def code_delete(request: HttpRequest, study: Study, code_id: int) -> HttpResponse:
    """Unused codes go at once; used ones only after a page that shows what goes with them."""
    code = _code(study, code_id)
    usage = code_usage(code)
    if request.method == "POST" and (usage.unused or request.POST.get("confirm") == "yes"):
        delete_code(code=code, user=request.user, request=request)
        messages.success(request, _("The code %(name)s was deleted.") % {"name": code.name})
        return redirect("coding:codebook", study.pk)
    return render(request, "coding/code_delete.html", {"study": study, "code": code, "usage": usage})


@study_view(Action.WRITE_NOTES)
@require_POST
def code_memo_update(request: HttpRequest, study: Study, code_id: int) -> HttpResponse:
    code = _code(study, code_id)
    memo = Note.objects.filter(code=code, author=request.user, kind=Note.Kind.CODE_MEMO).first()
    form = NoteForm(request.POST, instance=memo, prefix="memo")
    if form.is_valid():
        note = form.save(commit=False)
        note.study, note.author, note.code, note.kind = study, request.user, code, Note.Kind.CODE_MEMO
        note.save()
        audit.record(request, "note_saved", note, study_id=study.pk, fields=form.changed_data)
        messages.success(request, _("Your memo on the code was saved."))
    return redirect("coding:code_detail", study.pk, code.pk)


class QdcImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Codebook file (.qdc)"),
                           widget=forms.ClearableFileInput(attrs={"accept": ".qdc,.xml"}))
    area = forms.ModelChoiceField(
        queryset=Area.objects.all(), required=False, empty_label=gettext_lazy("Match top-level codes to areas by name"),
        label=gettext_lazy("Place the file's top-level codes under"),
        help_text=gettext_lazy("A top-level code named like an area (for example Samverkan) always goes to that area."))


@study_view(Action.MERGE_DELETE_CODES)
@require_http_methods(["GET", "POST"])
def codebook_import(request: HttpRequest, study: Study) -> HttpResponse:
    """Import a REFI-QDA codebook from NVivo, ATLAS.ti, MAXQDA, QualCoder or another study."""
    form = QdcImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = import_qdc(study, form.cleaned_data["file"], area_for_top_level=form.cleaned_data["area"],
                                user=request.user)
        except QdcImportError as exc:
            form.add_error("file", str(exc))
        else:
            audit.record(request, "codebook_imported", study, study_id=study.pk,
                         detail={"created": result.created, "reused": result.reused})
            messages.success(request, _("%(created)s codes were added; %(reused)s already existed.") % {
                "created": result.created, "reused": result.reused})
            return redirect("coding:codebook", study.pk)
    return render(request, "coding/codebook_import.html", {"study": study, "form": form})
