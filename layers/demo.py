"""A deterministic, realistic demo county in Stereo 70, built without any download.

Layout: UATs are squares on a grid; each has a locality in the middle whose intravilan is
cut by streets into blocks of ten house plots (300–1,500 m²), and fields (≈1 ha strips)
everywhere else. County roads run through every row and column of UATs, straight along
the main street inside localities and bending outside, where they cut the fields. A PUG
with nine UTRs covers each intravilan; a monument, Natura 2000 sites, flood zones along
rivers and power-line easements cross parcels.

Geometry is generated with vectorised shapely and written with COPY, so the same code
makes 5,000 parcels in seconds and 1,000,000 in a few minutes.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import shapely
import shapely.affinity
from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.db import connection, transaction

from layers.models import (
    UAT,
    CountyRoad,
    Intravilan,
    Restriction,
    UrbanPlan,
    Zone,
)
from layers.services import rebuild_road_zones

Progress = Callable[[str, int, int], None]

# South-west corner of the demo county (Stereo 70, inside Romania, around Alba).
ORIGIN_E = 370_000.0
ORIGIN_N = 480_000.0
SIRUTA_BASE = 900_000  # outside the range of real SIRUTA codes: demo data is never real

# Intravilan blocks: a 12 m street then a 108 × 80 m block of 2 × 5 house plots.
STREET = 12.0
BLOCK_PITCH_X = 120.0
BLOCK_PITCH_Y = 92.0
PLOTS_PER_ROW = 5
# Fields outside the localities: 50 × 200 m strips, cut by the roads.
FIELD_W = 50.0
FIELD_H = 200.0
ROAD_CORRIDOR = 8.0  # half-width of the road land subtracted from fields
MIN_FIELD_AREA = 2_000.0
UAT_PARCELS_MAX = 10_000
INTRAVILAN_SHARE = 0.6

UAT_NAMES = [
    "Mureșeni",
    "Valea Albă",
    "Poiana",
    "Livezile",
    "Sântimbru",
    "Ciugud",
    "Galda",
    "Cricău",
    "Ighiu",
    "Teiuș",
    "Stremț",
    "Mihalț",
    "Berghin",
    "Daia",
    "Vințu",
    "Șpring",
    "Cut",
    "Doștat",
    "Ohaba",
    "Blandiana",
    "Almașu",
    "Meteș",
    "Zlatna",
    "Bucium",
    "Roșia",
]
NAME_SUFFIXES = ["", " de Sus", " de Jos", " Mare", " Mică", " Nouă"]
STREETS = [
    "Mihai Viteazul",
    "Unirii",
    "Avram Iancu",
    "Horea",
    "Cloșca",
    "Crișan",
    "Morii",
    "Bisericii",
    "Școlii",
    "Republicii",
    "Libertății",
    "Florilor",
    "Teiului",
    "Viilor",
    "Câmpului",
    "Izvorului",
    "Mureșului",
    "Gării",
    "Păcii",
    "Trandafirilor",
    "Lalelelor",
    "Salcâmilor",
    "Nucului",
    "Primăverii",
    "Tineretului",
    "Dealului",
    "Pădurii",
    "Livezii",
]
FIRST_NAMES = [
    "Ion",
    "Maria",
    "Gheorghe",
    "Elena",
    "Vasile",
    "Ana",
    "Nicolae",
    "Ioana",
    "Mihai",
    "Florica",
    "Constantin",
    "Victoria",
    "Dumitru",
    "Aurelia",
    "Petru",
    "Rodica",
]
LAST_NAMES = [
    "Popa",
    "Pop",
    "Muntean",
    "Moldovan",
    "Oprea",
    "Bucur",
    "Crișan",
    "Todea",
    "Rusu",
    "Lazăr",
    "Man",
    "Suciu",
    "Stan",
    "Dobra",
    "Hațegan",
    "Bârsan",
    "Roman",
    "Avram",
]
FIELD_USES = (["A"] * 6) + ["P", "F", "V", "L", "PD"]

# The PUG catalogue: the centre zone in the middle, the others around it.
UTR_CATALOGUE = [
    ("C", "Zonă centrală", "instituții, servicii și locuire", 60, 2.4, 16, 4, "P+3"),
    ("L1a", "Locuințe individuale mici", "locuire individuală", 35, 0.7, 9, 2, "P+1"),
    ("L1b", "Locuințe individuale", "locuire individuală", 40, 1.0, 12, 3, "P+2"),
    ("L2", "Locuințe colective", "locuire colectivă", 40, 1.8, 18, 5, "P+4"),
    ("M1", "Zonă mixtă locuire și servicii", "locuire și servicii", 50, 1.5, 13, 4, "P+2+M"),
    ("ID", "Unități industriale și depozitare", "producție și depozitare", 60, 1.2, 15, 3, "P+2"),
    ("IS", "Instituții și servicii publice", "instituții publice", 50, 1.5, 14, 4, "P+3"),
    ("V", "Spații verzi", "spații verzi publice", 5, 0.05, 5, 1, "P"),
    ("TE", "Echipare tehnico-edilitară", "echipare edilitară", 40, 0.8, 8, 2, "P+1"),
]
USES = {
    "C": ("instituții, comerț, servicii, locuințe", "alimentație publică", "industrie, depozite"),
    "L1a": ("locuințe individuale, anexe", "servicii de proximitate ≤ 100 m²", "industrie"),
    "L1b": ("locuințe individuale și înșiruite", "comerț de proximitate", "industrie, depozite"),
    "L2": ("locuințe colective", "servicii la parter", "industrie, ferme"),
    "M1": ("locuințe, servicii, comerț", "ateliere nepoluante", "industrie poluantă"),
    "ID": ("producție, depozitare, logistică", "servicii auxiliare", "locuințe"),
    "IS": ("instituții publice, învățământ, sănătate", "comerț", "industrie, locuințe"),
    "V": ("spații verzi, locuri de joacă", "chioșcuri ≤ 12 m²", "orice construcție permanentă"),
    "TE": ("rețele și construcții edilitare", "—", "locuințe"),
}


@dataclass
class CountyLayout:
    """Sizes derived from the number of parcels asked for."""

    parcels: int
    n_uats: int
    cols: int
    rows: int
    blocks_x: int
    blocks_y: int
    side: float  # UAT square side (m)

    @classmethod
    def for_parcels(cls, parcels: int) -> CountyLayout:
        n_uats = max(3, min(100, math.ceil(parcels / UAT_PARCELS_MAX)))
        cols = 3 if n_uats == 3 else math.ceil(math.sqrt(n_uats))
        rows = math.ceil(n_uats / cols)
        per_uat = math.ceil(parcels / n_uats)
        blocks = math.ceil(per_uat * INTRAVILAN_SHARE / (2 * PLOTS_PER_ROW))
        blocks_y = max(2, 2 * round(math.sqrt(blocks) / 2))
        blocks_x = max(2, 2 * math.ceil(blocks / blocks_y / 2))
        intra_area = blocks_x * BLOCK_PITCH_X * blocks_y * BLOCK_PITCH_Y
        fields = per_uat - blocks_x * blocks_y * 2 * PLOTS_PER_ROW
        area = intra_area + max(fields, 0) * FIELD_W * FIELD_H / 0.85 + 4 * FIELD_H**2
        side = math.ceil(math.sqrt(area) / FIELD_H) * FIELD_H
        return cls(parcels, n_uats, cols, rows, blocks_x, blocks_y, side)


@dataclass
class GeneratedUAT:
    index: int
    siruta: int
    name: str
    kind: str
    box: tuple[float, float, float, float]
    centre: tuple[float, float]
    intravilan: shapely.Polygon
    street_xs: np.ndarray = field(default_factory=lambda: np.empty(0))
    street_ys: np.ndarray = field(default_factory=lambda: np.empty(0))


@dataclass
class Summary:
    uats: int = 0
    parcels: int = 0
    buildings: int = 0
    roads: int = 0
    zones: int = 0
    restrictions: int = 0
    road_zones: int = 0


def _noop(stage: str, done: int, total: int) -> None:
    pass


def county_exists() -> bool:
    return UAT.objects.exists()


@transaction.atomic
def generate_county(
    *, parcels: int = 5_000, seed: int = 2024, progress: Progress = _noop
) -> Summary:
    """Build the demo county into empty spatial tables and return what was written."""
    if county_exists():
        raise RuntimeError("The spatial tables are not empty; clear them first (--replace).")
    rng = np.random.default_rng(seed)
    layout = CountyLayout.for_parcels(parcels)
    summary = Summary()
    uats = _make_uats(layout)
    progress("uat", 0, len(uats))
    uat_ids = _write_uats(uats)
    summary.uats = len(uats)
    roads = _make_roads(layout, uats, rng)
    summary.roads = _write_roads(roads)
    corridor = shapely.union_all([shapely.buffer(g, ROAD_CORRIDOR) for _, _, _, g in roads])

    plots, fields_ = [], []
    for n, uat in enumerate(uats):
        plots.append(_house_plots(layout, uat, rng))
        fields_.append(_fields(layout, uat, corridor, rng))
        progress("parcele", n + 1, len(uats))
    _trim_fields(fields_, uats, parcels - sum(len(p[0]) for p in plots))
    summary.parcels, summary.buildings = _write_parcels(uats, uat_ids, plots, fields_, rng)
    summary.zones = _write_plans(layout, uats, uat_ids)
    summary.restrictions = _write_restrictions(layout, uats, rng)
    progress("zona drumului", 0, 1)
    summary.road_zones = rebuild_road_zones()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE layers_parcel; ANALYZE layers_building; ANALYZE layers_landuse")
    return summary


@transaction.atomic
def clear_spatial_tables() -> None:
    """Remove every spatial record (the demo county) and what references it."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks block TRUNCATE
        cursor.execute(
            "TRUNCATE layers_uat, layers_intravilan, layers_parcel, layers_landuse, "
            "layers_building, layers_propertyright, layers_countyroad, layers_roadzone, "
            "layers_urbanplan, layers_zone, layers_restriction RESTART IDENTITY CASCADE"
        )


