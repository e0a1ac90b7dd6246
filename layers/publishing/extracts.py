"""Map extracts for dossiers at standard scales, rendered by MapServer with the same styles
as the web map and WMS: plan de încadrare în zonă and plan de situație.

The print mapfile is the registry's mapfile at 300 dpi (symbols and labels scale with
RESOLUTION/DEFRESOLUTION), plus the subject highlighted, a Stereo 70 coordinate grid and
an embedded scale bar. The extent is computed from the scale, so the image is exact: one
metre on the ground is `dpi / 0.0254 / scale` pixels. Title block, north arrow and frame
coordinates are laid out by the document template around the image.

Extracts come as RGB PNG or JPEG (`image_format`): the print has no use for an alpha
channel, and WeasyPrint embeds a JPEG as it is while it decodes and re-compresses every
PNG (and splits an alpha channel into a second image), which made the PDF step of a
dossier cost more than MapServer's drawing. Extracts are drawn in the calling process
through MapScript (`_draw`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

from layers.models import Layer
from layers.publishing.mapfile import (
    _raster_path,
    map_projection,
    proj_data_dir,
    q,
    render_mapfile,
)
from layers.publishing.services import ows_database, ows_dir

SITUATION_SCALES = (500, 1000, 2000)
FALLBACK_SCALES = (5000, 10_000, 25_000)
GRID_INTERVAL = {500: 50, 1000: 100, 2000: 200, 5000: 500, 10_000: 1000, 25_000: 2000}
TITLES = {
    "incadrare": "Plan de încadrare în zonă",
    "situatie": "Plan de situație",
    "acces": "Plan de situație – accesul la drum",
}
LAYERS = {
    "incadrare": [
        "ortofoto",
        "uat",
        "intravilan",
        "pug_utr",
        "restrictii",
        "zona_drumului",
        "parcele",
        "drumuri_judetene",
    ],
    "situatie": [
        "ortofoto",
        "pug_utr",
        "restrictii",
        "zona_drumului",
        "parcele",
        "cladiri",
        "drumuri_judetene",
    ],
    "acces": ["ortofoto", "zona_drumului", "parcele", "cladiri", "drumuri_judetene"],
}
MARGIN = 1.25  # the subject's extent plus 25 % must fit the frame
# Print output formats (no alpha): name in the print mapfile, MIME type, file signature.
PRINT_FORMATS = {
    "png": ("print_png", "image/png", b"\x89PNG"),
    "jpeg": ("print_jpeg", "image/jpeg", b"\xff\xd8\xff"),
}
_PRINT_OUTPUTFORMATS = [
    '  OUTPUTFORMAT NAME "print_png" DRIVER "AGG/PNG" MIMETYPE "image/png" IMAGEMODE RGB',
    '    EXTENSION "png" FORMATOPTION "COMPRESSION=1" END',
    '  OUTPUTFORMAT NAME "print_jpeg" DRIVER "AGG/JPEG" MIMETYPE "image/jpeg" IMAGEMODE RGB',
    '    EXTENSION "jpg" FORMATOPTION "QUALITY=90" END',
]


class ExtractError(RuntimeError):
    """MapServer could not render the extract."""


@dataclass(frozen=True)
class Extract:
    image: bytes
    mime_type: str
    extent: tuple[float, float, float, float]  # EPSG:3844
    scale: int
    dpi: int
    width_px: int
    height_px: int
    title: str
    kind: str

    @property
    def png(self) -> bytes:
        """The image of an extract asked for as PNG (the default)."""
        if self.mime_type != "image/png":
            raise ValueError(f"The extract is {self.mime_type}, not PNG.")
        return self.image

    def metres_to_pixels(self, metres: float) -> float:
        return metres * self.dpi / 0.0254 / self.scale

    def to_pixel(self, x: float, y: float) -> tuple[float, float]:
        xmin, ymin, xmax, ymax = self.extent
        return (
            (x - xmin) / (xmax - xmin) * self.width_px,
            (ymax - y) / (ymax - ymin) * self.height_px,
        )


def _in_intravilan(geom: GEOSGeometry) -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM layers_intravilan "
            "WHERE ST_Intersects(geom, %s::geometry))",
            [geom.hexewkb.decode()],
        )
        return cursor.fetchone()[0]


def choose_scale(
    subject: GEOSGeometry, kind: str, width_mm: float = 180, height_mm: float = 130
) -> int:
    """1:5 000 (1:10 000 outside localities) for încadrare; the largest of 1:500, 1:1 000,
    1:2 000 whose frame holds the subject for a plan de situație."""
    if kind == "incadrare":
        return 5000 if _in_intravilan(subject) else 10_000
    xmin, ymin, xmax, ymax = subject.extent
    for scale in SITUATION_SCALES + FALLBACK_SCALES:
        ground_w = width_mm / 1000 * scale
        ground_h = height_mm / 1000 * scale
        if (xmax - xmin) * MARGIN <= ground_w and (ymax - ymin) * MARGIN <= ground_h:
            return scale
    return FALLBACK_SCALES[-1]


@lru_cache(maxsize=32)
def _raster_pixel_size(path: str, mtime: float) -> float | None:
    """Ground size of a raster's pixel (metres), read once per file version."""
    from django.contrib.gis.gdal import GDALException, GDALRaster

    try:
        return abs(GDALRaster(path).scale.x)
    except GDALException:
        return None


