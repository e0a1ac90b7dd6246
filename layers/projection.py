"""The Stereo 70 definition with its datum shift, taken from PROJ's own database.

MapServer 8.0 with PROJ 9.1 picks a "ballpark" operation (no datum shift, ~120 m off) for
some internal rectangles in WMS 1.3.0 EPSG:4326 requests, so features vanish at parcel
zoom. A definition that carries the shift (+towgs84) makes every pipeline the same. The
parameters are read from the best EPSG transformation PROJ knows (never typed in: old
PROJ/QGIS builds shipped wrong ones), in the position-vector convention +towgs84 uses.
The same string serves proj4js in the web map.
"""

from __future__ import annotations

import re
import warnings
from functools import cache

from pyproj import CRS
from pyproj.transformer import TransformerGroup

_HELMERT = re.compile(r"proj=helmert ((?:\w+=\S+ ?)+)")


@cache
def towgs84(epsg: int) -> tuple[float, ...]:
    """The 7 Helmert parameters of the most accurate transformation epsg -> WGS 84."""
    group = TransformerGroup(epsg, 4326)
    best = min(
        (t for t in group.transformers if "helmert" in t.definition),
        key=lambda t: t.accuracy if t.accuracy > 0 else float("inf"),
    )
    params = dict(kv.split("=") for kv in _HELMERT.search(best.definition).group(1).split())
    values = [float(params.get(k, 0)) for k in ("x", "y", "z", "rx", "ry", "rz", "s")]
    if params.get("convention") == "coordinate_frame":
        values[3:6] = [-v for v in values[3:6]]
    return tuple(values)


@cache
def bound_proj4(epsg: int) -> str:
    """A PROJ.4 string of `epsg` that includes its datum shift to WGS 84."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the shift is added back below
        proj4 = CRS.from_epsg(epsg).to_proj4()
    base = proj4.replace(" +type=crs", "").replace(" +no_defs", "")
    shift = ",".join(f"{v:g}" for v in towgs84(epsg))
    return f"{base} +towgs84={shift} +no_defs"
