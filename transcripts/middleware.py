"""Request-wide rules: idle session timeout, required two-factor login, no caching of
authenticated pages."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_vary_headers

# Refresh the session's expiry at most this often, so reading a page does not write the
# session row on every request.
_TOUCH_INTERVAL_SECONDS = 60


class SessionIdleTimeoutMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT without a request (default 8 hours)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen")
            limit = int(settings.SESSION_IDLE_TIMEOUT.total_seconds())
            if last is not None and now - last > limit:
                logout(request)
                return redirect(f"{reverse('login')}?next={request.path}")
            if last is None or now - last > _TOUCH_INTERVAL_SECONDS:
                request.session["last_seen"] = now
        return self.get_response(request)


class TwoFactorRequiredMiddleware:
    """Users with a TOTP device must pass it; leads, admins and staff must have one.

    The answer to "does this user need a second factor" is kept in the session, so an
    ordinary page costs no extra query.
    """

    ALLOWED_PREFIXES = ("/konto/", "/static/", "/i18n/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not request.path.startswith(self.ALLOWED_PREFIXES):
            state = request.session.get("nvos_2fa")
            if state is None:
                state = two_factor_state(user)
                request.session["nvos_2fa"] = state
            if state == "device" and not user.is_verified():
                return redirect(f"{reverse('otp_verify')}?next={request.get_full_path()}")
            if state == "required":
                return redirect("otp_setup")
        return self.get_response(request)


def two_factor_state(user) -> str:
    """'device' when the user has a confirmed TOTP device, 'required' when they must set
    one up first, 'none' otherwise."""
    from django_otp import user_has_device

    from .models import Membership, Role

    if user_has_device(user, confirmed=True):
        return "device"
    if not settings.NVOS_REQUIRE_2FA:
        return "none"
    if user.is_staff or user.is_superuser:
        return "required"
    if Membership.objects.filter(user=user, role__in=[Role.LEAD, Role.ADMIN]).exists():
        return "required"
    return "none"


class NoStoreForAuthenticatedMiddleware:
    """Pages for logged-in users hold research data: never let a browser or proxy cache them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            response["Cache-Control"] = "no-store"
            response["Pragma"] = "no-cache"
        return response


class SwedishFirstLocaleMiddleware:
    """Swedish unless the user chose another language (the language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language, so a Swedish
    municipal laptop with an English browser would get English pages; here only an
    explicit choice in the app changes the language.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
