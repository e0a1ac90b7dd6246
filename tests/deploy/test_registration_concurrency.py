"""Fault: 40 registrations at once across the Bucharest new year, some rolled back after
taking their number: each year's numbers stay consecutive from 1, without gaps or
duplicates, and a rolled-back number is never handed out twice."""

from __future__ import annotations

import threading
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connections, transaction

from layers.models import Parcel
from permits import seed
from permits.models import Application
from permits.services import applications as services
from permits.workflow import State
from registratura.models import RegisterCounter, RegistryEntry

BUCHAREST = ZoneInfo("Europe/Bucharest")
BEFORE = datetime(2030, 12, 31, 23, 59, 50, tzinfo=BUCHAREST)  # 21:59:50 UTC
AFTER = datetime(2031, 1, 1, 0, 0, 5, tzinfo=BUCHAREST)  # 22:00:05 UTC, still 2030 in UTC
COUNT = 40
ROLLED_BACK = {3, 8, 13, 18, 23, 28, 33, 38}  # four in each year
REGISTER = "intrari-urbanism"
pytestmark = pytest.mark.django_db(transaction=True, available_apps=["registratura", "permits"])


class Rollback(Exception):
    """Raised after a submission to roll its transaction back."""


@pytest.fixture
def kinds():
    """Kinds and registers are migration data that transactional tests flush: seed them
    before, and again after for the tests that follow in this worker."""
    seed.seed(apps)
    yield
    seed.seed(apps)


def _run_together(count: int, target) -> list[object]:
    """`target(i)` in `count` threads released together, each on its own connection."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=60)
            results[i] = target(i)
        except BaseException as exc:  # returned to the test, which asserts on it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "a registration did not finish"
    return results


def _numbers(year: int) -> list[int]:
    return list(
        RegistryEntry.objects.filter(register__code=REGISTER, year=year)
        .order_by("number")
        .values_list("number", flat=True)
    )


def test_forty_concurrent_registrations_across_new_year_with_rollbacks(kinds):
    assert AFTER.astimezone(ZoneInfo("UTC")).year == 2030  # the year must be Bucharest's
    parcel = Parcel.objects.filter(intravilan=True).select_related("uat").order_by("pk").first()
    drafts = [
        services.create_application(
            kind="cu",
            applicant={"kind": "pf", "name": f"Solicitant {i}"},
            parcels=[{"uat": parcel.uat.siruta, "cadastral_number": parcel.cadastral_number}],
            purpose="construire",
            description="Locuință",
        )[0]
        for i in range(COUNT)
    ]

    def moment(i: int) -> datetime:
        return BEFORE if i % 2 == 0 else AFTER

    def submit(i: int):
        if i in ROLLED_BACK:
            with transaction.atomic():
                services.submit_application(application=drafts[i], now=moment(i))
                time.sleep(0.05)  # hold the counter while the others queue on it
                raise Rollback
        application, _ = services.submit_application(application=drafts[i], now=moment(i))
        return application.registration.year, application.registration.number

    results = _run_together(COUNT, submit)

    errors = {i: r for i, r in enumerate(results) if isinstance(r, Exception)}
    assert set(errors) == ROLLED_BACK, errors
    assert all(isinstance(errors[i], Rollback) for i in ROLLED_BACK)
    kept = [r for r in results if not isinstance(r, Exception)]
    for year in (2030, 2031):
        assert sorted(n for y, n in kept if y == year) == list(range(1, 17))
        assert _numbers(year) == list(range(1, 17))  # no gap, no duplicate
        counter = RegisterCounter.objects.get(register__code=REGISTER, year=year)
        assert counter.last_number == 16
        entries = RegistryEntry.objects.filter(register__code=REGISTER, year=year)
        times = [e.registered_at for e in entries.order_by("number")]
        assert times == sorted(times)  # registration times follow the numbers
    for i in ROLLED_BACK:
        drafts[i].refresh_from_db()
        assert drafts[i].state == State.DRAFT and drafts[i].registration_id is None

    # The rolled-back drafts, submitted again, continue each year's sequence.
    later = {}
    for i in sorted(ROLLED_BACK):
        entry = services.submit_application(application=drafts[i], now=moment(i))[0].registration
        later.setdefault(entry.year, []).append(entry.number)
    assert later == {2030: [17, 18, 19, 20], 2031: [17, 18, 19, 20]}
    assert _numbers(2030) == _numbers(2031) == list(range(1, 21))
    assert Application.objects.filter(state=State.REGISTERED).count() == COUNT
