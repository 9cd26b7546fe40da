"""Forms of the analysis pages."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from transcripts.models import Study

from .models import Area, Code, Note

COLOUR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")


class FamiliarisationNoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["text", "is_done"]
        labels = {"text": _("Familiarisation note"), "is_done": _("I have read the whole transcript")}
        help_texts = {"is_done": ""}
        widgets = {"text": forms.Textarea(attrs={"rows": 6})}


class CodeFormMixin:
    """Shared rules: the parent must be in the same study and area; colours are #rrggbb."""

    study = None

    def _limit_parent(self) -> None:
        self.fields["parent"].queryset = Code.objects.filter(study=self.study).select_related("area")
        self.fields["parent"].required = False

    def clean_colour(self) -> str:
        colour = (self.cleaned_data.get("colour") or "").strip()
        if colour and not COLOUR_RE.match(colour):
            raise forms.ValidationError(_("Give the colour as #rrggbb, for example #1d4ed8."))
        return colour.lower()

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("The code needs a name."))
        return name

    def clean(self):
        cleaned = super().clean()
        area, parent, name = cleaned.get("area"), cleaned.get("parent"), cleaned.get("name")
        if parent is not None and area is not None and parent.area_id != area.pk:
            self.add_error("parent", _("The parent code must sit under the same area."))
        if area is not None and name:
            clash = Code.objects.filter(study=self.study, area=area, name__iexact=name)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("name", _("There is already a code with this name under %(area)s.") % {"area": area})
        return cleaned


class InlineCodeForm(CodeFormMixin, forms.ModelForm):
    class Meta:
        model = Code
        fields = ["name", "area", "parent"]

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.study = study
        self.instance.study = study
        self.fields["area"].queryset = Area.objects.all()
        self._limit_parent()


class CodeForm(CodeFormMixin, forms.ModelForm):
    class Meta:
        model = Code
        fields = ["name", "area", "parent", "definition", "inclusion", "exclusion", "colour"]
        widgets = {
            "definition": forms.Textarea(attrs={"rows": 3}),
            "inclusion": forms.Textarea(attrs={"rows": 2}),
            "exclusion": forms.Textarea(attrs={"rows": 2}),
            "colour": forms.TextInput(attrs={"type": "color"}),
        }

    def __init__(self, *args, study, **kwargs):
        super().__init__(*args, **kwargs)
        self.study = study
        self.instance.study = study
        self.fields["area"].queryset = Area.objects.all()
        self._limit_parent()
        if self.instance.pk:
            descendants = self.instance_descendant_ids()
            self.fields["parent"].queryset = self.fields["parent"].queryset.exclude(pk__in=descendants)

    def instance_descendant_ids(self) -> set[int]:
        """The code itself and everything under it: never a valid new parent."""
        children: dict[int | None, list[int]] = {}
        for pk, parent in Code.objects.filter(study=self.study).values_list("pk", "parent_id"):
            children.setdefault(parent, []).append(pk)
        found, stack = set(), [self.instance.pk]
        while stack:
            pk = stack.pop()
            found.add(pk)
            stack.extend(children.get(pk, []))
        return found


class MergeCodeForm(forms.Form):
    target = forms.ModelChoiceField(queryset=Code.objects.none(), label=_("Merge into"))

    def __init__(self, *args, code: Code, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = (Code.objects.filter(study=code.study_id).exclude(pk=code.pk)
                                          .select_related("area").order_by("area__order", "name"))
        self.fields["target"].label_from_instance = lambda c: f"{c.area.name} › {c.name}"


class NoteForm(forms.ModelForm):
    class Meta:
        model = Note
        fields = ["title", "text"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}


class NoteSearchForm(forms.Form):
    q = forms.CharField(label=_("Search your notes"), required=False,
                        widget=forms.TextInput(attrs={"type": "search"}))


class StudySettingsForm(forms.ModelForm):
    class Meta:
        model = Study
        fields = ["blind_coding", "attribution_format"]
