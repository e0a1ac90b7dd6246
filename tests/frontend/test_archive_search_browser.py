"""The map's search box finds archived acts for officers, by act number and by words of
their OCR text without diacritics, and a hit leads to the act's parcel on the map."""

from __future__ import annotations

import hashlib

import pytest

from tests.frontend.conftest import orm, screenshot

WORDS = "Autorizație de construire pentru anexă gospodărească la Zăvoiul Mărunt"


@pytest.fixture
def archived_act(live, facts, django_db_blocker):
    from django.apps import apps

    from arhiva import linking
    from arhiva.models import ArchiveDocument, ArchivePage, DocumentKind
    from arhiva.seed import seed as seed_archive
    from layers.models import UAT

    with orm(django_db_blocker):
        seed_archive(apps)
        kind = DocumentKind.objects.get(code="ac")
        act = ArchiveDocument.objects.create(
            kind=kind,
            year=1997,
            number="461",
            uat=UAT.objects.get(siruta=facts.siruta),
            cadastral_numbers=[facts.cadastral_number],
            retention=kind.retention,
            original_name="461.pdf",
            sha256=hashlib.sha256(b"461").hexdigest(),
            page_count=1,
        )
        ArchivePage.objects.create(document=act, number=1, text=WORDS)
        linking.link_document(act)
    yield act
    with orm(django_db_blocker):
        ArchiveDocument.objects.filter(pk=act.pk).delete()


@pytest.mark.parametrize("query", ["AC 461/1997", "zavoiul marunt"])
def test_officer_finds_an_act_and_goes_to_its_parcel(officer_page, facts, archived_act, query):
    page = officer_page
    page.fill("#search-input", query)
    page.press("#search-input", "Enter")
    hit = page.locator("#pane-results button[data-kind=archive]")
    hit.first.wait_for()
    assert hit.count() == 1
    assert "461/1997" in hit.first.inner_text()
    hit.first.click()
    card = page.locator("[data-testid=parcel-card]")
    card.wait_for()
    assert card.locator("[data-field=cadastral-number]").inner_text() == facts.cadastral_number
    # the card lists the act among the parcel's archived acts
    page.locator("[data-testid=archived-acts] li").first.wait_for()
    assert "461/1997" in page.inner_text("[data-testid=archived-acts]")
    screenshot(page, "officer-search-archive")


@pytest.mark.django_db
def test_the_archive_search_is_for_officers(client):
    """A database test in this module also makes pytest-django create the test database
    the browser stack runs on when the module runs alone."""
    assert client.get("/api/arhiva/", {"q": "zavoiul"}).status_code == 403
