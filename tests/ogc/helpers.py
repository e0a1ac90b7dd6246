"""Known features of the demo county and CRS handling for OGC requests."""

from __future__ import annotations

import io

from django.db import connection
from PIL import Image
from pyproj import Transformer

# WMS 1.3.0 axis order of each advertised CRS (EPSG:3844 is northing, easting).
AXIS_NE = {"EPSG:3844": True, "EPSG:4326": True, "EPSG:4258": True, "EPSG:3857": False}
ALL_CRS = ["EPSG:3844", "EPSG:3857", "EPSG:4326", "EPSG:4258"]
INTRAVILAN_FILL = (255, 242, 204)


def known_parcel() -> dict:
    """A corner house plot (streets to its south and west) and a point 3 m inside that
    corner: 12 m further south-west lies the street crossing, where nothing is drawn."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.cadastral_number, ST_XMin(p.geom) + 3, ST_YMin(p.geom) + 3 "
            "FROM layers_parcel p WHERE p.intravilan AND NOT EXISTS ("
            "  SELECT 1 FROM layers_parcel q WHERE q.id <> p.id AND ST_Intersects(q.geom,"
            "  ST_MakeEnvelope(ST_XMin(p.geom) - 11, ST_YMin(p.geom) - 11,"
            "                  ST_XMin(p.geom) - 0.5, ST_YMax(p.geom), 3844))"
            "  OR q.id <> p.id AND ST_Intersects(q.geom, ST_MakeEnvelope(ST_XMin(p.geom) - 11,"
            "  ST_YMin(p.geom) - 11, ST_XMax(p.geom), ST_YMin(p.geom) - 0.5, 3844)))"
            "ORDER BY p.id LIMIT 1 OFFSET 3"
        )
        pid, number, x, y = cursor.fetchone()
    return {"id": pid, "number": number, "x": x, "y": y}


def bbox_around(x: float, y: float, half: float, crs: str, version: str = "1.3.0") -> str:
    """BBOX parameter for a square of ±half metres around (x, y) in Stereo 70."""
    t = Transformer.from_crs(3844, int(crs.split(":")[1]), always_xy=True)
    xs, ys = t.transform(
        [x - half, x + half, x - half, x + half], [y - half, y - half, y + half, y + half]
    )
    minx, maxx, miny, maxy = min(xs), max(xs), min(ys), max(ys)
    if version == "1.3.0" and AXIS_NE[crs]:
        return f"{miny},{minx},{maxy},{maxx}"
    return f"{minx},{miny},{maxx},{maxy}"


def image(content: bytes) -> Image.Image:
    return Image.open(io.BytesIO(content)).convert("RGBA")
