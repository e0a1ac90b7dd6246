"""Checks of the parcels an import created or changed, run on the written state.

Overlaps are tested against every stored neighbour (including other imported parcels);
a pair is only intersected when the overlap of their bounding boxes already exceeds the
tolerance, which skips the usual case of neighbours that merely share a boundary.
"""

from __future__ import annotations

import numpy as np
import shapely

from import_cadastru.report import Report
from import_cadastru.staging import fetch_bytea

# Above this many imported parcels, candidate pairs come from an STRtree of bounding
# boxes in Python (one pass over the area) instead of one GiST probe per parcel.
BULK_OVERLAP_MIN = 20_000

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
    -- the box shrunk by 1 µm: neighbours whose boxes only touch are skipped by the index
    JOIN layers_parcel o ON o.geom && ST_Expand(box2d(t.geom), -0.000001)
                        AND o.id <> t.parcel_id
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
WHERE NOT ST_Covers(u.geom, p.geom)
  AND ST_Area(ST_Difference(p.geom, u.geom)) > %(tol)s
ORDER BY t.seq
"""


# the bounding boxes of the imported parcels and of every parcel near them, packed as
# one bytea of fixed-size big-endian records (a COPY would cost a message per row)
_BOXES = """
SELECT string_agg(int8send(id) || float8send(ST_XMin(b)) || float8send(ST_YMin(b))
                  || float8send(ST_XMax(b)) || float8send(ST_YMax(b)) || boolsend(touched),
                  ''::bytea)
FROM (
    -- the exact box, computed once a parcel; `touched` probes a hash of ids
    SELECT p.id, p.geom::box3d AS b, p.id IN (SELECT parcel_id FROM imp_touched) AS touched
    FROM layers_parcel p
    WHERE {where}
    OFFSET 0
) q
"""
# the parcels near the imported ones: inside the imported area's extent (all of them
# when the import is most of the table: a scan beats the index then)
_NEAR = """
p.geom && (SELECT ST_Extent(q.geom)::geometry FROM layers_parcel q
           WHERE q.id IN (SELECT parcel_id FROM imp_touched))
"""
_BOX_ROW = np.dtype(
    [
        ("id", ">i8"),
        ("xmin", ">f8"),
        ("ymin", ">f8"),
        ("xmax", ">f8"),
        ("ymax", ">f8"),
        ("touched", "?"),
    ]
)

_PAIRS = """
SELECT t.src, pa.cadastral_number, pb.cadastral_number, u.siruta,
       round(ST_Area(ST_Intersection(pa.geom, pb.geom))::numeric, 2) AS area
FROM unnest(%(a)s::bigint[], %(b)s::bigint[]) AS c(a, b)
JOIN layers_parcel pa ON pa.id = c.a
JOIN layers_parcel pb ON pb.id = c.b
JOIN layers_uat u ON u.id = pb.uat_id
JOIN imp_touched t ON t.parcel_id = c.a
WHERE ST_Intersects(pa.geom, pb.geom)
  AND ST_Area(ST_Intersection(pa.geom, pb.geom)) > %(tol)s
ORDER BY c.a, c.b
"""


STRIPE = 50_000  # boxes per STRtree: bounds memory whatever the size of the import


def _bulk_overlaps(cursor, tolerance: float) -> list[tuple]:
    """Pairs whose bounding boxes overlap by more than the tolerance, found with STRtrees
    over stripes of the imported area (sorted by x, so memory stays bounded), then
    checked exactly in PostGIS."""
    cursor.execute(
        "SELECT (SELECT count(*) FROM imp_touched) * 2 >= "
        "(SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = 'layers_parcel'::regclass)"
    )
    most = cursor.fetchone()[0]
    packed = fetch_bytea(cursor, _BOXES.format(where="true" if most else _NEAR))
    if not packed:
        return []
    rows = np.frombuffer(packed, dtype=_BOX_ROW)
    ids, touched = rows["id"].astype(np.int64), rows["touched"].copy()
    xmin, ymin, xmax, ymax = (rows[k].astype(np.float64) for k in ("xmin", "ymin", "xmax", "ymax"))
    del rows, packed
    order = np.argsort(xmin, kind="stable")
    sorted_x = xmin[order]
    reach = float((xmax - xmin).max())
    found_a, found_b = [], []
    for start in range(0, len(order), STRIPE):
        stripe = order[start : start + STRIPE]
        mine = stripe[touched[stripe]]
        if not len(mine):
            continue
        # any box meeting one of the stripe's boxes starts within `reach` of the stripe
        lo = np.searchsorted(sorted_x, sorted_x[start] - reach, "left")
        hi = np.searchsorted(
            sorted_x, sorted_x[min(start + STRIPE, len(order)) - 1] + reach, "right"
        )
        near = order[lo:hi]
        tree = shapely.STRtree(shapely.box(xmin[near], ymin[near], xmax[near], ymax[near]))
        left, right = tree.query(shapely.box(xmin[mine], ymin[mine], xmax[mine], ymax[mine]))
        a, b = mine[left], near[right]
        width = np.minimum(xmax[a], xmax[b]) - np.maximum(xmin[a], xmin[b])
        height = np.minimum(ymax[a], ymax[b]) - np.maximum(ymin[a], ymin[b])
        keep = (a != b) & (width > 0) & (height > 0) & (width * height > tolerance)
        keep &= ~(touched[b] & (b < a))  # a pair of imported parcels once
        found_a.append(a[keep])
        found_b.append(b[keep])
        del tree
    a = np.concatenate(found_a) if found_a else np.empty(0, dtype=np.int64)
    b = np.concatenate(found_b) if found_b else np.empty(0, dtype=np.int64)
    if not len(a):
        return []
    cursor.execute(_PAIRS, {"a": ids[a].tolist(), "b": ids[b].tolist(), "tol": tolerance})
    return cursor.fetchall()


def check_parcels(
    cursor, report: Report, *, overlap_tolerance: float, area_tolerance: float
) -> None:
    """Overlaps, legal-vs-measured area differences and parcels outside their UAT."""
    cursor.execute("SELECT count(*) FROM imp_touched")
    if cursor.fetchone()[0] >= BULK_OVERLAP_MIN:
        overlaps = _bulk_overlaps(cursor, overlap_tolerance)
    else:
        cursor.execute(_OVERLAPS, {"tol": overlap_tolerance})
        overlaps = cursor.fetchall()
    for src, a_cad, b_cad, b_siruta, area in overlaps:
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
