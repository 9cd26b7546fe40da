"""The audit trail: one small append-only event table (see README, "Audit trail").

Events carry ids and field names only, never transcript or quote text. Domain functions
call `record()` next to the change they make, in the same transaction, so bulk changes
(merges, imports) are recorded by the function that performs them rather than by model
signals that `QuerySet.update()` would bypass.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import models
from django.dispatch import receiver
from django.http import HttpRequest

from .models import AuditEvent
from .security import client_ip


def record(
    request_or_user: HttpRequest | Any,
    action: str,
    obj: models.Model | None = None,
    *,
    study_id: int | None = None,
    fields: Iterable[str] = (),
    detail: dict[str, Any] | None = None,
    user: Any = None,
) -> AuditEvent:
    """Append one event. `request_or_user` may be a request, a user or None (commands)."""
    request = request_or_user if isinstance(request_or_user, HttpRequest) else None
    if user is None:
        user = getattr(request, "user", None) if request is not None else request_or_user
    if user is not None and not getattr(user, "is_authenticated", False):
        user = None
    if study_id is None and obj is not None:
        study_id = _study_id_of(obj)
    return AuditEvent.objects.create(
        user=user,
        username=user.get_username() if user is not None else "",
        action=action,
        study_id=study_id,
        object_type=obj._meta.model_name if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        fields=sorted(fields),
        detail=detail or {},
        ip_address=client_ip(request) if request is not None else None,
    )


def _study_id_of(obj: models.Model) -> int | None:
    if obj._meta.label == "transcripts.Study":
        return obj.pk
    for path in ("study_id", "team.study_id", "transcript.interview.team.study_id", "interview.team.study_id"):
        value: Any = obj
        try:
            for part in path.split("."):
                value = getattr(value, part)
        except AttributeError:
            continue
        if isinstance(value, int):
            return value
    return None


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    record(request if request is not None else user, "login", user, user=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(request if request is not None else user, "logout", user, user=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # The attempted username is kept (who was targeted); the password never is.
    event = AuditEvent(
        action="login_failed",
        username=str(credentials.get("username", ""))[:150],
        ip_address=client_ip(request) if request is not None else None,
    )
    event.save()
