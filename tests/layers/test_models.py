"""Constraints and derived values of the spatial core, against the real PostGIS."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import MultiPolygon, Polygon
from django.core import checks
from django.db import IntegrityError, transaction
from django.test import override_settings

from layers.models import UAT, Building, Parcel
from tests.layers.geometry import FREE_E, FREE_N, SRID, rect

pytestmark = pytest.mark.django_db


@pytest.fixture
def uat() -> UAT:
    return UAT.objects.create(
        siruta=999_001, name="Testești", kind="comuna", county="Test", geom=rect(0, 0, 5000, 5000)
    )


def test_duplicate_cadastral_number_in_one_uat_is_refused(uat):
    Parcel.objects.create(uat=uat, cadastral_number="T-51234", geom=rect(0, 0, 20, 40))
    with pytest.raises(IntegrityError), transaction.atomic():
        Parcel.objects.create(uat=uat, cadastral_number="T-51234", geom=rect(100, 0, 20, 40))


def test_same_cadastral_number_in_another_uat_is_accepted(uat):
    other = UAT.objects.create(
        siruta=999_002, name="Alta", kind="comuna", county="Test", geom=rect(5000, 0, 10, 10)
    )
    Parcel.objects.create(uat=uat, cadastral_number="T-51234", geom=rect(0, 0, 20, 40))
    Parcel.objects.create(uat=other, cadastral_number="T-51234", geom=rect(5000, 0, 5, 5))
    assert Parcel.objects.filter(cadastral_number="T-51234").count() == 2


def test_invalid_geometry_is_refused(uat):
    x, y = FREE_E, FREE_N
    bowtie = MultiPolygon(
        Polygon(((x, y), (x + 10, y + 10), (x + 10, y), (x, y + 10), (x, y))), srid=SRID
    )
    assert not bowtie.valid
    with pytest.raises(IntegrityError), transaction.atomic():
        Parcel.objects.create(uat=uat, cadastral_number="1", geom=bowtie)


def test_measured_and_built_areas_come_from_the_geometry(uat):
    parcel = Parcel.objects.create(uat=uat, cadastral_number="2", geom=rect(0, 0, 20.5, 40))
    building = Building.objects.create(
        parcel=parcel, number=1, destination="CL", geom=rect(2, 4, 10, 12)
    )
    parcel.refresh_from_db()
    building.refresh_from_db()
    assert parcel.measured_area == pytest.approx(820.0, abs=1e-6)
    assert building.built_area == pytest.approx(120.0, abs=1e-6)
    assert building.label == "C1"
    parcel.geom = rect(0, 0, 10, 10)
    parcel.save()
    parcel.refresh_from_db()
    assert parcel.measured_area == pytest.approx(100.0)


def test_geometry_in_another_srid_is_stored_in_stereo70(uat):
    wgs84 = rect(0, 0, 30, 30).transform(4326, clone=True)
    parcel = Parcel.objects.create(uat=uat, cadastral_number="3", geom=wgs84)
    parcel.refresh_from_db()
    assert parcel.geom.srid == SRID
    assert parcel.measured_area == pytest.approx(900.0, rel=1e-4)


def test_storage_srid_check_refuses_a_geographic_crs():
    from layers.checks import storage_srid_is_metric

    assert storage_srid_is_metric(None) == []
    with override_settings(SRID=4326):
        errors = storage_srid_is_metric(None)
    assert [e.id for e in errors] == ["layers.E001"]
    assert all(isinstance(e, checks.Error) for e in errors)
