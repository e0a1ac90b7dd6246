"""Vector test files, good and broken, written with pyogrio at test time.

Coordinates are Stereo 70 values in the empty north-west corner of the demo county's
first UAT (SIRUTA 900001, box E 370000–372800, N 480000–482800), so the imported
features never touch the demo parcels by accident.
"""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path

import numpy as np
import pyogrio.raw
import shapely
from pyproj import Transformer

PARCELS = [  # cadastral number, x0, y0, x1, y1, legal area, address
    ("61001", 370100.0, 482650.0, 370140.0, 482675.0, 1000, "Str. Ştefan cel Mare nr. 7"),
    ("61002", 370140.0, 482650.0, 370180.0, 482675.0, 1000, "Str. Ştefan cel Mare nr. 9"),
    ("61003", 370180.0, 482650.0, 370220.0, 482675.0, 1000, "Str. Ţarinii nr. 2"),
]

VRT = b"""<OGRVRTDataSource>
  <OGRVRTLayer name="passwd">
    <SrcDataSource>/etc/passwd</SrcDataSource>
    <GeometryType>wkbNone</GeometryType>
  </OGRVRTLayer>
</OGRVRTDataSource>
"""


def _wkb(geoms) -> np.ndarray:
    return np.array([shapely.to_wkb(g) for g in geoms], dtype=object)


def _obj(values) -> np.ndarray:
    return np.array(values, dtype=object)


def parcel_geoms(swap: bool = False):
    boxes = [shapely.box(x0, y0, x1, y1) for _, x0, y0, x1, y1, *_ in PARCELS]
    if swap:
        boxes = [shapely.transform(b, lambda c: c[:, ::-1]) for b in boxes]
    return boxes


def write_parcels(
    path: Path,
    *,
    driver: str = "GPKG",
    crs: str | None = "EPSG:3844",
    geoms=None,
    encoding: str | None = None,
    fields: dict | None = None,
) -> Path:
    geoms = parcel_geoms() if geoms is None else geoms
    if fields is None:
        fields = {
            "NR_CAD": _obj([p[0] for p in PARCELS]),
            "SIRUTA": np.array([900001] * len(PARCELS), dtype=np.int32),
            "ADRESA": _obj([p[6] for p in PARCELS]),
            "SUP_ACTE": np.array([float(p[5]) for p in PARCELS]),
            "INTRAVILAN": np.array([1, 1, 0], dtype=np.int32),
        }
    kwargs = {"encoding": encoding} if encoding else {}
    pyogrio.raw.write(
        str(path),
        _wkb(geoms),
        list(fields.values()),
        fields=list(fields),
        geometry_type="Polygon",
        crs=crs,
        driver=driver,
        **kwargs,
    )
    return path


def zip_shapefile(shp: Path, out: Path, *, drop: tuple[str, ...] = ()) -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for part in sorted(shp.parent.glob(shp.stem + ".*")):
            if part.suffix.lower() not in drop:
                zf.write(part, f"date/{part.name}")
    return out


def shapefile_zip(tmp: Path, *, encoding="cp1250", drop=(), crs="EPSG:3844", name="parcele"):
    folder = tmp / f"shp_{name}"
    folder.mkdir()
    shp = write_parcels(folder / f"{name}.shp", driver="ESRI Shapefile", encoding=encoding, crs=crs)
    return zip_shapefile(shp, tmp / f"{name}.zip", drop=drop)


def geojson_wgs84(path: Path, geoms, fields: dict, geometry_type: str = "Polygon") -> Path:
    """A GeoJSON file (RFC 7946: WGS 84, lon/lat) of Stereo 70 geometries."""
    to_wgs = Transformer.from_crs(3844, 4326, always_xy=True)
    moved = [
        shapely.transform(g, lambda c: np.column_stack(to_wgs.transform(c[:, 0], c[:, 1])))
        for g in geoms
    ]
    pyogrio.raw.write(
        str(path),
        _wkb(moved),
        list(fields.values()),
        fields=list(fields),
        geometry_type=geometry_type,
        crs="EPSG:4326",
        driver="GeoJSON",
    )
    return path


def geojson_text(path: Path, coords_polygon, crs_member: bool = False) -> Path:
    """A hand-made GeoJSON (no CRS member: WGS 84 by the standard)."""
    import json

    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"tip": "natura2000", "cod": "ROSCI0999", "denumire": "Test"},
                "geometry": {"type": "Polygon", "coordinates": [coords_polygon]},
            }
        ],
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def dxf_outlines(path: Path, rings: list[tuple[str, shapely.Polygon]]) -> Path:
    """A DXF of closed polylines, the layer name carrying the attribute."""
    lines = [shapely.LineString(poly.exterior.coords) for _, poly in rings]
    # DXF has no CRS: that is the point of the --srs test
    warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)
    pyogrio.raw.write(
        str(path),
        _wkb(lines),
        [_obj([name for name, _ in rings])],
        fields=["Layer"],
        geometry_type="LineString",
        driver="DXF",
    )
    return path
