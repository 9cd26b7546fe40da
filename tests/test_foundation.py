"""The foundation: reference data, demo data, access to every URL, settings, language."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from coding.models import Area, Phase
from transcripts.models import Municipality, ServiceArea, SpiderCategory, Study

from .url_patterns import project_routes

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent


def test_it_has_reference_data_after_migrate():
    assert [a.name_sv for a in Area.objects.order_by("order")] == [
        "Samverkan", "Personcentrering", "Delaktighet", "Kompetens och kunskap", "Digitalisering"]
    assert len({a.colour for a in Area.objects.all()}) == 5
    assert Phase.objects.get(number=1).name_sv == "Att bekanta sig med sina data"
    assert Phase.objects.get(number=6).name_en == "Producing the report"
    assert Municipality.objects.count() == 13
    assert Municipality.objects.get(code="0580").name == "Linköping"
    assert Municipality.objects.get(code="0509").name == "Ödeshög"
    assert ServiceArea.objects.count() == 8
    assert SpiderCategory.objects.count() == 10


def test_it_keeps_reference_data_stable_when_synced_twice(capsys):
    before = sorted(Area.objects.values_list("slug", "name_sv", "colour"))
    call_command("seed_reference_data")
    call_command("seed_reference_data")
    assert "0 nya rader" in capsys.readouterr().out
    assert sorted(Area.objects.values_list("slug", "name_sv", "colour")) == before


def test_it_creates_the_demo_study_twice_without_error(capsys):
    call_command("seed_demo")
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "projektledare" in out and "medforskare1" in out
    demo = Study.objects.get(is_demo=True, name__startswith="Demo: Multidisciplinära")
    assert demo.teams.count() == 6
    assert demo.rounds.count() == 2
    assert demo.memberships.count() == 4


def test_it_redirects_anonymous_users_to_login_on_every_url(client, world):
    routes = project_routes()
    assert len(routes) > 5
    for route in routes:
        if route.action == "public":
            continue
        url = route.url(world.ids)
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            assert response.status_code == 302, f"{method.upper()} {url} gave {response.status_code}"
            assert response["Location"].startswith(reverse("login")), url


def test_it_protects_every_view_with_a_declared_permission():
    unprotected = [r.route for r in project_routes() if r.action is None]
    assert unprotected == [], "views without study_view/login_view/public_view"


def test_it_hides_another_studys_dashboard(client, world):
    client.force_login(world.users["outsider"])
    response = client.get(reverse("coding:study_dashboard", args=[world.study.pk]))
    assert response.status_code == 404
    own = client.get(reverse("coding:study_dashboard", args=[world.other_study.pk]))
    assert own.status_code == 200


def test_it_shows_the_dashboard_in_swedish(client, world):
    client.force_login(world.users["coresearcher"])
    response = client.get(reverse("coding:study_dashboard", args=[world.study.pk]))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="sv">' in content
    assert "Översikt" in content and "Transkript" in content
    assert "Att bekanta sig med sina data" in content


def test_it_switches_to_english(client, world):
    client.force_login(world.users["coresearcher"])
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("coding:study_dashboard", args=[world.study.pk]))
    content = response.content.decode()
    assert '<html lang="en">' in content
    assert "Overview" in content and "Familiarising yourself with the data" in content


def test_it_serves_the_swedish_login_page_even_to_english_browsers(client):
    response = client.get(reverse("login"), headers={"Accept-Language": "en-US,en;q=0.9"})
    content = response.content.decode()
    assert response.status_code == 200
    assert "Logga in" in content and "Användarnamn" in content and "Lösenord" in content


def test_it_configures_htmx_csp_safe_and_serves_it_locally(client, world):
    client.force_login(world.users["coresearcher"])
    content = client.get(reverse("coding:home")).content.decode()
    assert '"allowEval": false' in content and '"allowScriptTags": false' in content
    assert '"includeIndicatorStyles": false' in content and '"historyCacheSize": 0' in content
    assert '"selfRequestsOnly": true' in content
    assert "/static/vendor/htmx/htmx-2.0.11.min.js" in content
    assert 'hx-headers=\'{"X-CSRFToken": "' in content
    assert "<script>" not in content and "https://" not in content
    assert (ROOT / "static/vendor/htmx/htmx-2.0.11.min.js").read_text().count("2.0.11") >= 1


def test_it_sends_a_content_security_policy(client, world):
    client.force_login(world.users["coresearcher"])
    response = client.get(reverse("coding:home"))
    policy = response["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_it_passes_check_deploy_with_production_settings():
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "NVOS_TESTING", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DEBUG": "0", "SECRET_KEY": "x" * 30 + "production-like-key-0123456789abcdef",
                "ALLOWED_HOSTS": "nvos.example.se", "DATABASE_URL": "sqlite:///:memory:"})
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_secret_key_in_production():
    hidden = {"DEBUG", "NVOS_TESTING", "SECRET_KEY", "DJANGO_SETTINGS_MODULE"}
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