# --- UATs and roads -----------------------------------------------------------------


def _uat_name(i: int) -> str:
    return UAT_NAMES[i % len(UAT_NAMES)] + NAME_SUFFIXES[(i // len(UAT_NAMES)) % 6]


def _make_uats(layout: CountyLayout) -> list[GeneratedUAT]:
    uats = []
    s = layout.side
    for i in range(layout.n_uats):
        r, c = divmod(i, layout.cols)
        x0, y0 = ORIGIN_E + c * s, ORIGIN_N + r * s
        cx, cy = x0 + s / 2, y0 + s / 2
        hw = layout.blocks_x / 2 * BLOCK_PITCH_X
        hh = layout.blocks_y / 2 * BLOCK_PITCH_Y
        kind = "municipiu" if i == 0 else ("oras" if i in (1, 7) else "comuna")
        uat = GeneratedUAT(
            index=i,
            siruta=SIRUTA_BASE + 9 * i + 1,
            name=_uat_name(i),
            kind=kind,
            box=(x0, y0, x0 + s, y0 + s),
            centre=(cx, cy),
            intravilan=shapely.box(cx - hw, cy - hh, cx + hw, cy + hh),
        )
        uat.street_xs = cx - hw + BLOCK_PITCH_X * np.arange(layout.blocks_x + 1)
        uat.street_ys = cy - hh + BLOCK_PITCH_Y * np.arange(layout.blocks_y + 1)
        uats.append(uat)
    return uats


def _write_uats(uats: list[GeneratedUAT]) -> dict[int, int]:
    srid = settings.SRID
    county = settings.DEMO_COUNTY_NAME
    ids = {}
    for uat in uats:
        obj = UAT.objects.create(
            siruta=uat.siruta,
            name=uat.name,
            kind=uat.kind,
            county=county,
            geom=_geos(shapely.box(*uat.box), srid),
        )
        Intravilan(
            uat=obj,
            locality=uat.name,
            locality_siruta=uat.siruta + 1,
            geom=_geos(uat.intravilan, srid),
        ).save_base(raw=True)  # road zones are derived once at the end
        ids[uat.index] = obj.pk
    return ids


def _bent_axis(
    start: float, end: float, fixed: float, straight: list[tuple[float, float]], rng, vertical: bool
) -> shapely.LineString:
    """A road axis from start to end at `fixed`, bending except over the `straight` spans."""
    along = np.arange(start, end + 1e-6, 400.0)
    if along[-1] < end:
        along = np.append(along, end)
    offsets = rng.uniform(-40, 40, len(along)).round(2)
    for lo, hi in straight:
        offsets[(along >= lo - 100) & (along <= hi + 100)] = 0
    # vertices exactly at the ends of the straight spans keep the road on the main street
    extra = [v for lo, hi in straight for v in (lo - 100, hi + 100) if start < v < end]
    along = np.concatenate([along, extra])
    offsets = np.concatenate([offsets, np.zeros(len(extra))])
    order = np.argsort(along)
    along, offsets = along[order], offsets[order]
    across = fixed + offsets
    coords = np.column_stack([across, along] if vertical else [along, across])
    return shapely.LineString(coords)


def _make_roads(layout: CountyLayout, uats: list[GeneratedUAT], rng) -> list[tuple]:
    s = layout.side
    roads = []
    width = layout.cols * s
    for r in range(layout.rows):
        row = [u for u in uats if u.index // layout.cols == r]
        y = row[0].centre[1]
        spans = [(u.intravilan.bounds[0], u.intravilan.bounds[2]) for u in row]
        end = ORIGIN_E + len(row) * s
        axis = _bent_axis(ORIGIN_E, min(end, ORIGIN_E + width), y, spans, rng, vertical=False)
        number = f"DJ {107 + 3 * r}" + ("A" if r % 4 == 3 else "")
        roads.append((number, f"{row[0].name} – {row[-1].name}", 0.0, axis))
    for c in range(layout.cols):
        col = [u for u in uats if u.index % layout.cols == c]
        x = col[0].centre[0]
        spans = [(u.intravilan.bounds[1], u.intravilan.bounds[3]) for u in col]
        axis = _bent_axis(ORIGIN_N, ORIGIN_N + len(col) * s, x, spans, rng, vertical=True)
        number = f"DJ {704 + 2 * c}" + ("B" if c % 3 == 2 else "")
        roads.append((number, f"{col[0].name} – {col[-1].name}", 12.4 + c, axis))
    return roads


def _write_roads(roads: list[tuple]) -> int:
    srid = settings.SRID
    objs = [
        CountyRoad(
            number=number,
            name=name,
            administrator=f"Consiliul Județean {settings.DEMO_COUNTY_NAME}",
            category="judetean",
            km_start=km_start,
            geom=_geos(shapely.MultiLineString([axis]), srid),
        )
        for number, name, km_start, axis in roads
    ]
    CountyRoad.objects.bulk_create(objs)  # zones derived once at the end
    return len(objs)


# --- parcels ------------------------------------------------------------------------


def _house_plots(layout: CountyLayout, uat: GeneratedUAT, rng) -> tuple:
    """House plots: arrays of (polygons, bounds, row-in-block, block column, block row)."""
    bx = uat.street_xs[:-1] + STREET / 2
    by = uat.street_ys[:-1] + STREET / 2
    bw, bh = BLOCK_PITCH_X - STREET, BLOCK_PITCH_Y - STREET
    gx, gy = np.meshgrid(np.arange(len(bx)), np.arange(len(by)), indexing="xy")
    gx, gy = gx.ravel(), gy.ravel()
    n = len(gx)
    base = bw * np.arange(1, PLOTS_PER_ROW) / PLOTS_PER_ROW
    cuts = base + rng.uniform(-4, 4, (n, 2, PLOTS_PER_ROW - 1))
    cuts = np.round(cuts, 2)
    edges = np.concatenate(
        [np.zeros((n, 2, 1)), cuts, np.full((n, 2, 1), bw)], axis=2
    )  # (n, 2 rows, 6 edges)
    x0 = bx[gx][:, None, None] + edges[:, :, :-1]
    x1 = bx[gx][:, None, None] + edges[:, :, 1:]
    half = bh / 2
    y0 = by[gy][:, None, None] + np.array([0.0, half])[None, :, None] + 0 * x0
    y1 = y0 + half
    row = np.broadcast_to(np.array([0, 1])[None, :, None], x0.shape)
    bcol = np.broadcast_to(gx[:, None, None], x0.shape)
    brow = np.broadcast_to(gy[:, None, None], x0.shape)
    x0, x1, y0, y1 = (np.round(a.ravel(), 2) for a in (x0, x1, y0, y1))
    polys = shapely.box(x0, y0, x1, y1)
    return polys, np.column_stack([x0, y0, x1, y1]), row.ravel(), bcol.ravel(), brow.ravel()


def _fields(layout: CountyLayout, uat: GeneratedUAT, corridor, rng) -> tuple:
    """Field strips outside the intravilan, cut by the road corridors: (polys, tarla, nr)."""
    x0, y0, x1, y1 = uat.box
    ncols = round((x1 - x0) / FIELD_W)
    nbands = round((y1 - y0) / FIELD_H)
    base = x0 + FIELD_W * np.arange(ncols + 1)
    jitter = rng.uniform(-12, 12, (nbands, ncols + 1))
    jitter[:, 0] = jitter[:, -1] = 0
    xs = np.round(base[None, :] + jitter, 2)
    ys = y0 + FIELD_H * np.arange(nbands)
    bx0, bx1 = xs[:, :-1].ravel(), xs[:, 1:].ravel()
    by0 = np.repeat(ys, ncols)
    tarla = np.repeat(np.arange(1, nbands + 1), ncols)
    number = np.tile(np.arange(1, ncols + 1), nbands)
    cells = shapely.box(bx0, by0, bx1, by0 + FIELD_H)
    hit = shapely.intersects(cells, uat.intravilan)
    cells[hit] = shapely.difference(cells[hit], uat.intravilan)
    shapely.prepare(corridor)
    cut = shapely.intersects(cells, corridor)
    cells[cut] = shapely.difference(cells[cut], corridor)
    parts, index = shapely.get_parts(cells, return_index=True)
    parts = shapely.set_precision(parts, 0.01)
    keep = (shapely.area(parts) >= MIN_FIELD_AREA) & shapely.is_valid(parts)
    parts, index = parts[keep], index[keep]
    # distance from the locality centre, to keep the fields nearest to it when trimming
    cx, cy = uat.centre
    dist = shapely.distance(shapely.centroid(parts), shapely.Point(cx, cy))
    return parts, tarla[index], number[index], dist


def _trim_fields(fields_: list[tuple], uats: list[GeneratedUAT], wanted: int) -> None:
    """Keep exactly `wanted` fields county-wide, the ones nearest to their locality."""
    total = sum(len(f[0]) for f in fields_)
    if wanted >= total:
        return
    per_uat = np.full(len(uats), wanted // len(uats))
    per_uat[: wanted % len(uats)] += 1
    for i, (parts, tarla, number, dist) in enumerate(fields_):
        order = np.argsort(dist, kind="stable")[: per_uat[i]]
        order.sort()
        fields_[i] = (parts[order], tarla[order], number[order], dist[order])


def _person(rng) -> tuple[str, str]:
    first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
    last = LAST_NAMES[rng.integers(len(LAST_NAMES))]
    cnp = "".join(str(d) for d in rng.integers(0, 10, 12))
    return f"{last} {first}", ("1" if rng.random() < 0.5 else "2") + cnp


def _write_parcels(uats, uat_ids, plots, fields_, rng) -> tuple[int, int]:
    """COPY parcels, land uses, buildings and rights; returns (parcels, buildings)."""
    srid = settings.SRID
    now = "2024-03-01 09:00:00+02"
    parcel_rows, use_rows, building_rows, right_rows = [], [], [], []
    pid = bid = 0
    for uat in uats:
        uat_id = uat_ids[uat.index]
        cad = 50_000 + 1_000 * (uat.index % 7)
        polys, bounds, row, _bcol, brow = plots[uat.index]
        n_plots = len(polys)
        has_house = rng.random(n_plots) < 0.85
        has_annex = rng.random(n_plots) < 0.30
        garden = rng.random(n_plots) < 0.40
        levels = rng.integers(1, 3, n_plots)
        legal_jitter = np.where(rng.random(n_plots) < 0.1, rng.uniform(0.97, 1.03, n_plots), 1.0)
        areas = shapely.area(polys)
        house_no: dict[tuple[int, int], int] = {}
        wkb = _hex(polys, srid)
        houses, annexes = _plot_buildings(bounds, row)
        house_wkb, annex_wkb = _hex(houses, srid), _hex(annexes, srid)
        for k in range(n_plots):
            pid += 1
            cad += 1
            street_row = int(brow[k]) * 2 + int(row[k])
            key = (uat.index, street_row)
            house_no[key] = house_no.get(key, 0) + 1
            street = STREETS[street_row % len(STREETS)]
            address = f"Str. {street} nr. {house_no[key]}, {uat.name}"
            legal = round(areas[k] * legal_jitter[k])
            parcel_rows.append((pid, uat_id, cad, 100_000 + pid, address, "t", legal, wkb[k], now))
            if garden[k]:
                cc = round(areas[k] * 0.4, 2)
                use_rows.append((pid, "CC", cc, "t", "", ""))
                use_rows.append((pid, "A", round(areas[k] - cc, 2), "t", "", ""))
            else:
                use_rows.append((pid, "CC", round(areas[k], 2), "t", "", ""))
            if has_house[k] and houses[k] is not None:
                bid += 1
                dest = "CAS" if k % 97 == 0 else "CL"
                building_rows.append((bid, pid, 1, dest, int(levels[k]), house_wkb[k]))
                if has_annex[k] and annexes[k] is not None:
                    bid += 1
                    building_rows.append((bid, pid, 2, "CA", 1, annex_wkb[k]))
            right_rows.extend(_rights(pid, rng))
        parts, tarla, number, _ = fields_[uat.index]
        field_wkb = _hex(parts, srid)
        field_areas = shapely.area(parts)
        for k in range(len(parts)):
            pid += 1
            cad += 1
            address = f"Tarla {tarla[k]}, Parcela {number[k]}, extravilan {uat.name}"
            use = FIELD_USES[rng.integers(len(FIELD_USES))]
            legal = round(field_areas[k])
            parcel_rows.append(
                (pid, uat_id, cad, 100_000 + pid, address, "f", legal, field_wkb[k], now)
            )
            use_rows.append(
                (pid, use, round(field_areas[k], 2), "f", str(tarla[k]), str(number[k]))
            )
            right_rows.extend(_rights(pid, rng))

    with connection.cursor() as cursor:
        _copy(
            cursor,
            "layers_parcel (id, uat_id, cadastral_number, eterra_id, address, intravilan, "
            "legal_area, geom, imported_at, land_book_number, source, import_ref)",
            ((*r, r[2], "demo", "") for r in parcel_rows),
        )
        _copy(
            cursor,
            "layers_landuse (parcel_id, category, area, intravilan, land_plot, plot_number, "
            "title_number)",
            ((*r, "") for r in use_rows),
        )
        _copy(
            cursor,
            "layers_building (id, parcel_id, number, destination, levels, geom)",
            building_rows,
        )
        _copy(
            cursor,
            "layers_propertyright (parcel_id, holder_kind, holder_name, holder_id_code, "
            "right_kind, share, deed, registered_on)",
            right_rows,
        )
        for table in ("layers_parcel", "layers_building"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
    return len(parcel_rows), len(building_rows)


def _plot_buildings(bounds: np.ndarray, row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A house 4 m behind the street front of each plot and an annex at the back."""
    x0, y0, x1, y1 = bounds.T
    width = np.minimum(10.0, x1 - x0 - 3.0)
    ok = width >= 6.0
    front = row == 0  # row 0 faces the street to the south, row 1 the one to the north
    hy0 = np.where(front, y0 + 4.0, y1 - 4.0 - 11.0)
    houses = shapely.box(x0 + 1.5, hy0, x0 + 1.5 + width, hy0 + 11.0)
    ay0 = np.where(front, y1 - 2.0 - 5.0, y0 + 2.0)
    annexes = shapely.box(x1 - 1.5 - 4.0, ay0, x1 - 1.5, ay0 + 5.0)
    houses[~ok] = None
    annexes[~ok] = None
    return houses, annexes


def _rights(pid: int, rng) -> list[tuple]:
    owners = 1 if rng.random() < 0.8 else 2
    rows = []
    for _ in range(owners):
        name, cnp = _person(rng)
        share = "1/1" if owners == 1 else "1/2"
        rows.append(
            (
                pid,
                "pf",
                name,
                cnp,
                "proprietate",
                share,
                "contract de vânzare-cumpărare",
                "2015-06-12",
            )
        )
    return rows


# --- urban plans and restrictions ---------------------------------------------------


def _write_plans(layout: CountyLayout, uats: list[GeneratedUAT], uat_ids) -> int:
    srid = settings.SRID
    zones = []
    for uat in uats:
        plan = UrbanPlan.objects.create(
            uat_id=uat_ids[uat.index],
            kind="PUG",
            title=f"Plan urbanistic general {uat.name}",
            decision_number=f"{40 + uat.index}",
            decision_date=date(2019, 5, 30),
            valid_until=date(2029, 5, 30),
        )
        xs, ys = uat.street_xs, uat.street_ys
        xcut = [xs[0], xs[len(xs) // 3], xs[2 * len(xs) // 3], xs[-1]]
        ycut = [ys[0], ys[len(ys) // 3], ys[2 * len(ys) // 3], ys[-1]]
        cells = [(i, j) for j in range(3) for i in range(3)]
        order = [(1, 1)] + [c for c in cells if c != (1, 1)]
        for (i, j), spec in zip(order, UTR_CATALOGUE, strict=True):
            code, name, function, pot, cut, height, levels, regime = spec
            allowed, conditioned, forbidden = USES[code]
            poly = shapely.box(xcut[i], ycut[j], xcut[i + 1], ycut[j + 1])
            zones.append(
                Zone(
                    plan=plan,
                    code=code,
                    name=name,
                    dominant_function=function,
                    allowed_uses=allowed,
                    conditioned_uses=conditioned,
                    forbidden_uses=forbidden,
                    pot_max=pot,
                    cut_max=cut,
                    height_max=height,
                    levels_max=levels,
                    height_regime=regime,
                    geom=_geos(shapely.MultiPolygon([poly]), srid),
                )
            )
    Zone.objects.bulk_create(zones)
    return len(zones)


def _write_restrictions(layout: CountyLayout, uats: list[GeneratedUAT], rng) -> int:
    srid = settings.SRID
    s = layout.side
    items = []
    for uat in uats:
        # the church on the first house plot north-east of the centre
        cx, cy = uat.centre
        x = cx + STREET / 2
        y = cy + STREET / 2
        church = shapely.box(x + 20, y + 45, x + 38, y + 70)
        items.append(
            Restriction(
                kind="monument",
                code=f"AB-II-m-B-{101 + uat.index:05d}",
                name=f"Biserica de lemn „Sf. Nicolae” din {uat.name}",
                legal_basis="Legea 422/2001; Lista monumentelor istorice 2015",
                authority="Direcția Județeană pentru Cultură",
                approval="aviz Ministerul Culturii / DJC",
                geom=_geos(church, srid),
            )
        )
        items.append(
            Restriction(
                kind="zona_protectie_monument",
                code=f"AB-II-m-B-{101 + uat.index:05d}",
                name=f"Zona de protecție a bisericii din {uat.name}",
                legal_basis="Legea 422/2001 art. 9 (100 m în localități)",
                authority="Direcția Județeană pentru Cultură",
                approval="aviz Ministerul Culturii / DJC",
                geom=_geos(shapely.buffer(church, 100, quad_segs=16), srid),
            )
        )
    for c in range(layout.cols):
        # a river through each column of UATs, west of the localities, and its flood zone
        x = ORIGIN_E + c * s + 0.3 * s
        ys = np.arange(ORIGIN_N, ORIGIN_N + layout.rows * s + 1, 50.0)
        river = shapely.LineString(np.column_stack([x + 80 * np.sin(ys / 300.0), ys]))
        items.append(
            Restriction(
                kind="inundabil",
                code=f"Q1%-{c + 1}",
                name=f"Zonă inundabilă Q1% pârâul Valea {_uat_name(c)}",
                legal_basis="Legea apelor 107/1996; hărți de hazard ABA Mureș",
                authority="Administrația Bazinală de Apă Mureș",
                approval="aviz de gospodărire a apelor",
                geom=_geos(shapely.buffer(river, 150), srid),
            )
        )
    for r in range(layout.rows):
        y0 = ORIGIN_N + r * s
        line = shapely.LineString(
            [(ORIGIN_E, y0 + 0.15 * s), (ORIGIN_E + layout.cols * s, y0 + 0.85 * s)]
        )
        items.append(
            Restriction(
                kind="servitute_utilitati",
                code=f"LEA-110-{r + 1}",
                name=f"Culoar LEA 110 kV nr. {r + 1}",
                legal_basis="Legea energiei 123/2012; Ord. ANRE 239/2019 (culoar 37 m)",
                authority="Distribuție Energie Electrică Transilvania Sud",
                approval="aviz de amplasament rețele electrice",
                geom=_geos(shapely.buffer(line, 18.5, cap_style="flat"), srid),
            )
        )
    for k, uat in enumerate(uats[::9]):
        x0, y0, _, _ = uat.box
        centre = shapely.Point(x0 + 0.2 * s, y0 + 0.2 * s)
        site = shapely.affinity.scale(centre.buffer(s * 0.18, quad_segs=24), 1.0, 0.7)
        items.append(
            Restriction(
                kind="natura2000",
                code=f"ROSCI0{400 + k}",
                name=f"Pajiștile de la {uat.name}",
                legal_basis="OUG 57/2007; Ordin MMAP 46/2016",
                authority="Agenția Națională pentru Arii Naturale Protejate",
                approval="aviz ANANP / acord de mediu",
                geom=_geos(site, srid),
            )
        )
    Restriction.objects.bulk_create(items)
    return len(items)


# --- helpers ------------------------------------------------------------------------


def _geos(geom, srid: int) -> GEOSGeometry:
    if geom.geom_type == "Polygon":
        geom = shapely.MultiPolygon([geom])
    return GEOSGeometry(memoryview(shapely.to_wkb(geom)), srid=srid)


def _hex(polys: np.ndarray, srid: int) -> np.ndarray:
    """Hex EWKB of each polygon as a MultiPolygon (None stays None)."""
    out = np.full(len(polys), None, dtype=object)
    present = ~shapely.is_missing(polys)
    if present.any():
        multi = shapely.multipolygons(polys[present], indices=np.arange(int(present.sum())))
        multi = shapely.set_srid(multi, srid)
        out[present] = shapely.to_wkb(multi, hex=True, include_srid=True)
    return out


def _copy(cursor, target: str, rows) -> None:
    """COPY rows (tuples; None is NULL) into `target` in large text chunks."""
    buf = io.StringIO()
    with cursor.copy(f"COPY {target} FROM STDIN") as copy:
        for n, row in enumerate(rows, 1):
            buf.write("\t".join("\\N" if v is None else str(v) for v in row))
            buf.write("\n")
            if n % 50_000 == 0:
                copy.write(buf.getvalue())
                buf = io.StringIO()
        copy.write(buf.getvalue())
