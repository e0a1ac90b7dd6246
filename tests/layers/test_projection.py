"""Stereo 70 sanity points (DOMAIN.md) through PostGIS, GEOS/GDAL and pyproj, within 1 m."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from pyproj import Transformer

SANITY = [
    # lon, lat, E, N
    ("București", 26.1025, 44.4268, 587_904, 325_824),
    ("Cluj-Napoca", 23.5899, 46.7712, 392_442, 586_697),
]


@pytest.mark.parametrize(("name", "lon", "lat", "east", "north"), SANITY)
@pytest.mark.django_db
def test_postgis_transform(name, lon, lat, east, north):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(g), ST_Y(g) FROM ST_Transform(ST_SetSRID(ST_MakePoint(%s, %s), 4326), "
            "3844) AS g",
            [lon, lat],
        )
        x, y = cursor.fetchone()
    assert abs(x - east) < 1 and abs(y - north) < 1, name


@pytest.mark.parametrize(("name", "lon", "lat", "east", "north"), SANITY)
def test_geos_transform(name, lon, lat, east, north):
    p = Point(lon, lat, srid=4326).transform(3844, clone=True)
    assert abs(p.x - east) < 1 and abs(p.y - north) < 1, name
    back = p.transform(4326, clone=True)
    assert back.x == pytest.approx(lon, abs=1e-7) and back.y == pytest.approx(lat, abs=1e-7)


@pytest.mark.parametrize(("name", "lon", "lat", "east", "north"), SANITY)
def test_pyproj_transform_with_explicit_axis_order(name, lon, lat, east, north):
    # EPSG:3844 declares (northing, easting); always_xy gives (easting, northing).
    x, y = Transformer.from_crs(4326, 3844, always_xy=True).transform(lon, lat)
    assert abs(x - east) < 1 and abs(y - north) < 1, name
    n, e = Transformer.from_crs(4326, 3844).transform(lat, lon)
    assert abs(e - east) < 1 and abs(n - north) < 1, name
