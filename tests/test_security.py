"""Authentication and sessions: throttled logins, client address behind a proxy, idle and
ended sessions, two-factor login."""

from __future__ import annotations

import time

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "test-password-123"


def attempt(client, username, password, **meta):
    return client.post(reverse("login"), {"username": username, "password": password}, **meta)


def test_it_locks_out_a_user_after_repeated_failures_from_one_address(settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="anna")
    client = Client(REMOTE_ADDR="10.0.0.1")
    for _ in range(3):
        attempt(client, "anna", "fel")
    response = attempt(client, "anna", PASSWORD)
    assert response.status_code in (403, 429)
    assert "För många misslyckade inloggningar" in response.content.decode()
    other_address = Client(REMOTE_ADDR="10.0.0.2")
    assert attempt(other_address, "anna", PASSWORD).status_code == 302, "one address cannot lock everyone out"


def test_it_ignores_client_sent_address_headers_without_a_proxy(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.NVOS_CLIENT_IP_HEADER = ""
    UserFactory(username="bo")
    client = Client(REMOTE_ADDR="10.0.0.9")
    for n in range(3):
        attempt(client, "bo", "fel", HTTP_X_REAL_IP=f"192.0.2.{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
    assert attempt(client, "bo", PASSWORD, HTTP_X_REAL_IP="192.0.2.99").status_code in (403, 429)
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"10.0.0.9"}


def test_it_takes_the_address_from_the_proxy_header_when_configured(settings):
    settings.AXES_FAILURE_LIMIT = 3
    settings.NVOS_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    UserFactory(username="cecilia")
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(3):
        attempt(proxy, "cecilia", "fel", HTTP_X_REAL_IP="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert attempt(proxy, "cecilia", PASSWORD, HTTP_X_REAL_IP="203.0.113.5").status_code in (403, 429)
    assert attempt(proxy, "cecilia", PASSWORD, HTTP_X_REAL_IP="203.0.113.6").status_code == 302
    assert AccessAttempt.objects.filter(ip_address="203.0.113.5").exists()


def test_it_shows_a_swedish_message_for_a_wrong_password(client):
    UserFactory(username="david")
    response = attempt(client, "david", "fel")
    assert response.status_code == 200 and "Fel användarnamn eller lösenord" in response.content.decode()


def test_it_ends_a_session_after_inactivity(client, world):
    client.force_login(world.users["coresearcher"])
    dashboard = reverse("coding:study_dashboard", args=[world.study.pk])
    assert client.get(dashboard).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 8 * 3600 - 60
    session.save()
    response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.get(dashboard).status_code == 302, "the session is gone, not just redirected once"


def test_it_keeps_an_active_session_alive(client, world):
    client.force_login(world.users["coresearcher"])
    dashboard = reverse("coding:study_dashboard", args=[world.study.pk])
    client.get(dashboard)
    session = client.session
    session["last_seen"] = int(time.time()) - 7 * 3600
    session.save()
    assert client.get(dashboard).status_code == 200
    assert client.session["last_seen"] > time.time() - 60


def test_it_ends_the_session_at_logout(world):
    client = Client()
    client.force_login(world.users["coresearcher"])
    cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))
    replay = Client()
    replay.cookies["sessionid"] = cookie
    assert replay.get(reverse("coding:home")).status_code == 302


def test_it_ends_other_sessions_when_the_password_changes(world):
    user = world.users["coresearcher"]
    first, second = Client(), Client()
    first.force_login(user)
    second.force_login(user)
    response = first.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "ett-nytt-lösen-2026",
                                                       "new_password2": "ett-nytt-lösen-2026"})
    assert response.status_code == 302
    assert first.get(reverse("coding:home")).status_code == 200
    assert second.get(reverse("coding:home")).status_code == 302


def test_it_ends_sessions_of_a_deactivated_user(client, world):
    user = world.users["coresearcher"]
    client.force_login(user)
    user.is_active = False
    user.save()
    assert client.get(reverse("coding:home")).status_code == 302


def token_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_it_makes_leads_set_up_two_factor_login_and_then_ask_for_it(settings, world):
    settings.NVOS_REQUIRE_2FA = True
    lead = world.users["lead"]
    client = Client()
    client.force_login(lead)
    dashboard = reverse("coding:study_dashboard", args=[world.study.pk])
    response = client.get(dashboard)
    assert response.status_code == 302 and response["Location"] == reverse("otp_setup")
    setup = client.get(reverse("otp_setup")).content.decode()
    assert "<svg" in setup and "Aktivera tvåstegsverifiering" in setup
    device = TOTPDevice.objects.get(user=lead)
    wrong = client.post(reverse("otp_setup"), {"token": "000000" if token_for(device) != "000000" else "111111"})
    assert "Koden är fel" in wrong.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp makes a caller wait after a wrong code
    assert client.post(reverse("otp_setup"), {"token": token_for(device)}).status_code == 302
    assert client.get(dashboard).status_code == 200
    device.refresh_from_db()
    assert device.confirmed

    later = Client()
    later.force_login(lead)
    response = later.get(dashboard)
    assert response.status_code == 302 and response["Location"].startswith(reverse("otp_verify"))
    device.last_t = -1
    device.save()
    assert later.post(reverse("otp_verify") + f"?next={dashboard}", {"token": token_for(device)}).status_code == 302
    assert later.get(dashboard).status_code == 200


def test_it_lets_co_researchers_choose_two_factor_login(settings, world):
    settings.NVOS_REQUIRE_2FA = True
    client = Client()
    client.force_login(world.users["coresearcher"])
    assert client.get(reverse("coding:study_dashboard", args=[world.study.pk])).status_code == 200
    assert client.get(reverse("otp_setup")).status_code == 200
