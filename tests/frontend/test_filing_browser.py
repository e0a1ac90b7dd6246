"""Filing from the portal and handling by officers, in headless Chromium on the real
stack: a citizen files a CU with its documents (a refused attempt first, which saves
nothing and keeps what was typed), verifies the e-mail and gets a number and key at once
(and by e-mail); an officer finds it at the top of the queue, on the parcel card and by
its number, opens it, downloads its dossier, acts on it (a concurrent change shows as a
conflict, a wrong validity as a validation error); tracking shows the new state. A
petition is filed without a map and found by its number."""

from __future__ import annotations

import re
import time

import pytest
from django.utils import timezone

from tests.frontend.conftest import login, mails, orm, screenshot, wait_for_map

CITIZEN_EMAIL = "cetatean.portal-test@example.org"
CITIZEN_NAME = "Maria Portalescu"
PETITIONER_EMAIL = "petent.portal-test@example.org"
CU_DOCUMENTS = ("cerere", "plan-incadrare", "extras-cadastral", "taxa")


def _pdf() -> bytes:
    from tests.permits.files import pdf

    return pdf()


def _png() -> bytes:
    from tests.permits.files import png

    return png()


@pytest.fixture(scope="module", autouse=True)
def _forget_filed_applications(django_db_blocker):
    """What these tests file through the live server is committed: remove it afterwards
    so that other tests on this database never see it (registry numbers stay used)."""
    yield
    from django.db import transaction

    from permits.models import Application, ApplicationEvent, Dossier, IssuedAct

    with orm(django_db_blocker), transaction.atomic():
        for application in Application.objects.filter(
            applicant__email__in=[CITIZEN_EMAIL, PETITIONER_EMAIL]
        ):
            applicant = application.applicant
            Dossier.objects.filter(application=application).delete()
            IssuedAct.objects.filter(application=application).delete()
            ApplicationEvent.objects.filter(application=application).delete()
            application.delete()
            applicant.delete()


def _stored(django_db_blocker, email: str) -> int:
    from permits.models import Applicant, Application

    with orm(django_db_blocker):
        return (
            Application.objects.filter(applicant__email=email).count()
            + Applicant.objects.filter(email=email).count()
        )


def _new_page(browser, width: int = 1280, height: int = 900):
    context = browser.new_context(viewport={"width": width, "height": height}, locale="en-US")
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: print("console:", msg.type, msg.text))
    page.on("response", lambda r: r.status >= 400 and print("http:", r.status, r.url))
    page.js_errors = errors
    return context, page


def _verify_email(page, live, email: str) -> None:
    page.fill("#apply-email", email)
    page.click("#apply-send-code")
    status = page.locator("[data-testid=apply-verify-status]")
    page.wait_for_function(
        "el => el.textContent.includes('@')", arg=status.element_handle(), timeout=15_000
    )
    code = None
    for _ in range(50):
        found = [re.search(r"este: (\d{6})", m) for m in mails(live) if email in m]
        if found and found[-1]:
            code = found[-1].group(1)
            break
        time.sleep(0.1)
    assert code, "no verification e-mail was written"
    page.fill("#apply-code", code)
    page.click("#apply-check-code")
    page.wait_for_function(
        "el => el.dataset.verified !== undefined", arg=status.element_handle(), timeout=15_000
    )


def _unlabelled(page, scope: str) -> list[str]:
    return page.evaluate(
        """scope => [...document.querySelectorAll(scope + ' input, ' + scope + ' select, '
                     + scope + ' textarea')]
             .filter(i => i.type !== 'hidden' && !(i.labels && i.labels.length)
                          && !i.getAttribute('aria-label'))
             .map(i => i.id || i.name)""",
        scope,
    )


def _cu_files(plan: bytes) -> dict[str, dict]:
    return {
        code: {
            "name": f"{code}.pdf",
            "mimeType": "application/pdf",
            "buffer": plan if code == "plan-incadrare" else _pdf(),
        }
        for code in CU_DOCUMENTS
    }


