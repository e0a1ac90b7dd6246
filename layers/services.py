"""Writes to the spatial database that span several tables (set-based, in PostGIS)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, transaction

_REBUILD_ROAD_ZONES_SQL = """
WITH r AS (
    SELECT id, category, geom FROM layers_countyroad WHERE id = ANY(%(ids)s)
),
reach AS (SELECT COALESCE(MAX(protection_distance), 0) AS d FROM layers_roadzonerule),
intra AS (
    SELECT r.id AS road_id, ST_Union(i.geom) AS g
    FROM r JOIN layers_intravilan i ON ST_DWithin(i.geom, r.geom, (SELECT d FROM reach))
    GROUP BY r.id
),
bands AS (
    SELECT r.id AS road_id, ru.intravilan, b.band, b.outer_w::float8 AS outer_w,
           b.inner_w::float8 AS inner_w
    FROM r
    JOIN layers_roadzonerule ru ON ru.category = r.category
    CROSS JOIN LATERAL (VALUES
        ('ampriza', ru.ampriza_half_width, 0::numeric),
        ('siguranta', ru.ampriza_half_width + ru.safety_width, ru.ampriza_half_width),
        ('protectie', ru.protection_distance, ru.ampriza_half_width + ru.safety_width)
    ) AS b(band, outer_w, inner_w)
    WHERE b.outer_w > b.inner_w
),
shapes AS (
    SELECT bands.road_id, bands.intravilan, bands.band,
           CASE WHEN inner_w > 0
                THEN ST_Difference(ST_Buffer(r.geom, outer_w), ST_Buffer(r.geom, inner_w))
                ELSE ST_Buffer(r.geom, outer_w) END AS g
    FROM bands JOIN r ON r.id = bands.road_id
),
clipped AS (
    SELECT s.road_id, s.intravilan, s.band,
           CASE WHEN s.intravilan THEN ST_Intersection(s.g, i.g)
                WHEN i.g IS NULL THEN s.g
                ELSE ST_Difference(s.g, i.g) END AS g
    FROM shapes s LEFT JOIN intra i ON i.road_id = s.road_id
)
INSERT INTO layers_roadzone (road_id, band, intravilan, geom)
SELECT road_id, band, intravilan, ST_Multi(ST_CollectionExtract(ST_MakeValid(g), 3))
FROM clipped
WHERE g IS NOT NULL AND NOT ST_IsEmpty(g) AND ST_Area(g) > 0.01
"""


@transaction.atomic
def rebuild_road_zones(*, road_ids: Iterable[int] | None = None) -> int:
    """Derive the ampriză / siguranță / protecție bands of the given roads (all when None).

    Inside intravilan the intravilan rule applies, outside it the extravilan one; bands are
    clipped at the intravilan boundary so the two never overlap. Returns the bands written.
    """
    with connection.cursor() as cursor:
        if road_ids is None:
            cursor.execute("SELECT id FROM layers_countyroad")
            ids = [row[0] for row in cursor.fetchall()]
        else:
            ids = list(road_ids)
        cursor.execute("DELETE FROM layers_roadzone WHERE road_id = ANY(%(ids)s)", {"ids": ids})
        cursor.execute(_REBUILD_ROAD_ZONES_SQL, {"ids": ids})
        return cursor.rowcount


def roads_near(geom_hexewkb: str, distance: float) -> list[int]:
    """Ids of roads whose axis lies within `distance` metres of a geometry."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM layers_countyroad WHERE ST_DWithin(geom, %s::geometry, %s)",
            [geom_hexewkb, distance],
        )
        return [row[0] for row in cursor.fetchall()]
