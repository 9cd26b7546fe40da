"""Browser hardening on every page: security headers, a strict CSP the HTML can live with,
and production settings that keep cookies and transport safe."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import lxml.html
import pytest
from django.test import Client
from django.urls import reverse

from coding.models import Area, Note

from .test_permissions import body_text, table
from .url_patterns import project_routes

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent

CSP_DIRECTIVES = ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                  "base-uri 'none'", "frame-ancestors 'none'")
DATA_SCRIPT_TYPES = {"application/json", "application/ld+json"}


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html")


def header_problems(response, *, authenticated: bool) -> list[str]:
    problems = []
    policy = response.get("Content-Security-Policy", "")
    if is_html(response):
        problems += [f"CSP lacks {d}" for d in CSP_DIRECTIVES if d not in policy]
        problems += [f"CSP has {word}" for word in ("unsafe-inline", "unsafe-eval") if word in policy]
        if response.get("X-Frame-Options") != "DENY":
            problems.append(f"X-Frame-Options {response.get('X-Frame-Options')!r}")
        if response.get("Referrer-Policy") != "same-origin":
            problems.append(f"Referrer-Policy {response.get('Referrer-Policy')!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append("no X-Content-Type-Options: nosniff")
    if authenticated and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r}")
    return problems


def same_origin(url: str) -> bool:
    parts = urlsplit(url.strip())
    return not parts.scheme and not parts.netloc


def html_problems(text: str) -> list[str]:
    """What a strict CSP would block or a reviewer should not find: inline code and styles,
    event-handler attributes, eval-needing htmx attributes, resources from elsewhere."""
    if not text.strip():
        return []
    root = lxml.html.fromstring(text)
    problems = []
    for element in root.iter():
        if not isinstance(element.tag, str):  # comments, processing instructions
            continue
        tag = element.tag.lower()
        where = f"<{tag}{' id=' + element.get('id') if element.get('id') else ''}>"
        if tag == "script":
            if element.get("src") is not None:
                if not same_origin(element.get("src")):
                    problems.append(f"{where} src={element.get('src')}")
            elif (element.get("type") or "").lower() not in DATA_SCRIPT_TYPES and (element.text or "").strip():
                problems.append(f"{where} inline script")
        if tag == "style":
            problems.append(f"{where} inline style element")
        for name, value in element.attrib.items():
            name = name.lower()
            if name == "style":
                problems.append(f"{where} style attribute")
            elif name.startswith("on") or name.startswith(("hx-on", "data-hx-on")):
                problems.append(f"{where} {name} attribute")
            elif name in ("hx-vals", "hx-vars") and value.strip().lower().startswith(("js:", "javascript:")):
                problems.append(f"{where} {name} needs eval")
            elif name in ("href", "src", "action", "formaction") and value.strip().lower().startswith("javascript:"):
                problems.append(f"{where} {name}=javascript:")
        resource = {"link": "href", "img": "src", "form": "action"}.get(tag)
        if resource and element.get(resource) and not same_origin(element.get(resource)):
            problems.append(f"{where} {resource}={element.get(resource)}")
    return problems


def test_it_sends_hardened_headers_and_csp_clean_html_on_every_page(world):
    lead = world.users["lead"]
    client = Client(raise_request_exception=False)
    client.force_login(lead)
    ids = {**world.ids, "note_id": Note.objects.create(study=world.study, author=lead, kind=Note.Kind.JOURNAL,
                                                       title="Egen", text="Egen").pk}
    area = Area.objects.get(slug="samverkan").pk
    queries = {"summary_cell": {"cell_round": ids["round_id"], "cell_team": ids["team_id"], "cell_area": area}}
    requests = []
    for route in project_routes():
        url = route.url(ids)
        query = queries.get(route.name, {})
        requests.append((route.name, url, query, {}))
        requests.append((route.name + " (htmx)", url, query, {"HX-Request": "true"}))
    # Pages only some answers show: the print report, an export with an invalid choice, a 404.
    requests += [("export_download (form error)", reverse("coding:export_download", args=[ids["study_id"]]),
                  {"format": "nope"}, {}),
                 ("theme_detail (404)", reverse("coding:theme_detail", args=[ids["study_id"], 10**9]), {}, {})]

    failures, pages = [], 0
    for name, url, query, headers in requests:
        response = client.get(url, query, headers=headers)
        if response.status_code >= 500:
            failures.append((name, url, response.status_code, "server error"))
            continue
        problems = header_problems(response, authenticated=True)
        if is_html(response):
            pages += 1
            problems += html_problems(body_text(response))
        failures += [(name, url, response.status_code, problem) for problem in problems]
    assert pages > 50
    assert not failures, "\n" + table(failures, ("name", "url", "status", "problem"))


def test_it_hardens_the_pages_of_users_with_fewer_rights(world):
    """A co-researcher sees the coding popup data and 403 pages; an admin other forms."""
    failures = []
    for persona in ("coresearcher", "admin"):
        client = Client(raise_request_exception=False)
        client.force_login(world.users[persona])
        for route in project_routes():
            if route.action in ("login", "public") or "note_id" in route.kwargs:
                continue
            url = route.url(world.ids)
            response = client.get(url)
            problems = header_problems(response, authenticated=True)
            if is_html(response):
                problems += html_problems(body_text(response))
            failures += [(persona, url, response.status_code, p) for p in problems]
    assert not failures, "\n" + table(failures, ("persona", "url", "status", "problem"))


def test_it_sends_a_csp_on_the_anonymous_login_page(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    problems = header_problems(response, authenticated=False) + html_problems(body_text(response))
    assert problems == []
    redirect = client.get(reverse("coding:home"))
    assert redirect.status_code == 302
    assert "default-src 'self'" in redirect["Content-Security-Policy"]


def test_it_finds_what_the_html_check_is_meant_to_find():
    """The checker itself: each of these must be reported."""
    bad = ('<html><head><script>alert(1)</script><style>p{}</style>'
           '<script src="https://cdn.example.com/x.js"></script><link rel="stylesheet" href="//cdn.example/x.css">'
           '</head><body><p style="color:red" onclick="x()">a</p><img src="http://evil.example/p.png">'
           '<a href="javascript:alert(1)">b</a><div hx-on:click="x()"></div>'
           '<form action="https://elsewhere.example/"></form></body></html>')
    assert len(html_problems(bad)) == 10
    good = ('<html><head><script src="/static/js/app.js" defer></script><link rel="stylesheet" href="/static/a.css">'
            '<script type="application/json" id="data">{"a": 1}</script></head>'
            '<body><img src="/static/i.svg"><a href="https://nvos.example/">extern länk</a>'
            '<form action="" method="post"></form></body></html>')
    assert html_problems(good) == []


def test_it_uses_secure_settings_in_production():
    hidden = {"DJANGO_SETTINGS_MODULE", "NVOS_TESTING", "DEBUG", "SECURE_COOKIES", "SECURE_SSL_REDIRECT",
              "SECURE_HSTS_SECONDS", "DATABASE_URL"}
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    env.update({"DJANGO_SETTINGS_MODULE": "nvos.settings", "DEBUG": "0",
                "SECRET_KEY": "x" * 30 + "production-like-key-0123456789abcdef", "ALLOWED_HOSTS": "nvos.example.se"})
    names = ["DEBUG", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SECURE_HSTS_SECONDS",
             "SECURE_SSL_REDIRECT", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF", "SECURE_REFERRER_POLICY"]
    code = ("import json; from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"
