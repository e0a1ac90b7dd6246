"""SQL for bringing staged geometries into the storage SRID and shape.

Reprojection happens in PostGIS (ST_Transform with the source EPSG code, so PROJ picks
the same transformation as everywhere else); invalid geometries are repaired with
ST_MakeValid and reported, never dropped silently.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from psycopg import sql


@dataclass(frozen=True)
class SourceCRS:
    """The CRS of staged coordinates: an EPSG code, or PROJ/WKT text when there is none."""

    epsg: int | None = None
    definition: str | None = None
    swap_axes: bool = False
    label: str = ""

    def expression(self, column: sql.Composable) -> sql.Composable:
        """`column` (a geometry without SRID) in the storage SRID."""
        srid = settings.SRID
        geom = column
        if self.swap_axes:
            geom = sql.SQL("ST_FlipCoordinates({})").format(geom)
        if self.epsg == srid:
            return sql.SQL("ST_SetSRID({}, {})").format(geom, sql.Literal(srid))
        if self.epsg is not None:
            return sql.SQL("ST_Transform(ST_SetSRID({}, {}), {})").format(
                geom, sql.Literal(self.epsg), sql.Literal(srid)
            )
        assert self.definition
        return sql.SQL("ST_Transform(ST_SetSRID({}, 0), {}, {})").format(
            geom, sql.Literal(self.definition), sql.Literal(srid)
        )


def storage_crs() -> SourceCRS:
    return SourceCRS(epsg=settings.SRID, label=f"EPSG:{settings.SRID}")


def polygonal(expr: sql.Composable) -> sql.Composable:
    """Areas of any geometry: polygons as they are, closed lines (DXF) as polygons."""
    return sql.SQL(
        "(SELECT CASE WHEN x IS NULL OR ST_IsEmpty(x) THEN NULL "
        "WHEN ST_Dimension(x) = 2 THEN ST_CollectionExtract(x, 3) "
        "WHEN ST_Dimension(x) = 1 THEN ST_BuildArea(ST_CollectionExtract(x, 2)) END "
        "FROM (SELECT {} AS x) AS q)"
    ).format(expr)


def linear(expr: sql.Composable) -> sql.Composable:
    """Lines of any geometry (polygon boundaries are not roads: they stay NULL)."""
    return sql.SQL(
        "(SELECT CASE WHEN x IS NULL OR ST_IsEmpty(x) THEN NULL "
        "WHEN ST_Dimension(x) = 1 THEN ST_CollectionExtract(x, 2) END "
        "FROM (SELECT {} AS x) AS q)"
    ).format(expr)


def repaired(kind: str) -> tuple[sql.Composable, sql.Composable]:
    """(geometry, reason) expressions over a column `g1` of a query with `ok` =
    ST_IsValid(g1): the multi-geometry, repaired when invalid, and why it was invalid."""
    dim = 3 if kind == "polygon" else 2
    geom = sql.SQL(
        "CASE WHEN ok THEN ST_Multi(g1) "
        "WHEN NOT ok THEN ST_Multi(ST_CollectionExtract(ST_MakeValid(g1), {dim})) END"
    ).format(dim=sql.Literal(dim))
    reason = sql.SQL("CASE WHEN NOT ok THEN ST_IsValidReason(g1) END")
    return geom, reason