def _raster_resampling(base: str, layers: list[Layer], scale: int, dpi: int) -> str:
    """Nearest-neighbour for rasters the print enlarges: AVERAGE (the WMS setting, right
    for reductions) then costs most of an extract's drawing time and draws the same
    pixels."""
    ground_pixel = scale * 0.0254 / dpi
    for layer in layers:
        if layer.source_kind != Layer.SourceKind.RASTER:
            continue
        path = _raster_path(layer)
        try:
            size = _raster_pixel_size(str(path), path.stat().st_mtime)
        except OSError:
            continue
        if size is not None and size >= ground_pixel:
            data = f"    DATA {q(path)}\n"
            base = base.replace(
                data + '    PROCESSING "RESAMPLE=AVERAGE"\n',
                data + '    PROCESSING "RESAMPLE=NEAREST"\n',
            )
    return base


def _print_mapfile(
    subject: GEOSGeometry, access: GEOSGeometry | None, layers: list[Layer], scale: int, dpi: int
) -> str:
    out_dir = ows_dir()
    base = render_mapfile(
        layers=layers,
        db=ows_database(),
        online_resource=settings.OWS_ONLINE_RESOURCE,
        name="tiparire",
        out_dir=out_dir,
        with_extents=False,  # the extent is the print's; scanning each view cost seconds
    )
    base = base.replace("  RESOLUTION 96\n", f"  RESOLUTION {dpi}\n", 1)
    # PROJ's search path for this map, set before the map's PROJECTION is parsed: the
    # extract is drawn in-process, without the OGC services' environment.
    proj_data = f'  CONFIG "PROJ_DATA" {q(str(proj_data_dir(out_dir)))}\n'
    base = base.replace("\n  PROJECTION ", "\n" + proj_data + "  PROJECTION ", 1)
    base = base.replace("  OUTPUTFORMAT", "\n".join(_PRINT_OUTPUTFORMATS) + "\n  OUTPUTFORMAT", 1)
    base = _raster_resampling(base, layers, scale, dpi)
    interval = GRID_INTERVAL.get(scale, 1000)
    proj = f"    {map_projection()}"  # the map's own: nothing to reproject
    extra = [
        '  SYMBOL NAME "cerc" TYPE ELLIPSE POINTS 1 1 END FILLED TRUE END',
        "  SCALEBAR",
        "    STATUS EMBED POSITION LR UNITS METERS INTERVALS 4 SIZE 600 14",
        "    STYLE 0 COLOR 0 0 0 BACKGROUNDCOLOR 255 255 255 OUTLINECOLOR 0 0 0",
        '    LABEL TYPE TRUETYPE FONT "sans" SIZE 8 COLOR 0 0 0 END',
        "  END",
        "  LAYER",
        '    NAME "grila"',
        "    TYPE LINE",
        "    STATUS DEFAULT",
        proj,
        "    CLASS",
        "      STYLE COLOR 90 90 90 WIDTH 0.4 END",
        '      LABEL TYPE TRUETYPE FONT "sans" SIZE 6 COLOR 40 40 40',
        "        OUTLINECOLOR 255 255 255 OUTLINEWIDTH 1 END",
        "    END",
        f'    GRID LABELFORMAT "%.0f" MININTERVAL {interval} MAXINTERVAL {interval} END',
        "  END",
        "  LAYER",
        '    NAME "subiect"',
        "    TYPE POLYGON",
        "    STATUS DEFAULT",
        proj,
        f"    FEATURE WKT {q(subject.wkt)} END",
        "    CLASS",
        "      STYLE COLOR 255 0 0 OPACITY 20 END",
        "      STYLE OUTLINECOLOR 255 0 0 WIDTH 2.5 END",
        "    END",
        "  END",
    ]
    if access is not None:
        extra += [
            "  LAYER",
            '    NAME "acces"',
            "    TYPE POINT",
            "    STATUS DEFAULT",
            proj,
            f"    FEATURE WKT {q(access.wkt)} END",
            "    CLASS",
            '      STYLE SYMBOL "cerc" SIZE 14 COLOR 0 90 255 OUTLINECOLOR 255 255 255 END',
            "    END",
            "  END",
        ]
    head, _, _ = base.rstrip().rpartition("END")
    return head + "\n".join(extra) + "\nEND\n"


@dataclass
class _Job:
    """One prepared extract (the database work is done; MapServer has not drawn it yet)."""

    kind: str
    scale: int
    dpi: int
    extent: tuple[float, float, float, float]
    width_px: int
    height_px: int
    image_format: str
    mapfile_text: str
    layer_names: list[str]


