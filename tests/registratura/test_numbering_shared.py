"""One numbering mechanism: online permit requests and front-desk entries share the
general register's counter, gap-free and without duplicates under real concurrency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction

from permits.services import applications as permit_services
from registratura.models import Document, RegisterCounter, RegistryEntry
from registratura.services import documents as services
from registratura.services.uploads import AttachmentRefused
from tests.permits.conftest import run_in_threads

pytestmark = pytest.mark.django_db(transaction=True, available_apps=["registratura", "permits"])

APPLICANT = {"kind": "pf", "name": "Maria Ionescu-Testescu", "email": "maria@example.org"}


class Rollback(Exception):
    """Raised after an entry to roll its transaction back."""


def _numbers(year: int) -> list[int]:
    return list(
        RegistryEntry.objects.filter(register__code="registratura", year=year)
        .order_by("number")
        .values_list("number", flat=True)
    )


def test_permit_requests_and_front_desk_entries_share_one_gap_free_counter():
    moment = datetime(2033, 2, 14, 9, 30, tzinfo=UTC)
    drafts = [
        permit_services.create_application(
            kind="petitie", applicant=dict(APPLICANT), description=f"Petiție online {i}"
        )[0]
        for i in range(12)
    ]
    rolled_back = {3, 11, 17}  # front-desk entries that roll back

    def work(i: int):
        # even: an online petition submitted through the permit module; odd: the front desk
        if i % 2 == 0:
            application, _ = permit_services.submit_application(
                application=drafts[i // 2], now=moment
            )
            return ("online", application.registration.number)
        with transaction.atomic():
            document = services.register_incoming(
                kind="informatii-publice",
                channel="posta",
                correspondent=services.Correspondent(name=f"Expeditor {i}"),
                subject=f"Cerere prin poștă {i}",
                now=moment,
            )
            if i in rolled_back:
                raise Rollback
        return ("ghiseu", document.entry.number)

    results = run_in_threads(24, work)

    errors = [r for i, r in enumerate(results) if isinstance(r, Exception) and i not in rolled_back]
    assert not errors, errors
    assert all(isinstance(results[i], Rollback) for i in rolled_back)
    numbers = sorted(r[1] for i, r in enumerate(results) if i not in rolled_back)
    assert numbers == list(range(1, 22))  # 12 online + 9 front desk, no gap, no duplicate
    assert _numbers(2033) == list(range(1, 22))
    assert RegisterCounter.objects.get(register__code="registratura", year=2033).last_number == 21
    # Every number is a line of the register book, online ones included.
    book = Document.objects.filter(entry__register__code="registratura", entry__year=2033)
    assert book.count() == 21
    assert book.filter(channel="online", kind__code="petitie").count() == 12
    assert book.filter(channel="posta", kind__code="informatii-publice").count() == 9
    # Registration times follow the numbers.
    times = [d.entry.registered_at for d in book.order_by("entry__number")]
    assert times == sorted(times)


def test_a_refused_scan_gives_no_number():
    moment = datetime(2033, 3, 1, 10, 0, tzinfo=UTC)
    first = services.register_incoming(
        kind="petitie",
        channel="ghiseu",
        correspondent=services.Correspondent(name="A"),
        subject="prima",
        now=moment,
    )
    with pytest.raises(AttachmentRefused):
        services.register_incoming(
            kind="petitie",
            channel="ghiseu",
            correspondent=services.Correspondent(name="B"),
            subject="cu fișier executabil",
            scan=services.Scan(name="scan.pdf", data=b"MZ\x90\x00" + b"\x00" * 300),
            now=moment,
        )
    second = services.register_incoming(
        kind="petitie",
        channel="ghiseu",
        correspondent=services.Correspondent(name="C"),
        subject="a doua",
        now=moment,
    )
    assert (first.entry.number, second.entry.number) == (1, 2)
    assert _numbers(2033) == [1, 2]
