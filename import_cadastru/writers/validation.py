"""Checks of the parcels an import created or changed, run on the written state.

Overlaps are tested against every stored neighbour (including other imported parcels);
a pair is only intersected when the overlap of their bounding boxes already exceeds the
tolerance, which skips the usual case of neighbours that merely share a boundary.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import shapely

from import_cadastru.report import Report
from import_cadastru.staging import fetch_bytea

# Above this many imported parcels, candidate pairs come from the bounding boxes in
# numpy (a grid, or STRtrees: one pass over the area) instead of a GiST probe a parcel.
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
    -- the exact box, computed once a parcel; `touched` probes a hash of ids (or is
    -- true: every parcel was imported)
    SELECT p.id, p.geom::box3d AS b, {touched} AS touched
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

# The candidate pairs that overlap by more than the tolerance; the imported parcels'
# sources are looked up afterwards for those only (see _pair_sources).
_PAIRS = """
SELECT c.a, c.b, pa.cadastral_number, pb.cadastral_number, u.siruta,
       round(ST_Area(ST_Intersection(pa.geom, pb.geom))::numeric, 2) AS area
FROM unnest(%(a)s::bigint[], %(b)s::bigint[]) AS c(a, b)
JOIN layers_parcel pa ON pa.id = c.a
JOIN layers_parcel pb ON pb.id = c.b
JOIN layers_uat u ON u.id = pb.uat_id
WHERE ST_Intersects(pa.geom, pb.geom)
  AND ST_Area(ST_Intersection(pa.geom, pb.geom)) > %(tol)s
ORDER BY c.a, c.b
"""
# one scan of imp_touched probing a hash of the ids (a join with the pairs would hash
# the whole of imp_touched instead: a million rows after a county's import)
_PAIR_SOURCES = (
    "SELECT parcel_id, src FROM imp_touched WHERE parcel_id IN (SELECT unnest(%s::bigint[]))"
)


def _pair_sources(cursor, rows: list[tuple]) -> list[tuple]:
    """_PAIRS rows as the report takes them: (source, cadastral number, other's number,
    other's UAT, area)."""
    if not rows:
        return []
    cursor.execute(_PAIR_SOURCES, [sorted({row[0] for row in rows})])
    sources = dict(cursor.fetchall())
    return [(sources[a], a_cad, b_cad, siruta, area) for a, _b, a_cad, b_cad, siruta, area in rows]


STRIPE = 50_000  # boxes per STRtree: bounds memory whatever the size of the import
# The grid search gives up (for the STRtree) beyond this many box pairs sharing a cell per
# box, or this many boxes larger than a cell: long thin parcels, or a few huge ones.
GRID_PAIRS_PER_BOX = 24
GRID_BIG_MAX = 2_000
GRID_CHUNK = 500_000  # pairs of boxes tested at once (bounds memory)
GRID_STRIPE = 100_000  # boxes entered in the grid at once (bounds memory)


def _oriented(a, b, touched, xmin, ymin, xmax, ymax, tolerance):
    """Of unordered candidate pairs (a, b): those whose boxes overlap by more than the
    tolerance, as (imported, other), a pair of two imported parcels once (a < b)."""
    width = np.minimum(xmax[a], xmax[b]) - np.maximum(xmin[a], xmin[b])
    height = np.minimum(ymax[a], ymax[b]) - np.maximum(ymin[a], ymin[b])
    keep = (a != b) & (width > 0) & (height > 0) & (width * height > tolerance)
    a, b = a[keep], b[keep]
    ta, tb = touched[a], touched[b]
    swap = (tb & ~ta) | (ta & tb & (b < a))
    keep = ta | tb
    first, second = np.where(swap, b, a), np.where(swap, a, b)
    return first[keep], second[keep]


def _cell_pairs(key, box, xmin, ymin, xmax, ymax, touched, tolerance, grid, found_a, found_b):
    """The pairs of boxes sharing a cell (entries `key`, `box`) that _oriented keeps,
    each in the cell of its intersection's lower-left corner; appended to found_a and
    found_b. Returns how many pairs were compared."""
    x0, y0, cell, rows = grid
    order = np.argsort(key, kind="stable")
    key, box = key[order], box[order]
    del order
    # each entry is paired with the entries after it in its cell
    bounds = np.flatnonzero(np.diff(key)) + 1
    sizes = np.diff(np.concatenate(([0], bounds, [len(key)])))
    after = np.repeat(np.append(bounds, len(key)), sizes) - np.arange(len(key)) - 1
    cum = np.cumsum(after)
    # the entries' coordinates in entry order: pairs are near each other in it
    ex0, ey0, ex1, ey1 = xmin[box], ymin[box], xmax[box], ymax[box]
    start = 0
    while start < len(key):
        stop = int(np.searchsorted(cum, (cum[start - 1] if start else 0) + GRID_CHUNK, "right"))
        stop = max(stop, start + 1)
        counts = after[start:stop]
        total = int(counts.sum())
        if total:
            first = np.repeat(np.arange(start, stop), counts)
            second = first + 1 + (np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts))
            px, py = np.maximum(ex0[first], ex0[second]), np.maximum(ey0[first], ey0[second])
            width = np.minimum(ex1[first], ex1[second]) - px
            height = np.minimum(ey1[first], ey1[second]) - py
            hit = np.flatnonzero((width > 0) & (height > 0) & (width * height > tolerance))
            first, second, px, py = first[hit], second[hit], px[hit], py[hit]
            corner = ((px - x0) // cell).astype(np.int64) * rows + ((py - y0) // cell).astype(
                np.int64
            )
            own = corner == key[first]
            a, b = _oriented(
                box[first[own]], box[second[own]], touched, xmin, ymin, xmax, ymax, tolerance
            )
            found_a.append(a)
            found_b.append(b)
        start = stop
    return int(cum[-1]) if len(cum) else 0


