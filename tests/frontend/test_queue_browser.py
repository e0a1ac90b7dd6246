"""The officers' work queue comes from the API a page at a time (deadline first); the
queue page shows the first page and loads the next ones on request, in headless
Chromium on the real stack."""

from __future__ import annotations

import pytest

from tests.frontend.conftest import orm

EMAIL = "coada.pagini@example.org"
PAGE = 50  # permits.api.views.ApplicationPagination.page_size


@pytest.fixture
def long_queue(django_db_blocker, permit_kinds, facts):
    """More registered applications than one page holds, committed for the live server;
    removed afterwards (registry numbers stay used)."""
    from django.db import transaction

    from permits.models import Application, ApplicationEvent, AssemblyRun
    from permits.services import applications as services

    with orm(django_db_blocker), transaction.atomic():
        for _ in range(PAGE + 1):
            application, _ = services.create_application(
                kind="cu",
                applicant={"name": "Coadă Lungă", "email": EMAIL},
                parcels=[{"uat": facts.siruta, "cadastral_number": facts.cadastral_number}],
                purpose="construire",
                description="paginare",
            )
            services.submit_application(application=application)
    yield
    with orm(django_db_blocker), transaction.atomic():
        for application in Application.objects.filter(applicant__email=EMAIL):
            applicant = application.applicant
            AssemblyRun.objects.filter(application=application).delete()
            ApplicationEvent.objects.filter(application=application).delete()
            application.delete()
            applicant.delete()


def test_the_queue_shows_a_page_and_loads_the_next_on_request(long_queue, officer_page, live):
    page = officer_page
    page.goto(live.url("/harta/cereri/"))
    rows = page.locator("[data-testid=queue] tbody tr")
    rows.first.wait_for()
    assert rows.count() == PAGE
    more = page.get_by_test_id("queue-more")
    assert more.inner_text() == "Mai multe cereri"
    more.click()
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid=queue] tbody tr').length > n", arg=PAGE
    )
    ids = page.eval_on_selector_all(
        "[data-testid=queue] tbody tr", "rows => rows.map(r => r.dataset.id)"
    )
    assert len(ids) == len(set(ids)) > PAGE  # the next page appended, nothing twice
    due = page.eval_on_selector_all(
        "[data-testid=queue] tbody tr td:nth-child(4)", "cells => cells.map(c => c.innerText)"
    )
    assert due[0] and due[-1]  # every row has its deadline column