def test_citizen_files_a_cu_and_the_officer_handles_it(
    browser, live, facts, permit_kinds, django_db_blocker
):
    context, page = _new_page(browser)
    try:
        page.goto(live.url("/portal/cerere-noua/"))
        page.locator("#apply-kind option[value=cu]").wait_for(state="attached")
        page.select_option("#apply-kind", "cu")
        assert "15 zile" in page.inner_text("[data-testid=kind-help]")
        wait_for_map(page)
        # the parcel by its number (the keyboard path), then a footprint drawn on the map
        ref = f"{facts.siruta}:{facts.cadastral_number}"
        page.fill("#apply-parcel-ref", ref)
        page.press("#apply-parcel-ref", "Enter")
        page.locator(f"[data-testid=apply-parcels] li[data-ref='{ref}']").wait_for()
        page.click("[data-draw=footprint]")
        box = page.locator("#apply-map").bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        square = [(cx - 15, cy - 15), (cx + 15, cy - 15), (cx + 15, cy + 15), (cx - 15, cy + 15)]
        for x, y in [*square, square[0]]:
            page.mouse.click(x, y)
            page.wait_for_timeout(250)
        page.wait_for_function(
            "() => document.querySelector('[data-testid=apply-drawn]').textContent !== ''"
        )
        page.select_option("#apply-purpose", "construire")
        page.fill("#apply-description", "Locuință P+1E")
        page.fill("#apply-built-area", "120")
        page.fill("#apply-levels", "2")
        page.fill("#apply-name", CITIZEN_NAME)
        page.fill("#apply-email", CITIZEN_EMAIL)
        assert _unlabelled(page, "#apply-form") == []
        # 1. no documents: the form says which ones, nothing is sent
        page.click("#apply-submit")
        summary = page.locator("[data-testid=apply-errors]")
        summary.wait_for()
        assert "Document obligatoriu" in summary.inner_text()
        assert page.locator("[data-error-for='documents.taxa']").inner_text()
        # 2. documents, one a PNG named .pdf, e-mail not verified: the server refuses both
        for code, payload in _cu_files(_png()).items():
            page.set_input_files(f"#apply-doc-{code}", payload)
        page.click("#apply-submit")
        plan_error = page.locator("[data-error-for='documents.plan-incadrare']")
        page.wait_for_function(
            "el => el.textContent.includes('extensiei')", arg=plan_error.element_handle()
        )
        assert page.locator("[data-error-for='applicant.email']").first.inner_text()
        screenshot(page, "apply-refused")
        assert _stored(django_db_blocker, CITIZEN_EMAIL) == 0  # nothing half-saved
        # everything typed is still there
        assert page.input_value("#apply-name") == CITIZEN_NAME
        assert page.input_value("#apply-description") == "Locuință P+1E"
        assert page.locator(f"[data-testid=apply-parcels] li[data-ref='{ref}']").count() == 1
        # 3. verify the e-mail, replace the bad file, file
        _verify_email(page, live, CITIZEN_EMAIL)
        page.set_input_files(
            "#apply-doc-plan-incadrare",
            {"name": "plan.pdf", "mimeType": "application/pdf", "buffer": _pdf()},
        )
        page.click("#apply-submit")
        number_node = page.locator("[data-field=registration-number]")
        number_node.wait_for()
        number = number_node.inner_text()
        key = page.locator("[data-field=access-key]").inner_text()
        assert re.fullmatch(r"U-\d+/\d{4}", number) and len(key) >= 20
        screenshot(page, "apply-registered")
        registration_mail = [m for m in mails(live) if number in m]
        assert registration_mail and key in registration_mail[-1]
    finally:
        context.close()
    assert not page.js_errors, page.js_errors

    context, page = _new_page(browser)
    try:
        login(page, live)
        wait_for_map(page)
        assert page.locator("nav a[href='/import/']").count() == 1
        # the parcel card lists it; the search box finds it by its number
        page.goto(live.url(f"/harta/?q={facts.siruta}:{facts.cadastral_number}"))
        applications = page.locator("[data-testid=parcel-card] [data-testid=applications]")
        applications.locator("li", has_text=number).wait_for()
        page.fill("#search-input", number)
        page.press("#search-input", "Enter")
        page.wait_for_function(
            "nr => (document.body.dataset.lastResult || '').includes(nr)", arg=number
        )
        # the work queue: at the top (earliest deadline), and it opens the application
        page.goto(live.url("/harta/cereri/"))
        first = page.locator("[data-testid=queue] tbody tr").first
        first.wait_for()
        assert number in first.inner_text()
        screenshot(page, "officer-work-queue")
        first.get_by_role("link", name=number).click()
        page.wait_for_url(re.compile(r".*/harta/cereri/[0-9a-f-]{36}/$"))
        page.wait_for_selector("#application:not([aria-busy])")
        app_id = page.url.rstrip("/").rsplit("/", 1)[1]
        assert CITIZEN_NAME in page.inner_text("[data-testid=app-applicant]")
        assert CITIZEN_EMAIL in page.inner_text("[data-testid=app-applicant]")
        assert page.locator("[data-testid=app-attachments] li").count() == 4
        assert "înregistrată" in page.inner_text("[data-testid=app-history]")
        assert page.inner_text("[data-field=state]") == "înregistrată"

        # the dossier, assembled as the worker would (no worker in this stack)
        from permits import tasks
        from permits.models import Application, AssemblyRun

        with orm(django_db_blocker):
            application = Application.objects.get(public_id=app_id)
            run = application.assembly_runs.get(status=AssemblyRun.Status.QUEUED)
            tasks.assemble_dossier(run_id=run.pk)
        page.reload()
        page.wait_for_selector("#application:not([aria-busy])")
        analysis = page.inner_text("[data-testid=app-analysis]")
        assert facts.utr in analysis and "%" in analysis
        wait_for_map(page)
        screenshot(page, "officer-application")
        with page.expect_download(timeout=60_000) as download:
            page.click("[data-testid=app-dossiers] a[data-version='1']")
        path = download.value.path()
        with open(path, "rb") as handle:
            assert handle.read(5) == b"%PDF-"

        # actions: take it; another officer asks for completion meanwhile -> conflict shown
        page.click("form[data-action=take-in-review] button")
        page.wait_for_function(
            "() => document.querySelector('[data-field=state]').textContent === 'în analiză'"
        )
        from django.contrib.auth import get_user_model

        from permits.services import applications as services

        with orm(django_db_blocker):
            other = get_user_model().objects.get(username="demo.admin")
            services.request_completion(
                application=Application.objects.get(public_id=app_id),
                user=other,
                reason="Lipsește planul de situație.",
            )
        page.fill("form[data-action=issue] input[name=validity_months]", "12")
        page.click("form[data-action=issue] button")
        message = page.locator("[data-testid=app-message]")
        page.wait_for_function(
            "el => el.textContent.includes('Alt funcționar')", arg=message.element_handle()
        )
        assert page.inner_text("[data-field=state]") == "completare solicitată"
        screenshot(page, "officer-conflict")
        page.click("form[data-action=complete] button")
        page.wait_for_function(
            "() => document.querySelector('[data-field=state]').textContent === 'în analiză'"
        )
        # a validity outside the kind's range is a validation error, shown as such
        page.fill("form[data-action=issue] input[name=validity_months]", "3")
        page.click("form[data-action=issue] button")
        page.wait_for_function(
            "el => el.textContent.includes('Valabilitatea')", arg=message.element_handle()
        )
        assert page.inner_text("[data-field=state]") == "în analiză"
        page.fill("form[data-action=issue] input[name=validity_months]", "12")
        page.click("form[data-action=issue] button")
        page.wait_for_function(
            "() => document.querySelector('[data-field=state]').textContent === 'act emis'"
        )
        assert re.match(r"CU-\d+/\d{4}", page.inner_text("[data-field=act]"))
    finally:
        context.close()
    assert not page.js_errors, page.js_errors

    # tracking by number + key shows the new state
    context, page = _new_page(browser)
    try:
        page.goto(live.url("/portal/urmarire/"))
        page.fill("#track-number", number)
        page.fill("#track-key", key)
        page.click("#track-form button[type=submit]")
        state = page.locator("[data-testid=track-result] [data-field=state]")
        state.wait_for()
        assert state.inner_text() == "act emis"
        # the issued act as PDF, fetched with the access key (never put in a URL)
        with page.expect_download() as download:
            page.click("[data-testid=track-act]")
        with open(download.value.path(), "rb") as pdf:
            assert pdf.read(5) == b"%PDF-"
        assert download.value.suggested_filename.startswith("CU-")
    finally:
        context.close()
    assert not page.js_errors, page.js_errors


