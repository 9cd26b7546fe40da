from django.contrib import admin

from transcripts.admin import StudyScopedAdmin

from .models import Area, Code, Phase, PhaseChange, RoundPrompt, Theme


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    """The five areas are fixed: visible, never added, renamed or deleted by users."""

    list_display = ["order", "name_sv", "name_en", "colour"]
    readonly_fields = ["slug", "name_sv", "name_en", "order"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["number", "name_sv", "name_en"]
    readonly_fields = ["number"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Code)
class CodeAdmin(StudyScopedAdmin):
    list_display = ["name", "area", "parent", "study", "created_by", "created_at"]
    list_filter = ["study", "area"]
    list_select_related = ["area", "parent", "study", "created_by"]
    search_fields = ["name", "definition"]


@admin.register(Theme)
class ThemeAdmin(StudyScopedAdmin):
    list_display = ["name", "area", "status", "study"]
    list_filter = ["study", "area", "status"]
    list_select_related = ["area", "study"]
    search_fields = ["name", "definition"]


@admin.register(PhaseChange)
class PhaseChangeAdmin(StudyScopedAdmin):
    list_display = ["study", "from_phase", "to_phase", "changed_by", "changed_at"]
    list_filter = ["study"]
    readonly_fields = ["study", "from_phase", "to_phase", "changed_by", "changed_at", "note"]

    def has_add_permission(self, request):
        return False


@admin.register(RoundPrompt)
class RoundPromptAdmin(StudyScopedAdmin):
    study_path = "round__study"
    list_display = ["round", "area"]
    list_filter = ["round__study", "area"]
