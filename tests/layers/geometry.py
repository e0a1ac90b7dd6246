"""Deterministic test geometries in Stereo 70, placed away from the demo county."""

from __future__ import annotations

from django.contrib.gis.geos import GEOSGeometry, LineString, MultiLineString, MultiPolygon, Polygon

SRID = 3844
# A free area east of the demo county (the demo county starts at E 370 000, N 480 000
# and spans at most 72 km).
FREE_E = 600_000.0
FREE_N = 400_000.0


def rect(x: float, y: float, w: float, h: float) -> MultiPolygon:
    """A w × h rectangle whose south-west corner is (FREE_E + x, FREE_N + y)."""
    x0, y0 = FREE_E + x, FREE_N + y
    ring = ((x0, y0), (x0 + w, y0), (x0 + w, y0 + h), (x0, y0 + h), (x0, y0))
    return MultiPolygon(Polygon(ring), srid=SRID)


def line(*points: tuple[float, float]) -> MultiLineString:
    return MultiLineString(LineString([(FREE_E + x, FREE_N + y) for x, y in points]), srid=SRID)


def point(x: float, y: float) -> GEOSGeometry:
    return GEOSGeometry(f"SRID={SRID};POINT({FREE_E + x} {FREE_N + y})")
