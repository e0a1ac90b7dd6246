"""Linear referencing along county roads: km+m positions and points at a kilometre.

A road axis may be stored as several parts (a DJ interrupted by a national road); the
chainage runs through the parts in the order `ST_LineMerge` returns them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.gis.geos import GEOSGeometry, Point
from django.utils.translation import gettext as _

from layers.db import fetchone_prepared, read_connection
from layers.models import CountyRoad

# The parts of the axis of the CTE `road` (column geom), in order, with the length before
# each; shared by the position and point-at-km statements and the analysis overlay.
PARTS_CTES = """
parts AS (
    SELECT COALESCE((part).path[1], 1) AS i, (part).geom AS g
    FROM road, LATERAL ST_Dump(ST_LineMerge(road.geom)) AS part
),
cum AS (
    SELECT i, g, ST_Length(g) AS len,
           COALESCE(SUM(ST_Length(g)) OVER (
               ORDER BY i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before
    FROM parts
)
"""
_PARTS_CTE = (
    "WITH road AS (SELECT id, number, km_start, geom FROM layers_countyroad "  # noqa: S608
    "WHERE id = %(road)s),\n" + PARTS_CTES
)

# The position on that axis of the point of the CTE `position_of` (column pt): the CTE
# `dir` ends with the part nearest the point, the fraction along it and two points just
# before and after (for the side); POSITION_COLUMNS reads chainage (m from the start of the
# road), offset (m), side (cross product: > 0 left) and the nearest point (EWKB).
POSITION_CTES = """
best AS (
    SELECT g, len, before, ST_LineLocatePoint(g, p.pt) AS f, ST_Distance(g, p.pt) AS dist, p.pt
    FROM cum, position_of AS p
    ORDER BY dist, i LIMIT 1
),
dir AS (
    SELECT best.*,
        ST_LineInterpolatePoint(g, GREATEST(f - LEAST(1.0, 1.0 / len), 0)) AS a,
        ST_LineInterpolatePoint(g, LEAST(f + LEAST(1.0, 1.0 / len), 1)) AS b
    FROM best
)
"""
POSITION_COLUMNS = """before + f * len,
       dist,
       (ST_X(b) - ST_X(a)) * (ST_Y(pt) - ST_Y(a)) - (ST_Y(b) - ST_Y(a)) * (ST_X(pt) - ST_X(a)),
       ST_AsEWKB(ST_LineInterpolatePoint(g, f))"""

_POSITION_SQL = (
    _PARTS_CTE  # noqa: S608 - constant SQL, parameters are bound
    + ", position_of AS (SELECT %(pt)s::geometry AS pt),\n"
    + POSITION_CTES
    + "SELECT "
    + POSITION_COLUMNS
    + " FROM dir"
)

_POINT_AT_SQL = (
    _PARTS_CTE
    + """
SELECT ST_AsEWKB(ST_LineInterpolatePoint(g, LEAST(GREATEST((%(chainage)s - before) / len, 0), 1)))
FROM cum
WHERE %(chainage)s BETWEEN before AND before + len
ORDER BY i LIMIT 1
"""
)

_KM_PATTERN = re.compile(r"^\s*(?:km\s*)?(\d+)\s*(?:\+\s*(\d{1,3}))?\s*$", re.IGNORECASE)


def format_km(km: float) -> str:
    """1.2345 km -> 'km 1+235' (the road administrators' notation, metres rounded)."""
    metres = round(km * 1000)
    return f"km {metres // 1000}+{metres % 1000:03d}"


def parse_km(text: str) -> float:
    """'km 12+350', '12+350' or '12' -> 12.35; ValueError otherwise."""
    match = _KM_PATTERN.match(text)
    if not match:
        raise ValueError(
            _("Poziție kilometrică nerecunoscută: %(text)s (ex.: km 12+350)") % {"text": repr(text)}
        )
    return int(match.group(1)) + int(match.group(2) or 0) / 1000


@dataclass(frozen=True)
class RoadPosition:
    """Where a point lies relative to a road."""

    road_id: int
    road_number: str
    chainage_m: float
    km: float
    offset_m: float
    side: str  # "stânga" / "dreapta" in the direction of increasing kilometres
    nearest: Point

    @property
    def km_label(self) -> str:
        return format_km(self.km)


def road_position(road: CountyRoad, point: GEOSGeometry) -> RoadPosition:
    """The km+m position of the point of `road` nearest to `point`."""
    point = _in_storage_srid(point)
    row = fetchone_prepared(
        "gisapp_road_position", _POSITION_SQL, {"road": road.pk, "pt": point.hexewkb.decode()}
    )
    return position_from_row(road, row)


def position_from_row(road: CountyRoad, row) -> RoadPosition:
    """A RoadPosition from the POSITION_COLUMNS of a statement (chainage, offset, side,
    nearest point as EWKB)."""
    chainage, offset, cross, nearest = row
    return RoadPosition(
        road_id=road.pk,
        road_number=road.number,
        chainage_m=chainage,
        km=float(road.km_start) + chainage / 1000,
        offset_m=offset,
        side="stânga" if cross > 0 else "dreapta",
        nearest=GEOSGeometry(memoryview(bytes(nearest))),
    )


def point_at_km(road: CountyRoad, km: float) -> Point:
    """The point on the axis of `road` at kilometre `km`; ValueError outside the road."""
    chainage = (km - float(road.km_start)) * 1000
    with read_connection().cursor() as cursor:
        cursor.execute(_POINT_AT_SQL, {"road": road.pk, "chainage": chainage})
        row = cursor.fetchone()
    if row is None:
        raise ValueError(
            _("%(road)s nu are poziția %(km)s.") % {"road": road.number, "km": format_km(km)}
        )
    return GEOSGeometry(memoryview(bytes(row[0])))


def _in_storage_srid(geom: GEOSGeometry) -> GEOSGeometry:
    from django.conf import settings

    if geom.srid is None:
        raise ValueError("Geometry without SRID: declare its coordinate system.")
    if geom.srid != settings.SRID:
        geom = geom.transform(settings.SRID, clone=True)
    return geom
