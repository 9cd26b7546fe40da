"""Who may do what: the single permission matrix of the application.

Every study-scoped view is wrapped in `study_view(Action.X)`, which looks the study up,
answers 404 to non-members (a stranger learns nothing about another study), 403 to members
whose role lacks the action, and records the action on the view so that the URL test can
check every pattern against this table.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .ids import MAX_ID
from .models import Membership, Role, Study


class Action(StrEnum):
    VIEW_STUDY = "view_study"            # dashboard, transcripts, codebook, themes, summary, own notes
    IMPORT_TRANSCRIPT = "import_transcript"
    MANAGE_SENSITIVE_TERMS = "manage_sensitive_terms"
    ASSIGN_TRANSCRIPTS = "assign_transcripts"
    CODE = "code"                        # apply and remove own codings, memos on own codings
    REMOVE_ANY_CODING = "remove_any_coding"
    EDIT_CODEBOOK = "edit_codebook"      # create, rename, move codes
    MERGE_DELETE_CODES = "merge_delete_codes"
    WRITE_NOTES = "write_notes"
    EDIT_THEMES = "edit_themes"          # build, link, split, merge, discard, review, key quotes
    CHANGE_PHASE = "change_phase"
    MANAGE_STUDY = "manage_study"        # blind coding, attribution format, prompt quotes
    EXPORT = "export"
    VIEW_AUDIT = "view_audit"


C, L, A = Role.CORESEARCHER, Role.LEAD, Role.ADMIN

# roles x actions: the only place where access is decided.
MATRIX: dict[Action, frozenset[str]] = {
    Action.VIEW_STUDY: frozenset({C, L, A}),
    Action.IMPORT_TRANSCRIPT: frozenset({L, A}),
    Action.MANAGE_SENSITIVE_TERMS: frozenset({L, A}),
    Action.ASSIGN_TRANSCRIPTS: frozenset({L}),
    Action.CODE: frozenset({C, L}),
    Action.REMOVE_ANY_CODING: frozenset({L}),
    Action.EDIT_CODEBOOK: frozenset({C, L}),
    Action.MERGE_DELETE_CODES: frozenset({L}),
    Action.WRITE_NOTES: frozenset({C, L, A}),
    Action.EDIT_THEMES: frozenset({C, L}),
    Action.CHANGE_PHASE: frozenset({L}),
    Action.MANAGE_STUDY: frozenset({L, A}),
    Action.EXPORT: frozenset({L, A}),
    Action.VIEW_AUDIT: frozenset({A}),
}


def role_in(user, study: Study | int) -> str | None:
    """The user's role in the study; superusers act as admins and leads of every study."""
    if not user.is_authenticated:
        return None
    study_id = study.pk if isinstance(study, Study) else study
    cache = _role_cache(user)
    if study_id not in cache:
        cache[study_id] = Membership.objects.filter(user=user, study_id=study_id).values_list("role", flat=True).first()
    role = cache[study_id]
    return L if role is None and user.is_superuser else role


def _role_cache(user) -> dict[int, str | None]:
    """Roles looked up during this request, per study (the user object lives one request)."""
    cache = getattr(user, "_nvos_roles", None)
    if cache is None:
        cache = {}
        user._nvos_roles = cache
    return cache


def _study_and_role(user, study_id: int) -> tuple[Study | None, str | None]:
    """The study and the user's role in it, in one query (every study page asks)."""
    if study_id > MAX_ID:  # SQLite cannot even compare such a number
        return None, None
    membership = Membership.objects.select_related("study").filter(user=user, study_id=study_id).first()
    if membership is not None:
        _role_cache(user)[study_id] = membership.role
        return membership.study, membership.role
    if user.is_superuser:
        return Study.objects.filter(pk=study_id).first(), L
    return None, None


def allows(role: str | None, action: Action, *, superuser: bool = False) -> bool:
    if superuser:
        return True
    return role is not None and role in MATRIX[action]


def can(user, study: Study | int, action: Action) -> bool:
    return allows(role_in(user, study), action, superuser=getattr(user, "is_superuser", False))


def study_view(action: Action) -> Callable:
    """Decorator for views under /studier/<study_id>/: checks the matrix before the view runs.

    Sets request.study and request.role. Anonymous users go to the login page.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, study_id: int, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            study, role = _study_and_role(request.user, study_id)
            if study is None:
                raise Http404
            if not allows(role, action, superuser=request.user.is_superuser):
                raise PermissionDenied
            request.study = study
            request.role = role
            return view(request, study, *args, **kwargs)

        wrapper.nvos_action = action
        return wrapper

    return decorator


def login_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages outside any study (start page, account): logged-in users only."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    wrapper.nvos_action = "login"
    return wrapper


def public_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks the few views that anonymous users may reach (login, language switch)."""
    view.nvos_action = "public"
    return view
