"""Import a Teams .vtt in Chromium: upload, map speakers, accept findings, publish, read."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import InterviewFactory, MembershipFactory, RoundFactory, StudyFactory, TeamFactory, UserFactory
from transcripts.models import Role, Transcript

pytestmark = pytest.mark.django_db(transaction=True)
VTT = Path(__file__).parent.parent / "transcripts" / "data" / "fokusgrupp_teams.vtt"


def test_it_imports_a_teams_file_from_upload_to_reading(live_server, page, login, csp_violations):
    study = StudyFactory(name="Importstudie")
    lead = MembershipFactory(study=study, user=UserFactory(username="ledare"), role=Role.LEAD).user
    team = TeamFactory(study=study, number=3)
    interview = InterviewFactory(team=team, round=RoundFactory(study=study, number=1))
    login(lead)
    page.goto(f"{live_server.url}/studier/{study.pk}/transkript/")
    page.get_by_role("link", name="Importera ett transkript").click()
    page.get_by_label("Intervju").select_option(label=str(interview))
    page.get_by_label("Transkriptfil").set_input_files(str(VTT))
    page.get_by_role("button", name="Ladda upp och läs filen").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Koppla talare")
    expect(page.locator(".turn-text", has_text="Välkomna till fokusgruppen")).to_be_visible()
    page.get_by_label("Roll för Maria Sjöberg").select_option("interviewer")
    page.get_by_label("Roll för Erik Lund").select_option("assistant")
    for name, role in (("Gunnar Pettersson (Extern)", "Arbetsterapeut"), ("Fatima Khalil", "Sjuksköterska")):
        select = page.get_by_label(f"Roll för {name}")
        select.select_option("new")
        select.locator("xpath=..").get_by_label("Den nya deltagarens rollbeteckning").fill(role)
    page.get_by_role("button", name="Spara roller och sök efter personuppgifter").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Granska personuppgifter")
    expect(page.get_by_text("[telefonnummer]").first).to_be_visible()
    page.get_by_role("button", name="Godta alla förslag").click()
    expect(page.get_by_text("0 väntar på ditt beslut")).to_be_visible()
    page.get_by_role("button", name="Publicera det avidentifierade transkriptet").click()

    expect(page.get_by_text("Transkriptet publicerades")).to_be_visible()
    transcript = Transcript.objects.get(interview=interview)
    expect(page.locator("#t1 .speaker")).to_have_text("Intervjuare")
    expect(page.locator(".turn-text").filter(has_text="[telefonnummer]")).to_have_count(1)
    body = page.locator("#transcript").inner_text()
    for name in ("Maria", "Gunnar", "Fatima", "Khalil", "070-123"):
        assert name not in body
    assert "Khalil" not in transcript.text
    assert csp_violations == []