def _grid_pairs(xmin, ymin, xmax, ymax, touched, tolerance):
    """Box pairs as _strtree_pairs finds them, with a uniform grid and sorting in numpy
    (no geometry object per box): each box is entered in the (at most four) cells it
    meets; two boxes are compared where they share a cell, and a pair is kept only in
    the cell holding the lower-left corner of their intersection (so once). Boxes larger
    than a cell are compared with every box near them. None when the boxes do not suit
    a grid (see GRID_PAIRS_PER_BOX, GRID_BIG_MAX)."""
    n = len(xmin)
    extent = np.maximum(xmax - xmin, ymax - ymin)
    limit = float(np.percentile(extent, 99.9)) if n else 0.0
    if not limit > 0:
        return None
    if extent.max() <= 3 * limit:
        limit = float(extent.max())  # no box need be compared one by one
    # a box no larger than `limit` meets at most two cells along each axis, whatever
    # the rounding of the divisions
    cell = limit * 1.01
    is_big = extent > limit
    big = np.flatnonzero(is_big)
    if len(big) > GRID_BIG_MAX:
        return None
    small = np.flatnonzero(~is_big)
    x0, y0 = float(xmin.min()), float(ymin.min())
    # the boxes by grid column, processed a stripe of columns at a time (memory)
    cx0 = ((xmin[small] - x0) // cell).astype(np.int64)
    order = np.argsort(cx0, kind="stable")
    small, cx0 = small[order], cx0[order]
    del order
    cx1 = ((xmax[small] - x0) // cell).astype(np.int64)
    cy0 = ((ymin[small] - y0) // cell).astype(np.int64)
    cy1 = ((ymax[small] - y0) // cell).astype(np.int64)
    grid = (x0, y0, cell, int(cy1.max()) + 2 if len(small) else 1)
    found_a, found_b = [], []
    pairs = 0
    lo = 0
    while lo < len(small):
        c0 = cx0[lo]
        c1 = cx0[min(lo + GRID_STRIPE, len(small)) - 1] + 1  # columns [c0, c1)
        hi = int(np.searchsorted(cx0, c1, "left"))
        # boxes of the column before reach into c0
        m = slice(int(np.searchsorted(cx0, c0 - 1, "left")), hi)
        bx, x_0, x_1, y_0, y_1 = small[m], cx0[m], cx1[m], cy0[m], cy1[m]
        wide, tall = x_1 > x_0, y_1 > y_0
        inside0, inside1 = x_0 >= c0, wide & (x_1 < c1)
        # (cell, box) entries: the cells of the stripe that each box meets
        cells = [
            (inside0, x_0, y_0),
            (inside1, x_1, y_0),
            (inside0 & tall, x_0, y_1),
            (inside1 & tall, x_1, y_1),
        ]
        key = np.concatenate([(cx * grid[3] + cy)[sel] for sel, cx, cy in cells])
        box = np.concatenate([bx[sel] for sel, _cx, _cy in cells])
        del cells, bx, x_0, x_1, y_0, y_1, wide, tall, inside0, inside1
        pairs += _cell_pairs(
            key, box, xmin, ymin, xmax, ymax, touched, tolerance, grid, found_a, found_b
        )
        if pairs > GRID_PAIRS_PER_BOX * n:
            return None
        lo = hi
    del cx0, cx1, cy0, cy1
    if len(big):
        # boxes larger than a cell against every box: small ones start at most a cell to
        # the left of a big one; a pair of big boxes is taken from the first of the two
        by_x = np.argsort(xmin, kind="stable")
        sorted_x = xmin[by_x]
        for g in big.tolist():
            lo = np.searchsorted(sorted_x, xmin[g] - cell, "left")
            hi = np.searchsorted(sorted_x, xmax[g], "right")
            near = by_x[lo:hi]
            near = near[~is_big[near]]
            others = np.concatenate((near, big[big > g]))
            a, b = _oriented(
                np.full(len(others), g, dtype=np.int64),
                others,
                touched,
                xmin,
                ymin,
                xmax,
                ymax,
                tolerance,
            )
            found_a.append(a)
            found_b.append(b)
    a = np.concatenate(found_a) if found_a else np.empty(0, dtype=np.int64)
    b = np.concatenate(found_b) if found_b else np.empty(0, dtype=np.int64)
    return a, b


def _strtree_pairs(xmin, ymin, xmax, ymax, touched, tolerance):
    """Box pairs from STRtrees over stripes of the area (sorted by x, so memory stays
    bounded): (imported, other) positions whose boxes overlap by more than the
    tolerance, a pair of two imported parcels once."""
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
    return a, b


def _box_pairs(boxes, tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """(ids of imported parcels, ids of others) whose boxes overlap by more than the
    tolerance: on a grid, or with STRtrees when the boxes do not suit one."""
    ids, touched, xmin, ymin, xmax, ymax = boxes
    found = _grid_pairs(xmin, ymin, xmax, ymax, touched, tolerance)
    if found is None:
        found = _strtree_pairs(xmin, ymin, xmax, ymax, touched, tolerance)
    a, b = found
    return ids[a], ids[b]


def _fetch_boxes(cursor) -> tuple | None:
    """The bounding boxes of the imported parcels and of the parcels near them, as
    arrays (ids, imported, xmin, ymin, xmax, ymax); None when there is none."""
    cursor.execute(
        "SELECT (SELECT count(*) FROM imp_touched), "
        "(SELECT GREATEST(reltuples, 0) FROM pg_class WHERE oid = 'layers_parcel'::regclass)"
    )
    touched_count, estimate = cursor.fetchone()
    most = touched_count * 2 >= estimate
    if most:
        cursor.execute("SELECT count(*) FROM layers_parcel")
        every = cursor.fetchone()[0] == touched_count
    else:
        every = False
    # when every parcel is an imported one, no probe of imp_touched per parcel
    query = _BOXES.format(
        where="true" if most else _NEAR,
        touched="true" if every else "p.id IN (SELECT parcel_id FROM imp_touched)",
    )
    packed = fetch_bytea(cursor, query)
    if not packed:
        return None
    rows = np.frombuffer(packed, dtype=_BOX_ROW)
    ids, touched = rows["id"].astype(np.int64), rows["touched"].copy()
    xmin, ymin, xmax, ymax = (rows[k].astype(np.float64) for k in ("xmin", "ymin", "xmax", "ymax"))
    return ids, touched, xmin, ymin, xmax, ymax


def check_parcels(
    cursor, report: Report, *, overlap_tolerance: float, area_tolerance: float
) -> None:
    """Overlaps, legal-vs-measured area differences and parcels outside their UAT.

    For a large import the boxes are fetched first and their pairs searched in a thread
    (numpy and the database both release the GIL) while the database checks the areas
    and the UAT boundaries."""
    cursor.execute("SELECT count(*) FROM imp_touched")
    pending = None
    with ThreadPoolExecutor(1) as pool:
        if cursor.fetchone()[0] >= BULK_OVERLAP_MIN:
            boxes = _fetch_boxes(cursor)
            if boxes is not None:
                pending = pool.submit(_box_pairs, boxes, overlap_tolerance)
            del boxes
            overlaps = []
        else:
            cursor.execute(_OVERLAPS, {"tol": overlap_tolerance})
            overlaps = cursor.fetchall()
        cursor.execute(_AREA, {"pct": area_tolerance, "floor": 1.0})
        areas = cursor.fetchall()
        cursor.execute(_OUTSIDE, {"tol": overlap_tolerance})
        outside_rows = cursor.fetchall()
        if pending is not None:
            a, b = pending.result()
            if len(a):
                cursor.execute(_PAIRS, {"a": a.tolist(), "b": b.tolist(), "tol": overlap_tolerance})
                overlaps = _pair_sources(cursor, cursor.fetchall())
    for src, a_cad, b_cad, b_siruta, area in overlaps:
        report.add(
            "overlap",
            src,
            a_cad,
            f"se suprapune cu {b_cad} (UAT {b_siruta}) pe {area} m²",
            other=b_cad,
            area=float(area),
        )
    for src, cad, legal, measured in areas:
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
    for src, cad, siruta, outside in outside_rows:
        report.add(
            "outside_uat",
            src,
            cad,
            f"{outside} m² în afara UAT-ului {siruta}",
            outside=float(outside),
        )