def test_a_petition_is_filed_without_a_map_and_found_by_its_number(
    browser, live, permit_kinds, django_db_blocker
):
    context, page = _new_page(browser, 390, 844)  # a phone
    try:
        page.goto(live.url("/portal/cerere-noua/?tip=petitie"))
        page.wait_for_function("() => document.getElementById('apply-kind').value === 'petitie'")
        assert page.locator("#apply-subject").is_hidden()
        assert "OG 27/2002" in page.inner_text("[data-testid=kind-help]")
        page.fill("#apply-name", "Ion Petentul")
        page.click("#apply-submit")
        page.locator("[data-error-for=description]").wait_for()
        page.fill("#apply-description", "Solicit repararea podețului de pe DJ 107.")
        _verify_email(page, live, PETITIONER_EMAIL)
        page.click("#apply-submit")
        number_node = page.locator("[data-field=registration-number]")
        number_node.wait_for()
        number = number_node.inner_text()
        assert re.fullmatch(r"RG-\d+/\d{4}", number)
        screenshot(page, "apply-petition-phone")
    finally:
        context.close()
    assert not page.js_errors, page.js_errors
    from permits.models import Application

    with orm(django_db_blocker):
        application = Application.objects.get(applicant__email=PETITIONER_EMAIL)
        registered = timezone.localtime(application.registration.registered_at).date()
        assert (application.due_date - registered).days == 30

    context, page = _new_page(browser)
    try:
        login(page, live)
        wait_for_map(page)
        page.fill("#search-input", number)
        page.press("#search-input", "Enter")
        page.wait_for_url(re.compile(r".*/harta/cereri/[0-9a-f-]{36}/$"))
        page.wait_for_selector("#application:not([aria-busy])")
        assert "Petiție" in page.inner_text("#app-title")
        assert "Ion Petentul" in page.inner_text("[data-testid=app-applicant]")
    finally:
        context.close()
    assert not page.js_errors, page.js_errors


@pytest.mark.django_db
def test_application_page_is_for_officers_and_the_filing_page_for_everyone(
    client, officer, django_user_model
):
    """Server side of the pages (the API decides the rest). A database test in this module
    also makes pytest-django create the test database when the module runs alone."""
    url = "/harta/cereri/6f1f5c1e-4c57-4c55-9d43-2d1b1c1f0a11/"
    assert client.get(url).status_code == 302  # to the login page
    citizen = django_user_model.objects.create_user("cetatean.pagini", password="x-lunga-1")
    client.force_login(citizen)
    assert client.get(url).status_code == 403
    page = client.get("/portal/cerere-noua/").content.decode()
    assert 'id="apply-verify"' not in page  # an account files without the e-mail code
    client.force_login(officer)
    assert client.get(url).status_code == 200  # the page; the API answers 404 for the id
    client.logout()
    page = client.get("/portal/cerere-noua/").content.decode()
    assert 'id="apply-verify"' in page and "/api/permits/applications/file/" in page
