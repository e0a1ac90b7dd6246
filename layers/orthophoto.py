"""Orthophoto rasters: import any GeoTIFF as a Cloud-Optimized GeoTIFF in Stereo 70, and
paint a synthetic one for the demo county (there is no real imagery offline)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import rasterio
import shapely
from django.conf import settings
from django.db import connection
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.features import rasterize
from rasterio.transform import from_origin
from rasterio.vrt import WarpedVRT

COG_PROFILE = {
    "driver": "COG",
    "compress": "JPEG",
    "quality": 85,
    "blocksize": 512,
    "overview_resampling": "average",
}


class OrthophotoError(ValueError):
    """An input raster that cannot become the orthophoto layer."""


def import_orthophoto(source: Path, target: Path) -> Path:
    """Copy `source` into `target` as an RGB COG with overviews, reprojected to Stereo 70."""
    try:
        src = rasterio.open(source)
    except rasterio.RasterioIOError as exc:
        raise OrthophotoError(f"Fișierul nu este un raster citibil: {source.name}") from exc
    with src:
        if src.crs is None:
            raise OrthophotoError("Rasterul nu are sistem de coordonate (CRS).")
        if src.count < 3:
            raise OrthophotoError("Ortofotoplanul trebuie să aibă 3 benzi (RGB).")
        storage = CRS.from_epsg(settings.SRID)
        dataset = (
            src
            if src.crs == storage
            else WarpedVRT(src, crs=storage, resampling=Resampling.bilinear)
        )
        with dataset:
            _write_cog(dataset.read([1, 2, 3]), dataset.transform, dataset.crs, target)
    return target


def _write_cog(rgb: np.ndarray, transform, crs, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tif")
    os.close(fd)
    try:
        with rasterio.open(
            tmp,
            "w",
            width=rgb.shape[2],
            height=rgb.shape[1],
            count=3,
            dtype="uint8",
            crs=crs,
            transform=transform,
            **COG_PROFILE,
        ) as dst:
            dst.write(rgb)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


_FIELDS_SQL = (
    "SELECT ST_AsBinary(geom) FROM layers_parcel WHERE NOT intravilan "
    "AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 3844)"
)
_PLOTS_SQL = (
    "SELECT ST_AsBinary(geom) FROM layers_parcel WHERE intravilan "
    "AND geom && ST_MakeEnvelope(%s, %s, %s, %s, 3844)"
)
_BUILDINGS_SQL = (
    "SELECT ST_AsBinary(geom) FROM layers_building "
    "WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 3844)"
)
_ROADS_SQL = (
    "SELECT ST_AsBinary(ST_Buffer(geom, 4)) FROM layers_countyroad "
    "WHERE geom && ST_MakeEnvelope(%s, %s, %s, %s, 3844)"
)


def _features(sql: str, bounds) -> list:
    with connection.cursor() as cursor:
        cursor.execute(sql, bounds)
        return [shapely.from_wkb(bytes(row[0])) for row in cursor.fetchall()]


def paint_demo_orthophoto(target: Path, *, resolution: float = 1.0, seed: int = 2024) -> Path:
    """A synthetic orthophoto of the first UAT: fields, gardens, roofs and roads."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom) "
            "FROM layers_uat ORDER BY siruta LIMIT 1"
        )
        row = cursor.fetchone()
    if row is None:
        raise OrthophotoError("Nu există niciun UAT pentru ortofotoplanul demonstrativ.")
    x0, y0, x1, y1 = row
    width, height = int((x1 - x0) / resolution), int((y1 - y0) / resolution)
    transform = from_origin(x0, y1, resolution, resolution)
    rng = np.random.default_rng(seed)
    palette = {
        "field": (150, 160, 90),
        "garden": (95, 140, 70),
        "yard": (170, 160, 140),
        "roof": (160, 70, 50),
        "road": (90, 90, 95),
    }
    shapes = []
    for geom in _features(_FIELDS_SQL, row):
        shapes.append((geom, 1 + int(rng.integers(0, 3))))
    for geom in _features(_PLOTS_SQL, row):
        shapes.append((geom, 4))
    for geom in _features(_BUILDINGS_SQL, row):
        shapes.append((geom, 5))
    for geom in _features(_ROADS_SQL, row):
        shapes.append((geom, 6))
    classes = rasterize(
        shapes, out_shape=(height, width), transform=transform, fill=0, dtype="uint8"
    )
    colours = np.array(
        [
            palette["yard"],
            palette["field"],
            (130, 150, 80),
            (175, 165, 100),
            palette["garden"],
            palette["roof"],
            palette["road"],
        ],
        dtype=np.int16,
    )
    rgb = colours[classes].transpose(2, 0, 1)
    noise = rng.integers(-12, 13, size=(1, height, width), dtype=np.int16)
    rgb = np.clip(rgb + noise, 0, 255).astype("uint8")
    _write_cog(rgb, transform, CRS.from_epsg(settings.SRID), target)
    return target


def demo_orthophoto_path() -> Path:
    return Path(settings.VAR_DIR) / "ortofoto" / "ortofoto.tif"
