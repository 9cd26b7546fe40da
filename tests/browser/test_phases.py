"""Walk the demo study from phase 1 to 6 in Chromium, as a project lead would."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from coding.demo import create_demo_study
from coding.models import Code, PhaseChange, Quote, Theme
from transcripts.models import Study

pytestmark = pytest.mark.django_db(transaction=True)


def move_to(page, phase: int, note: str) -> None:
    page.get_by_text("Flytta studien till en annan fas").click()
    page.get_by_label("Flytta studien till fas").select_option(str(phase))
    page.get_by_label("Anteckning (varför nu, vad återstår)").fill(note)
    page.get_by_role("button", name="Flytta", exact=True).click()


def test_it_walks_the_demo_study_through_the_six_phases(live_server, page, login, csp_violations):
    study, _created = create_demo_study()
    Study.objects.filter(pk=study.pk).update(current_phase=1)
    PhaseChange.objects.filter(study=study).delete()
    Code.objects.filter(study=study, name="Sekretess").update(definition="")
    from django.contrib.auth import get_user_model

    login(get_user_model().objects.get(username="projektledare"))
    page.goto(f"{live_server.url}/studier/{study.pk}/")
    expect(page.get_by_role("heading", name="Fas 1: Att bekanta sig med sina data")).to_be_visible()

    move_to(page, 2, "Alla har läst transkripten")
    if page.get_by_role("button", name="Gå vidare ändå").is_visible():
        page.get_by_role("button", name="Gå vidare ändå").click()
    expect(page.get_by_role("heading", name="Fas 2: Att generera inledande koder")).to_be_visible()

    move_to(page, 3, "Kodningen är klar")
    expect(page.get_by_role("heading", name=re.compile("Flytta till fas"))).to_be_visible()
    expect(page.get_by_text("Koder utan definition:")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Sekretess"))).to_be_visible()
    page.get_by_role("button", name="Gå vidare ändå").click()
    expect(page.get_by_role("heading", name="Fas 3: Att leta efter teman")).to_be_visible()

    # Build a theme from codes on the map.
    page.get_by_role("navigation", name="Studie").get_by_role("link", name="Teman").click()
    page.get_by_label("Namn").fill("Information som delaktighet")
    page.get_by_label("Område (tomt: spänner över flera)").select_option(label="Delaktighet")
    page.get_by_role("button", name="Skapa tema").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Information som delaktighet")
    page.get_by_role("link", name="Tematisk karta").click()
    page.get_by_label("Tema för Anpassad information").select_option(label="Information som delaktighet")
    row = page.locator("li", has=page.get_by_label("Tema för Anpassad information"))
    row.get_by_role("button", name="Koppla").click()
    theme_card = page.locator("article.map-theme", has_text="Information som delaktighet")
    expect(theme_card.get_by_text("Anpassad information")).to_be_visible()
    theme = Theme.objects.get(name="Information som delaktighet")
    assert list(theme.codes.values_list("name", flat=True)) == ["Anpassad information"]

    page.goto(f"{live_server.url}/studier/{study.pk}/")
    move_to(page, 4, "Kandidatteman klara")
    expect(page.get_by_role("heading", name="Fas 4: Att granska teman")).to_be_visible()

    # Review: mark a key quote with an edited version.
    page.get_by_role("link", name="Information som delaktighet").click()
    first = page.locator("li.passage-item").first
    first.get_by_label("Nyckelcitat").check()
    first.get_by_text("Läsbarhetsredigerat (det ordagranna avsnittet sparas)").click()
    first.get_by_label("Redigerad version").fill("Informationen måste vara begriplig.")
    first.get_by_role("button", name="Spara citat").click()
    expect(page.locator("li.passage-item").first.get_by_text("Sparat.")).to_be_visible()
    quote = Quote.objects.get(theme=theme)
    assert quote.is_key and quote.edited_text == "Informationen måste vara begriplig."
    assert quote.coding.text != quote.edited_text

    page.goto(f"{live_server.url}/studier/{study.pk}/")
    move_to(page, 5, "Granskningen klar")

    # Define and name.
    page.goto(f"{live_server.url}{theme.get_absolute_url()}")
    concept = page.get_by_role("textbox", name="Central organiserande idé")
    concept.fill("Begriplig information är en förutsättning för delaktighet.")
    page.get_by_label("Status").select_option(label="definierad")
    page.get_by_role("button", name="Spara tema").click()
    expect(page.get_by_text("Temat sparades.")).to_be_visible()

    page.goto(f"{live_server.url}/studier/{study.pk}/")
    move_to(page, 6, "Dags att skriva")
    expect(page.get_by_text("Teman utan definition eller utan kodade avsnitt:")).to_be_visible()
    page.get_by_role("button", name="Gå vidare ändå").click()
    expect(page.get_by_role("heading", name="Fas 6: Att skriva rapporten")).to_be_visible()
    page.get_by_text("Fashistorik").click()
    expect(page.get_by_text("Dags att skriva")).to_be_visible()
    history = PhaseChange.objects.filter(study=study).order_by("changed_at").values_list("to_phase", flat=True)
    assert list(history) == [2, 3, 4, 5, 6]
    assert theme.versions.count() >= 2
    assert csp_violations == []
