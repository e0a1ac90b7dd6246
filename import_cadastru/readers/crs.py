"""Which CRS the coordinates of a file are in, and whether they can be in Romania.

The CRS comes from the file (or --srs when it has none). Before anything is staged, a
sample of the coordinates is projected to WGS 84: if they do not fall in Romania the
import is refused, naming the CRS (or the swapped axis order) that would fit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from import_cadastru.readers.errors import InputRefused

ROMANIA_LONLAT = (20.2, 43.6, 29.8, 48.3)  # west, south, east, north (with a margin)
CANDIDATES = (3844, 31700, 4326, 4258, 3857, 32634, 32635, 3035)
FIT = 0.9  # share of sampled points that must fall in the area


@dataclass(frozen=True)
class ResolvedCRS:
    crs: CRS
    epsg: int | None
    label: str

    @property
    def definition(self) -> str:
        return self.crs.to_wkt()


def parse_srs(value: str) -> CRS:
    """A CRS from `EPSG:N`, `N` or PROJ/WKT text (the --srs option)."""
    text = value.strip()
    if text.isdigit():
        text = f"EPSG:{text}"
    try:
        return CRS.from_user_input(text)
    except CRSError:
        raise InputRefused(f"sistem de coordonate necunoscut „{value[:60]}”") from None


def resolve(
    file_crs: str | None, srs_option: str | None, *, source: str
) -> tuple[ResolvedCRS, list[str]]:
    """The CRS to read with, and notes for the report (an --srs that overrides the file)."""
    notes = []
    if srs_option:
        crs = parse_srs(srs_option)
        if file_crs:
            try:
                declared = CRS.from_user_input(file_crs)
            except CRSError:
                declared = None
            if declared is None or not declared.equals(crs, ignore_axis_order=True):
                notes.append(
                    f"sistemul de coordonate din fișier ({_label(declared) if declared else '?'}) "
                    f"a fost înlocuit cu --srs {srs_option}"
                )
    elif file_crs:
        try:
            crs = CRS.from_user_input(file_crs)
        except CRSError:
            raise InputRefused(
                "sistemul de coordonate din fișier nu poate fi citit; indicați-l cu --srs",
                source=source,
            ) from None
    else:
        raise InputRefused(
            "fișierul nu declară sistemul de coordonate (lipsește .prj?); indicați-l cu "
            "--srs, de exemplu --srs EPSG:3844 pentru Stereo 70",
            source=source,
        )
    if not crs.is_projected and not crs.is_geographic:
        raise InputRefused(f"sistem de coordonate nepotrivit: {crs.name}", source=source)
    epsg = crs.to_epsg(min_confidence=70)
    if epsg is None:
        notes.append(f"sistemul „{crs.name}” nu are cod EPSG: transformarea poate fi aproximativă")
    return ResolvedCRS(crs, epsg, _label(crs, epsg)), notes


def _label(crs: CRS, epsg: int | None = None) -> str:
    epsg = epsg if epsg is not None else crs.to_epsg(min_confidence=70)
    return f"EPSG:{epsg} ({crs.name})" if epsg else crs.name


def _share_inside(xs, ys, crs: CRS, box: Sequence[float], target: int = 4326) -> float:
    if len(xs) == 0:
        return 0.0
    try:
        transformer = Transformer.from_crs(crs, target, always_xy=True)
        tx, ty = transformer.transform(xs, ys, errcheck=False)
    except Exception:
        return 0.0
    tx, ty = np.asarray(tx), np.asarray(ty)
    ok = np.isfinite(tx) & np.isfinite(ty)
    inside = ok & (tx >= box[0]) & (tx <= box[2]) & (ty >= box[1]) & (ty <= box[3])
    return float(inside.mean())


def diagnose(xs, ys) -> list[str]:
    """The candidate CRSs (and axis orders) that put the points in Romania."""
    fits = []
    for epsg in CANDIDATES:
        crs = CRS.from_epsg(epsg)
        if _share_inside(xs, ys, crs, ROMANIA_LONLAT) >= FIT:
            fits.append(_label(crs, epsg))
        elif _share_inside(ys, xs, crs, ROMANIA_LONLAT) >= FIT:
            fits.append(f"{_label(crs, epsg)} cu axele X/Y inversate")
    return fits


def check_coordinates(
    xs: np.ndarray,
    ys: np.ndarray,
    resolved: ResolvedCRS,
    *,
    county_box: Sequence[float] | None,
    storage_srid: int,
    swap_axes: bool,
    source: str,
) -> list[str]:
    """Refuse coordinates that cannot be in Romania (or that are in the county only with
    the axes swapped); return notes for the report."""
    if swap_axes:
        xs, ys = ys, xs
    notes: list[str] = []
    if _share_inside(xs, ys, resolved.crs, ROMANIA_LONLAT) < FIT:
        fits = diagnose(xs, ys)
        hint = (
            "Ar corespunde: " + "; ".join(fits) + "."
            if fits
            else "Niciun sistem uzual (3844, 31700, 4326, 3857, UTM 34N/35N) nu le plasează "
            "în România."
        )
        swapped_only = fits and all("inversate" in f for f in fits)
        raise InputRefused(
            f"coordonatele nu cad în România în sistemul declarat {resolved.label}. {hint} "
            + (
                "Corectați ordinea axelor (sau folosiți --swap-axes)."
                if swapped_only
                else "Indicați sistemul corect cu --srs."
            ),
            source=source,
        )
    if county_box is not None:
        here = _share_inside(xs, ys, resolved.crs, county_box, storage_srid)
        if here < 0.5:
            if _share_inside(ys, xs, resolved.crs, county_box, storage_srid) >= FIT:
                raise InputRefused(
                    f"coordonatele par să aibă axele X/Y inversate: în {resolved.label} cad "
                    "în județ numai cu axele schimbate între ele. Corectați fișierul sau "
                    "folosiți --swap-axes.",
                    source=source,
                )
            notes.append(
                f"{100 * (1 - here):.0f}% din coordonate cad în afara județului "
                "(UAT-urile încărcate)"
            )
    return notes
