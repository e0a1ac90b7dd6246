"""Checks of the parcels an import created or changed, run on the written state.

Overlaps are tested against every stored neighbour (including other imported parcels);
a pair is only intersected when the overlap of their bounding boxes already exceeds the
tolerance, which skips the usual case of neighbours that merely share a boundary.
"""

from __future__ import annotations

from import_cadastru.report import Report

_OVERLAPS = """
WITH t AS (
    SELECT t.parcel_id, t.src, p.cadastral_number, p.geom
    FROM imp_touched t JOIN layers_parcel p ON p.id = t.parcel_id
),
pairs AS (
    SELECT t.src, t.parcel_id AS a_id, t.cadastral_number AS a_cad,
           o.id AS b_id, o.cadastral_number AS b_cad, u.siruta AS b_siruta,
           ST_Area(ST_Intersection(t.geom, o.geom)) AS area
    FROM t
    JOIN layers_parcel o ON o.geom && t.geom AND o.id <> t.parcel_id
    JOIN layers_uat u ON u.id = o.uat_id
    WHERE (LEAST(ST_XMax(t.geom), ST_XMax(o.geom)) - GREATEST(ST_XMin(t.geom), ST_XMin(o.geom)))
        * (LEAST(ST_YMax(t.geom), ST_YMax(o.geom)) - GREATEST(ST_YMin(t.geom), ST_YMin(o.geom)))
        > %(tol)s
      AND ST_Intersects(t.geom, o.geom)
      -- a pair of two imported parcels is reported once
      AND (o.id > t.parcel_id OR NOT EXISTS (
            SELECT 1 FROM imp_touched x WHERE x.parcel_id = o.id))
)
SELECT src, a_cad, b_cad, b_siruta, round(area::numeric, 2)
FROM pairs WHERE area > %(tol)s
ORDER BY a_id, b_id
"""

_AREA = """
SELECT t.src, p.cadastral_number, p.legal_area, round(p.measured_area::numeric, 2)
FROM imp_touched t JOIN layers_parcel p ON p.id = t.parcel_id
WHERE p.legal_area IS NOT NULL
  AND abs(p.measured_area - p.legal_area::float8)
      > GREATEST(%(pct)s * p.legal_area::float8, %(floor)s)
ORDER BY t.seq
"""

_OUTSIDE = """
SELECT t.src, p.cadastral_number, u.siruta,
       round(ST_Area(ST_Difference(p.geom, u.geom))::numeric, 2) AS outside
FROM imp_touched t
JOIN layers_parcel p ON p.id = t.parcel_id
JOIN layers_uat u ON u.id = p.uat_id
WHERE NOT ST_CoveredBy(p.geom, u.geom)
  AND ST_Area(ST_Difference(p.geom, u.geom)) > %(tol)s
ORDER BY t.seq
"""


def check_parcels(
    cursor, report: Report, *, overlap_tolerance: float, area_tolerance: float
) -> None:
    """Overlaps, legal-vs-measured area differences and parcels outside their UAT."""
    cursor.execute(_OVERLAPS, {"tol": overlap_tolerance})
    for src, a_cad, b_cad, b_siruta, area in cursor.fetchall():
        report.add(
            "overlap",
            src,
            a_cad,
            f"se suprapune cu {b_cad} (UAT {b_siruta}) pe {area} m²",
            other=b_cad,
            area=float(area),
        )
    cursor.execute(_AREA, {"pct": area_tolerance, "floor": 1.0})
    for src, cad, legal, measured in cursor.fetchall():
        diff = float(measured) - float(legal)
        report.add(
            "area_difference",
            src,
            cad,
            f"suprafață din acte {legal} m², măsurată {measured} m² "
            f"({diff:+.2f} m², {100 * diff / float(legal):+.1f}%)",
            legal=float(legal),
            measured=float(measured),
        )
    cursor.execute(_OUTSIDE, {"tol": overlap_tolerance})
    for src, cad, siruta, outside in cursor.fetchall():
        report.add(
            "outside_uat",
            src,
            cad,
            f"{outside} m² în afara UAT-ului {siruta}",
            outside=float(outside),
        )
