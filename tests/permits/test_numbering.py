"""Registration numbers: gap-free and unique per register and calendar year under real
concurrency (threads with their own connections), rollbacks and the Bucharest new year."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from permits.models import Application
from permits.services import applications as services
from permits.workflow import State
from registratura.models import RegisterCounter, RegistryEntry
from registratura.services.numbering import next_number, register_year

from .conftest import run_in_threads

BUCHAREST = ZoneInfo("Europe/Bucharest")
pytestmark = pytest.mark.django_db(transaction=True, available_apps=["registratura", "permits"])


class Rollback(Exception):
    """Raised after a submission to roll its transaction back."""


def _numbers(register: str, year: int) -> list[int]:
    return list(
        RegistryEntry.objects.filter(register__code=register, year=year)
        .order_by("number")
        .values_list("number", flat=True)
    )


def test_parallel_submissions_are_consecutive_even_with_rollbacks(make_application):
    drafts = [make_application()[0] for _ in range(24)]
    moment = datetime(2031, 6, 1, 9, 0, tzinfo=UTC)
    rolled_back = {5, 11, 17, 23}

    def submit(i: int):
        if i in rolled_back:
            with transaction.atomic():
                services.submit_application(application=drafts[i], now=moment)
                raise Rollback
        application, _ = services.submit_application(application=drafts[i], now=moment)
        return application.registration.number

    results = run_in_threads(len(drafts), submit)

    errors = [r for i, r in enumerate(results) if isinstance(r, Exception) and i not in rolled_back]
    assert not errors, errors
    assert all(isinstance(results[i], Rollback) for i in rolled_back)
    committed = sorted(r for i, r in enumerate(results) if i not in rolled_back)
    assert committed == list(range(1, 21))  # no gap, no duplicate
    assert _numbers("intrari-urbanism", 2031) == list(range(1, 21))
    counter = RegisterCounter.objects.get(register__code="intrari-urbanism", year=2031)
    assert counter.last_number == 20
    for i in rolled_back:
        drafts[i].refresh_from_db()
        assert drafts[i].state == State.DRAFT and drafts[i].registration_id is None
    # registration times follow the numbers
    entries = RegistryEntry.objects.filter(register__code="intrari-urbanism", year=2031)
    times = [e.registered_at for e in entries.order_by("number")]
    assert times == sorted(times)

    # numbers are never reused: the rolled-back drafts get the next ones
    later = [
        services.submit_application(application=drafts[i], now=moment)[0].registration.number
        for i in sorted(rolled_back)
    ]
    assert later == [21, 22, 23, 24]
    assert Application.objects.filter(state=State.REGISTERED).count() == 24


def test_year_boundary_is_the_bucharest_new_year(make_application):
    before = datetime(2030, 12, 31, 23, 59, 30, tzinfo=BUCHAREST)
    after = datetime(2031, 1, 1, 0, 0, 10, tzinfo=BUCHAREST)
    # In UTC both are still 2030: the year must come from local time.
    assert after.astimezone(UTC).year == 2030
    assert register_year(before) == 2030 and register_year(after) == 2031
    drafts = [make_application(kind="petitie")[0] for _ in range(20)]

    def submit(i: int):
        moment = before if i % 2 == 0 else after
        application, _ = services.submit_application(application=drafts[i], now=moment)
        return application.registration.year, application.registration.number

    results = run_in_threads(len(drafts), submit)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(n for y, n in results if y == 2030) == list(range(1, 11))
    assert sorted(n for y, n in results if y == 2031) == list(range(1, 11))
    assert _numbers("registratura", 2030) == list(range(1, 11))
    assert _numbers("registratura", 2031) == list(range(1, 11))
    labels = {a.registration.label for a in Application.objects.exclude(registration=None)}
    assert "RG-10/2030" in labels and "RG-10/2031" in labels and "RG-11/2030" not in labels


def test_the_numbering_service_is_reusable_on_its_own():
    """A later general registry numbers documents with the same call."""
    moment = datetime(2032, 3, 3, 12, 0, tzinfo=UTC)
    with transaction.atomic():
        first = next_number(register="registratura", reference="doc:1", now=moment)
        second = next_number(register="registratura", reference="doc:2", now=moment)
    assert (first.number, second.number) == (1, 2)
    assert second.label == "RG-2/2032"

    def number(i: int):
        with transaction.atomic():
            entry = next_number(register="registratura", reference=f"doc:{i}", now=moment)
            if i % 5 == 0:
                raise Rollback
            return entry.number

    results = run_in_threads(20, number)
    kept = sorted(r for r in results if isinstance(r, int))
    assert kept == list(range(3, 19))
    assert _numbers("registratura", 2032) == list(range(1, 19))
