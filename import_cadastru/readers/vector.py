"""Vector files (Shapefile, GeoPackage, GeoJSON, DXF) read through GDAL via pyogrio.

GDAL picks a driver by content, whatever the extension, and some drivers read other
local files (an OGR VRT disguised as .dxf or .gpkg can make it read /etc/passwd). So a
file is opened only after its first bytes match the format its extension promises, and
only if GDAL then reports a driver of the allow-list. A Shapefile inside a zip is read
through /vsizip/ after the archive's checks, without extracting it.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
from pyogrio.errors import DataLayerError, DataSourceError

from import_cadastru.readers.errors import InputRefused
from import_cadastru.readers.safety import Limits, check_file, is_zip, zip_members

ALLOWED_DRIVERS = {"ESRI Shapefile", "GPKG", "GeoJSON", "DXF"}
DRIVER_BY_SUFFIX = {
    ".shp": "ESRI Shapefile",
    ".gpkg": "GPKG",
    ".geojson": "GeoJSON",
    ".json": "GeoJSON",
    ".dxf": "DXF",
}
SHAPEFILE_SIDECARS = (".shx", ".dbf", ".prj", ".cpg", ".qix", ".sbn", ".sbx")
HEAD_BYTES = 4096


@dataclass
class VectorSource:
    """An opened vector layer, ready to be read in batches."""

    name: str  # shown to the officer
    gdal_path: str
    driver: str
    layer: str
    crs: str | None
    fields: list[str]
    count: int
    geometry_type: str | None = None
    encoding: str | None = None
    notes: list[str] = field(default_factory=list)


def data_paths(paths: list[Path]) -> list[Path]:
    """The data files among the inputs: a Shapefile's .shx/.dbf/.prj/.cpg travel with it."""
    stems = {p.with_suffix("").as_posix().lower() for p in paths if p.suffix.lower() == ".shp"}
    out = []
    for path in paths:
        if path.suffix.lower() in SHAPEFILE_SIDECARS:
            if path.with_suffix("").as_posix().lower() not in stems:
                raise InputRefused(
                    f"fișier auxiliar fără shapefile-ul său ({path.with_suffix('.shp').name})",
                    source=path.name,
                )
            continue
        out.append(path)
    return out


def _sniff(head: bytes, driver: str, source: str) -> None:
    """Refuse content that is not the format its extension promises."""
    lowered = head.lower()
    if b"<ogrvrtdatasource" in lowered or b"<vrtdataset" in lowered:
        raise InputRefused(
            "fișierul este de fapt un VRT GDAL (poate citi alte fișiere de pe server): refuzat",
            source=source,
        )
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    ok = False
    if driver == "GPKG":
        ok = head.startswith(b"SQLite format 3\x00") and head[68:72] in (
            b"GPKG",
            b"GP10",
            b"GP11",
        )
    elif driver == "ESRI Shapefile":
        ok = head[:4] == b"\x00\x00\x27\x0a"
    elif driver == "GeoJSON":
        ok = stripped[:1] == b"{"
    elif driver == "DXF":
        lines = [ln.strip() for ln in stripped.splitlines()[:2]]
        ok = head.startswith(b"AutoCAD Binary DXF") or lines == [b"0", b"SECTION"]
    if not ok:
        raise InputRefused(
            f"conținutul nu corespunde formatului {driver} promis de extensie", source=source
        )


def _dbf_encoding(dbf: bytes, has_cpg: bool) -> tuple[str | None, str | None]:
    """(encoding to force, note) for a DBF: the .cpg or the language-driver byte decide
    when present; otherwise undecodable UTF-8 means the usual Romanian CP1250."""
    if has_cpg or len(dbf) < 32:
        return None, None
    if dbf[29] not in (0, 0x57):  # a language driver id GDAL maps itself
        return None, None
    body = dbf[32:]
    if not any(b >= 0x80 for b in body):
        return None, None
    try:
        body.decode("utf-8")
        return "UTF-8", None
    except UnicodeDecodeError:
        return "CP1250", "fișierul .cpg lipsește: atributele au fost citite ca CP1250"


