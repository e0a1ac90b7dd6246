"""Fixtures for the permits tests: seed kinds (transactional tests flush the permits
tables), a private MEDIA_ROOT, demo parcels and a factory of applications."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from django.db import connection, connections

from layers.models import Parcel, RoadZone
from permits import seed
from permits.services import applications as services

APPLICANT = {
    "kind": "pf",
    "name": "Ion Popescu-Testescu",
    "id_code": "1800101223344",
    "address": "Str. Lalelelor nr. 7, Mureșeni",
    "email": "ion.testescu@example.org",
    "phone": "0744123456",
}
# Strings of the applicant's personal data that must never appear in public output.
PERSONAL = ["Testescu", "1800101223344", "ion.testescu@example.org", "0744123456", "Lalelelor"]


@pytest.fixture(autouse=True)
def seeded_kinds(django_db_setup, django_db_blocker):
    """Kinds and registers are data of a migration; transactional tests truncate them."""
    with django_db_blocker.unblock():
        seed.seed(django_apps)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


def _parcel_in_utr_near_road() -> Parcel:
    """An intravilan house plot reaching the safety zone of a county road."""
    band = RoadZone.objects.filter(band="siguranta", intravilan=True).order_by("pk").first()
    return (
        Parcel.objects.filter(geom__intersects=band.geom, intravilan=True)
        .select_related("uat")
        .order_by("pk")
        .first()
    )


@pytest.fixture
def road_parcel() -> Parcel:
    return _parcel_in_utr_near_road()


@pytest.fixture
def plain_parcel() -> Parcel:
    """Any intravilan parcel (first by id): deterministic."""
    return Parcel.objects.filter(intravilan=True).select_related("uat").order_by("pk").first()


@pytest.fixture
def make_application(plain_parcel) -> Callable:
    """A draft (CU by default) on a demo parcel; returns (application, access key)."""

    def make(kind: str = "cu", parcel: Parcel | None = None, **fields):
        parcel = parcel or plain_parcel
        fields.setdefault("purpose", "construire")
        fields.setdefault("description", "Locuință P+1E cu anexă")
        return services.create_application(
            kind=kind,
            applicant=dict(APPLICANT),
            parcels=[{"uat": parcel.uat.siruta, "cadastral_number": parcel.cadastral_number}],
            **fields,
        )

    return make


@pytest.fixture
def clerk(django_user_model):
    """An authenticated user who is not an officer (a citizen with an account)."""
    return django_user_model.objects.create_user("cetatean", password="parola-lunga-123")


@pytest.fixture
def roads_officer(django_user_model):
    user = django_user_model.objects.create_user("ofiter.drumuri", password="parola-lunga-123")
    user.groups.add(Group.objects.get_or_create(name="drumuri")[0])
    return user


def run_in_threads(count: int, target: Callable[[int], object]) -> list[object]:
    """Run `target(i)` in `count` threads started together; each thread has its own
    database connection, closed at the end. Returns results or exceptions by index."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        except BaseException as exc:  # returned to the test, which asserts on it
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    return results


def database_name() -> str:
    return connection.settings_dict["NAME"]
