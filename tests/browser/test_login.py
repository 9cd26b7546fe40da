"""A user logs in through the real login form and sees the study dashboard in Swedish."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from coding.demo import DEMO_PASSWORD, create_demo_study

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_logs_in_and_shows_the_dashboard_in_swedish(live_server, page, csp_violations):
    study, _created = create_demo_study()
    page.goto(live_server.url + "/")
    expect(page).to_have_title("Logga in – NVOS Kodning")
    page.get_by_label("Användarnamn").fill("medforskare1")
    page.get_by_label("Lösenord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", name="Dina studier")).to_be_visible()
    page.get_by_role("link", name=study.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(study.name)
    expect(page.get_by_role("heading", name="Fas 4: Att granska teman")).to_be_visible()
    expect(page.get_by_role("navigation", name="Studie").get_by_role("link", name="Transkript")).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "sv"
    assert csp_violations == []


def test_it_rejects_a_wrong_password_in_swedish(live_server, page):
    create_demo_study()
    page.goto(live_server.url + "/konto/logga-in/")
    page.get_by_label("Användarnamn").fill("medforskare1")
    page.get_by_label("Lösenord").fill("fel-lösenord")
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("alert")).to_contain_text("Fel användarnamn eller lösenord")