def open_vector(
    path: Path, limits: Limits, *, layer: str | None = None, encoding: str | None = None
) -> VectorSource:
    """Check and open a vector file (or the one data set inside a zip)."""
    check_file(path, limits)
    name = path.name
    notes: list[str] = []
    if is_zip(path):
        members = {m.filename: m for m in zip_members(path, limits)}
        data = [m for m in members if Path(m).suffix.lower() in DRIVER_BY_SUFFIX]
        if len(data) != 1:
            raise InputRefused(
                "arhiva trebuie să conțină exact un set de date vectorial (.shp, .gpkg, "
                f".geojson sau .dxf); are {len(data)}",
                source=name,
            )
        member = data[0]
        driver = DRIVER_BY_SUFFIX[Path(member).suffix.lower()]
        with zipfile.ZipFile(path) as archive:
            with archive.open(members[member]) as stream:
                _sniff(stream.read(HEAD_BYTES), driver, f"{name}/{member}")
            stem = member[: -len(Path(member).suffix)]
            lower = {m.lower(): m for m in members}
            if driver == "ESRI Shapefile":
                for needed in (".shx", ".dbf"):
                    if (stem + needed).lower() not in lower:
                        raise InputRefused(
                            f"shapefile incomplet: lipsește {Path(stem).name}{needed}",
                            source=name,
                        )
                has_cpg = (stem + ".cpg").lower() in lower
                dbf_info = members[lower[(stem + ".dbf").lower()]]
                with archive.open(dbf_info) as stream:
                    dbf = stream.read(min(dbf_info.file_size, 4 * 1024 * 1024))
                if not encoding:
                    encoding, note = _dbf_encoding(dbf, has_cpg)
                    notes += [note] if note else []
        gdal_path = f"/vsizip/{path.resolve()}/{member}"
        shown = f"{name}/{member}"
    else:
        suffix = path.suffix.lower()
        driver = DRIVER_BY_SUFFIX.get(suffix)
        if driver is None:
            raise InputRefused(f"format nepermis „{suffix}”", source=name)
        with open(path, "rb") as handle:
            _sniff(handle.read(HEAD_BYTES), driver, name)
        if driver == "ESRI Shapefile":
            for needed in (".shx", ".dbf"):
                if not _sidecar(path, needed):
                    raise InputRefused(
                        f"shapefile incomplet: lipsește {path.stem}{needed}", source=name
                    )
            if not encoding:
                dbf_path = _sidecar(path, ".dbf")
                assert dbf_path is not None
                with open(dbf_path, "rb") as handle:
                    dbf = handle.read(4 * 1024 * 1024)
                encoding, note = _dbf_encoding(dbf, _sidecar(path, ".cpg") is not None)
                notes += [note] if note else []
        gdal_path = str(path.resolve())
        shown = name
    return _open(gdal_path, shown, driver, layer, encoding, notes)


def _sidecar(path: Path, suffix: str) -> Path | None:
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.is_file() and not candidate.is_symlink():
            return candidate
    return None


def _open(gdal_path, shown, driver, layer, encoding, notes) -> VectorSource:
    try:
        layers = [str(row[0]) for row in pyogrio.list_layers(gdal_path)]
    except (DataSourceError, DataLayerError) as exc:
        raise InputRefused(f"fișierul nu poate fi citit: {exc}", source=shown) from None
    if not layers:
        raise InputRefused("fișierul nu conține niciun strat", source=shown)
    if layer is None:
        if len(layers) > 1:
            raise InputRefused(
                f"fișierul are mai multe straturi ({', '.join(layers[:10])}); alegeți unul "
                "cu --layer",
                source=shown,
            )
        layer = layers[0]
    elif layer not in layers:
        raise InputRefused(
            f"stratul „{layer}” nu există (straturi: {', '.join(layers[:10])})", source=shown
        )
    try:
        info = pyogrio.read_info(gdal_path, layer=layer, encoding=encoding)
    except (DataSourceError, DataLayerError) as exc:
        raise InputRefused(f"stratul nu poate fi citit: {exc}", source=shown) from None
    if info.get("driver") not in ALLOWED_DRIVERS or info.get("driver") != driver:
        raise InputRefused(
            f"format refuzat: GDAL l-a deschis ca „{info.get('driver')}”, nu ca {driver}",
            source=shown,
        )
    count = int(info.get("features") or 0)
    if count < 0:  # DXF and other streamed formats count only by reading
        count = int(
            pyogrio.read_info(
                gdal_path, layer=layer, encoding=encoding, force_feature_count=True
            ).get("features")
            or 0
        )
    if count <= 0:
        raise InputRefused("stratul nu conține niciun obiect", source=shown)
    return VectorSource(
        name=shown,
        gdal_path=gdal_path,
        driver=driver,
        layer=layer,
        crs=info.get("crs"),
        fields=[str(f) for f in info.get("fields", [])],
        count=count,
        geometry_type=info.get("geometry_type"),
        encoding=encoding,
        notes=notes,
    )


def read_batches(
    source: VectorSource, columns: list[str], batch: int = 100_000
) -> Iterator[tuple[np.ndarray, dict[str, np.ndarray]]]:
    """(WKB geometries, {field: values}) in batches of at most `batch` features."""
    start = 0
    while start < source.count:
        meta, _fids, geometry, values = pyogrio.raw.read(
            source.gdal_path,
            layer=source.layer,
            encoding=source.encoding,
            columns=columns,
            force_2d=True,
            skip_features=start,
            max_features=batch,
        )
        if geometry is None or len(geometry) == 0:
            break
        fields = [str(f) for f in meta["fields"]]
        yield geometry, dict(zip(fields, values, strict=True))
        start += len(geometry)


def sample_coordinates(geometry: np.ndarray, limit: int = 5000) -> tuple[np.ndarray, np.ndarray]:
    """Some vertices of a batch of WKB geometries, for the CRS check."""
    import shapely

    present = [g for g in geometry[: max(limit // 5, 1)] if g is not None]
    if not present:
        return np.empty(0), np.empty(0)
    coords = shapely.get_coordinates(shapely.from_wkb(np.array(present, dtype=object)))
    step = max(len(coords) // limit, 1)
    coords = coords[::step]
    return coords[:, 0], coords[:, 1]
