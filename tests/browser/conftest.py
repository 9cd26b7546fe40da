"""Real Chromium (Debian's /usr/bin/chromium) driven by pytest-playwright against live_server.

Without Chromium the tests skip with a printed reason; with NVOS_CI set (as .ci/run does)
a missing browser is an error instead, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

CHROMIUM = os.environ.get("NVOS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update",
                 "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-sync"]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)
            if not Path(CHROMIUM).exists():
                if os.environ.get("NVOS_CI"):
                    item.add_marker(pytest.mark.usefixtures("_chromium_required"))
                else:
                    reason = f"Chromium saknas ({CHROMIUM}): installera Debians paket chromium"
                    item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def _chromium_required():
    pytest.fail(f"NVOS_CI is set but Chromium is missing at {CHROMIUM}; browser tests may not be skipped in CI")


@pytest.fixture(scope="session", autouse=True)
def _allow_async_unsafe():
    # Playwright's sync API runs an event loop in this thread; Django's ORM refuses to run
    # in a thread with a running loop unless told (playwright-pytest#29).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "sv-SE", "viewport": {"width": 1366, "height": 900}}


@pytest.fixture
def login(live_server, context):
    """Log a user in by giving the browser a real session cookie (no form round trip)."""

    def do_login(user) -> None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                              "url": live_server.url}])

    return do_login


@pytest.fixture
def csp_violations(page):
    """Collects Content-Security-Policy violations reported in the page's console."""
    found: list[str] = []
    page.on("console", lambda msg: found.append(msg.text)
            if "Content Security Policy" in msg.text or "Refused to" in msg.text else None)
    return found
