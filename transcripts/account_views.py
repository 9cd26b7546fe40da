"""Login, logout, password change and two-factor (TOTP) set-up and check."""

from __future__ import annotations

import base64
import io

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .permissions import login_view, public_view


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _("Wrong username or password. Note that both are case-sensitive."),
        "inactive": _("This account is inactive."),
    }


login = public_view(
    auth_views.LoginView.as_view(
        template_name="registration/login.html", authentication_form=LoginForm, redirect_authenticated_user=True
    )
)
logout = public_view(auth_views.LogoutView.as_view())


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"

    def form_valid(self, form):
        response = super().form_valid(form)
        audit.record(self.request, "password_changed", self.request.user)
        messages.success(self.request, _("Your password has been changed. Other sessions have been logged out."))
        return response

    def get_success_url(self) -> str:
        from django.urls import reverse

        return reverse("coding:home")


password_change = login_view(PasswordChangeView.as_view())


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9]{6}", "autofocus": True}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError(_("The code consists of six digits."))
        return token


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return "/"


@login_view
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit.record(request, "otp_verified", request.user)
            return redirect(_safe_next(request))
        audit.record(request, "otp_failed", request.user)
        form.add_error("token", _("The code is wrong or has expired. Try the next code."))
    return render(request, "registration/otp_verify.html", {"form": form, "next": _safe_next(request)})


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    svg = buffer.getvalue().decode()
    return svg[svg.index("<svg"):]


@login_view
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol a TOTP device: show its QR code and key, confirm it with one code."""
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Autentiseringsapp", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session["nvos_2fa"] = "device"
            audit.record(request, "otp_enabled", request.user)
            messages.success(request, _("Two-factor login is on. You will be asked for a code at every login."))
            return redirect("coding:home")
        form.add_error("token", _("The code is wrong. Check that the clock of your phone is right and try again."))
    secret = base64.b32encode(device.bin_key).decode()
    context = {
        "form": form,
        "qr_svg": mark_safe(_qr_svg(device.config_url)),  # noqa: S308 - generated SVG, no user input
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "registration/otp_setup.html", context)
