"""A paper request registered at the front desk, followed on the portal's tracking page
in headless Chromium with the number and key of its receipt: its state, and the archived
act answering it downloaded as PDF (number and key sent in headers, never in a URL)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.conf import settings

from tests.frontend.conftest import orm, screenshot

SUBJECT = "Cerere de copie după autorizația de construire"


@pytest.fixture
def paper_request(live, permit_kinds, django_db_blocker):
    """A desk entry, an archived act answering it (its PDF in the server's media) and an
    act of someone else; removed afterwards (the registry number stays used)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from arhiva.models import ArchiveDocument, DocumentKind
    from arhiva.seed import seed as seed_archive
    from registratura.access import FRONT_DESK_GROUP
    from registratura.models import Document
    from registratura.services import documents as register

    with orm(django_db_blocker):
        seed_archive(apps)
        clerk, _created = get_user_model().objects.get_or_create(username="ghiseu.browser")
        clerk.groups.add(Group.objects.get_or_create(name=FRONT_DESK_GROUP)[0])
        document = register.register_incoming(
            kind="petitie",
            channel="ghiseu",
            correspondent=register.Correspondent(name="Ioana Hârtie", contact="0744000111"),
            subject=SUBJECT,
            user=clerk,
        )
        acts = []
        for number, entry in (("451", document.entry), ("452", None)):
            data = f"%PDF-1.4 act {number}".encode()
            relative = f"arhiva/1999/{hashlib.sha256(data).hexdigest()}.pdf"
            path = Path(settings.MEDIA_ROOT) / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            kind = DocumentKind.objects.get(code="ac")
            acts.append(
                ArchiveDocument.objects.create(
                    kind=kind,
                    year=1999,
                    number=number,
                    retention=kind.retention,
                    original_name=f"{number}.pdf",
                    sha256=hashlib.sha256(data).hexdigest(),
                    pdf=relative,
                    page_count=1,
                    registry_entry=entry,
                )
            )
    yield document.entry.label, document.access_key, acts
    with orm(django_db_blocker):
        ArchiveDocument.objects.filter(pk__in=[a.pk for a in acts]).delete()
        Document.objects.filter(pk=document.pk).update(access_key_hash="")


def test_paper_request_tracked_with_its_receipt_and_its_act_downloaded(page, live, paper_request):
    number, key, (answered, _other) = paper_request
    page.goto(live.url("/portal/urmarire/"))
    page.fill("#track-number", number)
    page.fill("#track-key", key)
    page.click("#track-form button[type=submit]")
    state = page.locator("[data-testid=track-register] [data-field=state]")
    state.wait_for()
    assert state.inner_text() == "înregistrat"
    result = page.inner_text("[data-testid=track-result]")
    assert number in result
    assert "Hârtie" not in result and SUBJECT not in result  # no personal data, no summary
    buttons = page.locator("[data-testid=track-archived-act]")
    buttons.first.wait_for()
    assert buttons.count() == 1  # only the act answering this request
    assert f"{answered.number}/1999" in buttons.first.inner_text()
    with page.expect_download() as download:
        buttons.first.click()
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read() == b"%PDF-1.4 act 451"
    screenshot(page, "track-paper-request")

    # a wrong key: the same answer as for an unknown number, nothing shown
    page.fill("#track-key", "x" + key[1:])
    page.click("#track-form button[type=submit]")
    page.locator("[data-testid=track-result] [role=alert]").wait_for()
    assert page.locator("[data-testid=track-archived-act]").count() == 0


@pytest.mark.django_db
def test_desk_documents_get_a_tracking_key(django_user_model):
    """A database test in this module makes pytest-django create the test database the
    browser stack runs on when the module runs alone."""
    from registratura.models import Document

    assert Document._meta.get_field("access_key_hash").max_length == 64
