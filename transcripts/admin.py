"""Django admin for study metadata: teams, rounds, interviews, participants, consent.

Admins of one study (staff users who are not superusers) see and edit only the studies
where their membership role is administratör.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import audit
from .models import (
    AuditEvent,
    Interview,
    Membership,
    Municipality,
    Participant,
    Role,
    Round,
    SensitiveTerm,
    ServiceArea,
    SpiderCategory,
    SpiderScore,
    Study,
    Team,
    Transcript,
)


def admin_study_ids(user) -> list[int] | None:
    """None means every study (superusers)."""
    if user.is_superuser:
        return None
    return list(Membership.objects.filter(user=user, role=Role.ADMIN).values_list("study_id", flat=True))


class StudyScopedAdmin(admin.ModelAdmin):
    """Limits rows and choices to the studies the staff user administers, and audits changes."""

    study_path = "study"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = admin_study_ids(request.user)
        return qs if ids is None else qs.filter(**{f"{self.study_path}__in": ids})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = admin_study_ids(request.user)
        if ids is not None:
            related = db_field.related_model
            scopes = {Study: "pk__in", Team: "study__in", Round: "study__in", Interview: "team__study__in"}
            if related in scopes:
                kwargs["queryset"] = related.objects.filter(**{scopes[related]: ids})
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(request, "admin_change" if change else "admin_create", obj,
                     fields=form.changed_data if change else [])

    def delete_model(self, request, obj):
        audit.record(request, "admin_delete", obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            audit.record(request, "admin_delete", obj)
        super().delete_queryset(request, queryset)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            audit.record(request, "admin_delete", obj)
            obj.delete()
        for obj in instances:
            is_new = obj.pk is None
            obj.save()
            audit.record(request, "admin_create" if is_new else "admin_change", obj)
        formset.save_m2m()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


@admin.register(Study)
class StudyAdmin(StudyScopedAdmin):
    study_path = "pk"
    list_display = ["name", "current_phase", "blind_coding", "is_demo", "created_at"]
    list_filter = ["is_demo", "current_phase", "blind_coding"]
    search_fields = ["name", "description"]
    inlines = [MembershipInline]
    readonly_fields = ["current_phase"]


@admin.register(Membership)
class MembershipAdmin(StudyScopedAdmin):
    list_display = ["user", "study", "role"]
    list_filter = ["study", "role"]
    list_select_related = ["user", "study"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]


class InterviewInline(admin.TabularInline):
    model = Interview
    extra = 0
    fields = ["round", "date", "duration_minutes", "interviewer_label", "assistant_label"]


class ParticipantInline(admin.TabularInline):
    model = Participant
    extra = 0
    fields = ["role_label", "profession", "consent_given", "consent_withdrawn"]


@admin.register(Team)
class TeamAdmin(StudyScopedAdmin):
    list_display = ["__str__", "study", "size_class", "collaboration_type", "status", "service_area"]
    list_filter = ["study", "size_class", "collaboration_type", "status", "service_area"]
    list_select_related = ["study", "service_area"]
    search_fields = ["professions", "target_group", "actors"]
    inlines = [InterviewInline, ParticipantInline]


@admin.register(Round)
class RoundAdmin(StudyScopedAdmin):
    list_display = ["__str__", "study", "number", "method", "period_start", "period_end"]
    list_filter = ["study", "method"]
    list_select_related = ["study"]
    search_fields = ["label"]


@admin.register(Interview)
class InterviewAdmin(StudyScopedAdmin):
    study_path = "team__study"
    list_display = ["__str__", "date", "duration_minutes", "interviewer_label", "assistant_label"]
    list_filter = ["team__study", "round__number", "team__number"]
    list_select_related = ["team", "round"]
    search_fields = ["interviewer_label", "assistant_label"]


@admin.register(Participant)
class ParticipantAdmin(StudyScopedAdmin):
    study_path = "team__study"
    list_display = ["role_label", "team", "profession", "consent_given", "consent_withdrawn"]
    list_filter = ["team__study", "team", ("consent_withdrawn", admin.EmptyFieldListFilter)]
    list_select_related = ["team"]
    search_fields = ["role_label", "profession"]


@admin.register(Transcript)
class TranscriptAdmin(StudyScopedAdmin):
    """Read-only: the published text is immutable; deletion is audited."""

    study_path = "interview__team__study"
    list_display = ["__str__", "source_format", "word_count", "published_at", "open_findings"]
    list_filter = ["interview__team__study", "source_format"]
    list_select_related = ["interview__team", "interview__round"]
    exclude = ["text"]
    readonly_fields = ["interview", "notes", "source_format", "word_count", "published_at", "published_by",
                       "last_scanned_at", "open_findings"]

    def has_add_permission(self, request):
        return False


@admin.register(SpiderScore)
class SpiderScoreAdmin(StudyScopedAdmin):
    study_path = "team__study"
    list_display = ["team", "round", "category", "score"]
    list_filter = ["team__study", "round__number", "category"]
    list_select_related = ["team", "round", "category"]


@admin.register(SensitiveTerm)
class SensitiveTermAdmin(StudyScopedAdmin):
    list_display = ["hint", "category", "study", "added_by", "added_at"]
    list_filter = ["study", "category"]
    readonly_fields = ["digest", "token_count", "hint"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "size_class"]
    list_filter = ["size_class"]
    search_fields = ["name", "code"]


admin.site.register(ServiceArea)
admin.site.register(SpiderCategory)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Append-only: the admin lists and filters, nobody edits or deletes."""

    list_display = ["at", "username", "action", "study_id", "object_type", "object_id", "ip_address"]
    list_filter = ["action", "object_type", ("at", admin.DateFieldListFilter)]
    search_fields = ["username", "action", "object_id"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = admin_study_ids(request.user)
        return qs if ids is None else qs.filter(study_id__in=ids)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.empty_value_display = _("(none)")
