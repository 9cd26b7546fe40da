"""Navigation for base.html: the study being shown and what the user may do in it."""

from __future__ import annotations

from django.http import HttpRequest

from .models import Role
from .permissions import MATRIX, Action, allows


def navigation(request: HttpRequest) -> dict:
    study = getattr(request, "study", None)
    role = getattr(request, "role", None)
    if study is None:
        return {"current_study": None}
    superuser = request.user.is_superuser
    return {
        "current_study": study,
        "current_role": role,
        "current_role_display": Role(role).label if role in Role.values else "",
        "perms_in_study": {action.value: allows(role, action, superuser=superuser) for action in MATRIX},
        "Action": Action,
    }
