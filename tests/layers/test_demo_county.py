"""Invariants of the demo county generator, checked in PostGIS."""

from __future__ import annotations

import pytest
from django.db import connection

from layers import demo
from layers.models import UAT, Parcel, Restriction, Zone
from tests.conftest import DEMO_PARCELS

pytestmark = pytest.mark.django_db


def _one(sql: str, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def test_size_and_composition():
    assert Parcel.objects.count() == DEMO_PARCELS
    assert UAT.objects.count() >= 3
    assert _one("SELECT COUNT(*) FROM layers_intravilan") >= 3
    assert _one("SELECT COUNT(*) FROM layers_countyroad WHERE number LIKE 'DJ %%'") >= 3
    intra = Parcel.objects.filter(intravilan=True)
    with_buildings = intra.filter(buildings__isnull=False).distinct().count()
    assert with_buildings / intra.count() > 0.7
    assert Zone.objects.filter(plan__kind="PUG").count() >= 8
    kinds = set(Restriction.objects.values_list("kind", flat=True))
    assert {"zona_protectie_monument", "natura2000", "inundabil", "servitute_utilitati"} <= kinds


def test_parcels_are_valid_and_never_overlap():
    assert _one("SELECT COUNT(*) FROM layers_parcel WHERE NOT ST_IsValid(geom)") == 0
    overlaps = _one(
        "SELECT COUNT(*) FROM layers_parcel a JOIN layers_parcel b "
        "ON a.id < b.id AND a.geom && b.geom AND ST_Relate(a.geom, b.geom, '2********')"
    )
    assert overlaps == 0
    assert (
        _one(
            "SELECT COUNT(*) FROM layers_building b JOIN layers_parcel p ON p.id = b.parcel_id "
            "WHERE NOT ST_CoveredBy(b.geom, p.geom)"
        )
        == 0
    )


def test_every_parcel_lies_in_exactly_one_uat_and_its_own():
    assert (
        _one(
            "SELECT COUNT(*) FROM layers_parcel p WHERE (SELECT COUNT(*) FROM layers_uat u "
            "WHERE ST_Intersects(u.geom, p.geom) AND NOT ST_Touches(u.geom, p.geom)) <> 1"
        )
        == 0
    )
    assert (
        _one(
            "SELECT COUNT(*) FROM layers_parcel p JOIN layers_uat u ON u.id = p.uat_id "
            "WHERE NOT ST_CoveredBy(p.geom, u.geom)"
        )
        == 0
    )


def test_areas_are_typical_and_intravilan_flags_agree():
    lo, hi = _one(
        "SELECT ARRAY[MIN(measured_area), MAX(measured_area)] FROM layers_parcel WHERE intravilan"
    )
    assert lo >= 300 and hi <= 1500
    assert _one("SELECT MIN(measured_area) FROM layers_parcel WHERE NOT intravilan") > 1500
    mismatched = _one(
        "SELECT COUNT(*) FROM layers_parcel p WHERE p.intravilan <> EXISTS ("
        "SELECT 1 FROM layers_intravilan i WHERE ST_CoveredBy(p.geom, i.geom))"
    )
    assert mismatched == 0


def test_utrs_cover_the_intravilan_and_restrictions_cross_parcels():
    assert (
        _one(
            "SELECT ABS(ST_Area(ST_Union(z.geom)) - (SELECT SUM(ST_Area(geom)) FROM "
            "layers_intravilan)) FROM layers_zone z"
        )
        < 1.0
    )
    for kind in ("zona_protectie_monument", "natura2000", "inundabil", "servitute_utilitati"):
        crossed = _one(
            "SELECT COUNT(DISTINCT p.id) FROM layers_restriction r JOIN layers_parcel p "
            "ON ST_Intersects(r.geom, p.geom) AND NOT ST_Contains(r.geom, p.geom) "
            "WHERE r.kind = %s",
            [kind],
        )
        assert crossed > 0, kind


def test_coordinates_are_real_stereo70_inside_romania():
    xmin, ymin, xmax, ymax = _one(
        "SELECT ARRAY[ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)] FROM ("
        "SELECT ST_Transform(ST_SetSRID(ST_Extent(geom), 3844), 4326) AS e FROM layers_uat) s"
    )
    assert 20.2 < xmin < xmax < 29.8 and 43.6 < ymin < ymax < 48.3


def test_generator_is_deterministic():
    fingerprint = (
        "SELECT md5(string_agg(cadastral_number || ST_AsEWKB(geom)::text, ',' ORDER BY id)) "
        "FROM layers_parcel"
    )
    demo.clear_spatial_tables()
    demo.generate_county(parcels=1_200, seed=7)
    first = _one(fingerprint)
    assert Parcel.objects.count() == 1_200
    demo.clear_spatial_tables()
    demo.generate_county(parcels=1_200, seed=7)
    assert _one(fingerprint) == first
    demo.clear_spatial_tables()
    demo.generate_county(parcels=1_200, seed=8)
    assert _one(fingerprint) != first


def test_generator_refuses_to_write_over_existing_data():
    with pytest.raises(RuntimeError, match="not empty"):
        demo.generate_county(parcels=100)
