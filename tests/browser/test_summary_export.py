"""A project lead reads the summary, opens a heatmap cell's quotes and downloads the Word report."""

from __future__ import annotations

import docx
import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.coding.builders import EDITED_QUOTE, VERBATIM_QUOTE, WITHDRAWN_TEXT, build_analysis

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_opens_a_cells_quotes_and_downloads_the_word_report(live_server, page, login, world, csp_violations):
    analysis = build_analysis(world)
    login(world.users["lead"])
    page.goto(live_server.url + reverse("coding:summary", args=[analysis.study.pk]))

    heatmap = page.locator("table.heatmap").first
    expect(heatmap).to_be_visible()
    cell = heatmap.locator("tbody tr").first.locator("a.cell-link").first  # team 1, Samverkan, round 1
    expect(cell).to_contain_text("2")
    cell.click()
    quotes = page.locator("#cell-panel #cell-quotes")
    expect(quotes).to_contain_text(VERBATIM_QUOTE)
    expect(quotes).to_contain_text("(Arbetsterapeut, team 1)")
    expect(quotes.locator("a[href*='#c-']").first).to_be_visible()
    assert page.locator("html").get_attribute("lang") == "sv"  # still the same page, updated in place
    assert WITHDRAWN_TEXT not in page.content()

    with page.expect_download() as download_info:
        page.locator("a[href*='/export/ladda-ner/']").click()
    download = download_info.value
    assert download.suggested_filename.startswith("nvos-temasammanfattning-studie-a-")
    assert download.suggested_filename.endswith(".docx")
    document = docx.Document(download.path())
    quotes_in_report = [p.text for p in document.paragraphs if p.style.name == "Quote"]
    assert EDITED_QUOTE in quotes_in_report
    assert csp_violations == []