def _prepare(
    *,
    subject: GEOSGeometry,
    scale: int | None,
    kind: str,
    width_mm: float,
    height_mm: float,
    dpi: int,
    center: GEOSGeometry | None,
    image_format: str,
) -> _Job:
    if kind not in TITLES:
        raise ValueError(f"Unknown extract kind: {kind}")
    if image_format not in PRINT_FORMATS:
        raise ValueError(f"Unknown extract format: {image_format}")
    if subject.srid != settings.SRID:
        subject = subject.transform(settings.SRID, clone=True)
    if center is not None and center.srid != settings.SRID:
        center = center.transform(settings.SRID, clone=True)
    scale = scale or choose_scale(subject, kind, width_mm, height_mm)
    focus = center if center is not None else subject
    cx, cy = focus.centroid.x, focus.centroid.y
    half_w = width_mm / 1000 * scale / 2
    half_h = height_mm / 1000 * scale / 2
    wanted = LAYERS[kind]
    layers = sorted(
        Layer.objects.filter(enabled=True, name__in=wanted).prefetch_related("classes"),
        key=lambda layer: (layer.order, layer.name),
    )
    return _Job(
        kind=kind,
        scale=scale,
        dpi=dpi,
        extent=(cx - half_w, cy - half_h, cx + half_w, cy + half_h),
        width_px=round(width_mm / 25.4 * dpi),
        height_px=round(height_mm / 25.4 * dpi),
        image_format=image_format,
        mapfile_text=_print_mapfile(
            subject, center if kind == "acces" else None, layers, scale, dpi
        ),
        layer_names=[layer.name for layer in layers],
    )


def _mapscript():
    """MapServer's Python binding (Debian's python3-mapscript, linked into the venv by
    `./stack setup`), imported on first use so that processes which never print do not
    load libmapserver."""
    import mapscript

    return mapscript


def _draw(job: _Job) -> Extract | ExtractError:
    """Draw one extract inside this process with MapServer's own renderer (the same
    library, mapfile and styles as the OGC services). A `map2img` process per extract cost
    about 100 ms of CPU before drawing anything (dynamic linking of GDAL's dependencies,
    PROJ database set-up), more than the drawing itself. PostGIS connections stay in
    MapServer's pool (CLOSE_CONNECTION=DEFER) for the next extract of this process."""
    mapscript = _mapscript()
    try:
        map_obj = mapscript.msLoadMapFromString(job.mapfile_text, None)
        map_obj.setSize(job.width_px, job.height_px)  # before the extent: it sets the cell size
        map_obj.setExtent(*job.extent)
        map_obj.selectOutputFormat(PRINT_FORMATS[job.image_format][0])
        for index in range(map_obj.numlayers):
            layer = map_obj.getLayer(index)
            if layer.name in job.layer_names:
                layer.status = mapscript.MS_ON
        image = map_obj.draw().getBytes()
    except mapscript.MapServerError as exc:
        mapscript.msResetErrorList()
        return ExtractError(f"MapServer nu a putut genera extrasul: {exc}"[:1200])
    _, mime_type, signature = PRINT_FORMATS[job.image_format]
    if not image.startswith(signature):
        return ExtractError(f"MapServer did not produce {mime_type}")
    return Extract(
        image=image,
        mime_type=mime_type,
        extent=job.extent,
        scale=job.scale,
        dpi=job.dpi,
        width_px=job.width_px,
        height_px=job.height_px,
        title=TITLES[job.kind],
        kind=job.kind,
    )


def close_pooled_connections() -> None:
    """Close the PostGIS connections MapServer keeps between extracts (a database about
    to be dropped, as tests do, must have none)."""
    if "mapscript" in sys.modules:
        sys.modules["mapscript"].msConnPoolCloseUnreferenced()


def render_extracts(specs: list[dict]) -> list[Extract | ExtractError]:
    """Render several extracts; each spec holds `render_extract`'s keyword arguments. A
    failed extract comes back as its ExtractError, in its place."""
    defaults = {
        "scale": None,
        "kind": "situatie",
        "width_mm": 180,
        "height_mm": 130,
        "dpi": 300,
        "center": None,
        "image_format": "png",
    }
    return [_draw(_prepare(**(defaults | spec))) for spec in specs]


def render_extract(
    *,
    subject: GEOSGeometry,
    scale: int | None = None,
    kind: str = "situatie",
    width_mm: float = 180,
    height_mm: float = 130,
    dpi: int = 300,
    center: GEOSGeometry | None = None,
    image_format: str = "png",
) -> Extract:
    """Render an extract of `kind` centred on `center` (default: the subject) at `scale`."""
    job = _prepare(
        subject=subject,
        scale=scale,
        kind=kind,
        width_mm=width_mm,
        height_mm=height_mm,
        dpi=dpi,
        center=center,
        image_format=image_format,
    )
    result = _draw(job)
    if isinstance(result, ExtractError):
        raise result
    return result
