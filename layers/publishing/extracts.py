"""Map extracts for dossiers at standard scales, rendered by MapServer with the same styles
as the web map and WMS: plan de încadrare în zonă and plan de situație.

The print mapfile is the registry's mapfile at 300 dpi (symbols and labels scale with
RESOLUTION/DEFRESOLUTION), plus the subject highlighted, a Stereo 70 coordinate grid and
an embedded scale bar. The extent is computed from the scale, so the image is exact: one
metre on the ground is `dpi / 0.0254 / scale` pixels. Title block, north arrow and frame
coordinates are laid out by the document template around the image.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection

from layers.models import Layer
from layers.publishing.mapfile import MapfileError, mapserver_config, q, render_mapfile
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


class ExtractError(RuntimeError):
    """MapServer could not render the extract."""


@dataclass(frozen=True)
class Extract:
    png: bytes
    extent: tuple[float, float, float, float]  # EPSG:3844
    scale: int
    dpi: int
    width_px: int
    height_px: int
    title: str
    kind: str

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
    )
    base = base.replace("  RESOLUTION 96\n", f"  RESOLUTION {dpi}\n", 1)
    interval = GRID_INTERVAL.get(scale, 1000)
    proj = f"    PROJECTION {q('init=epsg:' + str(settings.SRID))} END"
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


def render_extract(
    *,
    subject: GEOSGeometry,
    scale: int | None = None,
    kind: str = "situatie",
    width_mm: float = 180,
    height_mm: float = 130,
    dpi: int = 300,
    center: GEOSGeometry | None = None,
) -> Extract:
    """Render an extract of `kind` centred on `center` (default: the subject) at `scale`."""
    if kind not in TITLES:
        raise ValueError(f"Unknown extract kind: {kind}")
    if subject.srid != settings.SRID:
        subject = subject.transform(settings.SRID, clone=True)
    if center is not None and center.srid != settings.SRID:
        center = center.transform(settings.SRID, clone=True)
    scale = scale or choose_scale(subject, kind, width_mm, height_mm)
    focus = center if center is not None else subject
    cx, cy = focus.centroid.x, focus.centroid.y
    half_w = width_mm / 1000 * scale / 2
    half_h = height_mm / 1000 * scale / 2
    extent = (cx - half_w, cy - half_h, cx + half_w, cy + half_h)
    width_px = round(width_mm / 25.4 * dpi)
    height_px = round(height_mm / 25.4 * dpi)
    wanted = LAYERS[kind]
    layers = sorted(
        Layer.objects.filter(enabled=True, name__in=wanted).prefetch_related("classes"),
        key=lambda layer: (layer.order, layer.name),
    )
    text = _print_mapfile(subject, center if kind == "acces" else None, layers, scale, dpi)
    out_dir = ows_dir()
    config = mapserver_config(out_dir)
    with tempfile.TemporaryDirectory(prefix="extract-") as tmp:
        mapfile = Path(tmp) / "tiparire.map"
        mapfile.write_text(text)
        target = Path(tmp) / "extract.png"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "MAPSERVER_CONFIG_FILE": str(config),
            "PROJ_DATA": str(out_dir / "proj"),
        }
        command = [
            settings.MAP2IMG_BIN,
            "-m",
            str(mapfile),
            "-o",
            str(target),
            "-e",
            *(f"{v:.3f}" for v in extent),
            "-s",
            str(width_px),
            str(height_px),
            "-l",
            " ".join(layer.name for layer in layers),
        ]
        result = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
        if result.returncode != 0 or not target.exists():
            raise ExtractError(
                "MapServer nu a putut genera extrasul: "
                + result.stderr.decode(errors="replace")[-1000:]
            )
        png = target.read_bytes()
    if not png.startswith(b"\x89PNG"):
        raise MapfileError("map2img did not produce a PNG")
    return Extract(
        png=png,
        extent=extent,
        scale=scale,
        dpi=dpi,
        width_px=width_px,
        height_px=height_px,
        title=TITLES[kind],
        kind=kind,
    )
