"""Write the county in the database (the demo county) out as CGXML or GeoPackage.

The files use the field names the importer recognises by default, so exporting and
re-importing is an end-to-end check (it must report every object unchanged) and the
benchmark can load a realistic county at scale. Data is read in keyset-paged chunks, so
a million parcels never sit in memory at once.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import pyogrio.raw
import shapely
from django.conf import settings
from django.db import connection

Progress = Callable[[str, int, int], None]
CHUNK = 20_000
RIGHT_TYPES = {
    "proprietate": "PROPRIETATE",
    "superficie": "SUPERFICIE",
    "uzufruct": "UZUFRUCT",
    "administrare": "ADMINISTRARE",
    "concesiune": "CONCESIUNE",
    "ipoteca": "IPOTECA",
}


def _noop(stage: str, done: int, total: int) -> None:
    pass


def _pages(query: str, params: dict, chunk: int = CHUNK) -> Iterator[list[tuple]]:
    """Rows of `query` (which filters on id > %(after)s, orders by id, limits %(limit)s)."""
    after = 0
    while True:
        with connection.cursor() as cursor:
            cursor.execute(query, {**params, "after": after, "limit": chunk})
            rows = cursor.fetchall()
        if not rows:
            return
        yield rows
        after = rows[-1][0]


def _count(table: str, uat: int | None) -> int:
    with connection.cursor() as cursor:
        if table == "layers_parcel":
            cursor.execute(
                "SELECT count(*) FROM layers_parcel p JOIN layers_uat u ON u.id = p.uat_id "
                "WHERE %(uat)s::int IS NULL OR u.siruta = %(uat)s",
                {"uat": uat},
            )
        else:
            from psycopg import sql

            cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        return cursor.fetchone()[0]


# --- GeoPackage ---------------------------------------------------------------------------

_GPKG_LAYERS = {
    "parcele": (
        "SELECT p.id, ST_AsBinary(p.geom), p.cadastral_number, u.siruta, p.land_book_number, "
        "p.eterra_id, p.address, p.intravilan::int, p.legal_area::float8 "
        "FROM layers_parcel p JOIN layers_uat u ON u.id = p.uat_id "
        "WHERE p.id > %(after)s AND (%(uat)s::int IS NULL OR u.siruta = %(uat)s) "
        "ORDER BY p.id LIMIT %(limit)s",
        ["nr_cad", "siruta", "nr_cf", "eterra_id", "adresa", "intravilan", "sup_acte"],
        "MultiPolygon",
    ),
    "constructii": (
        "SELECT b.id, ST_AsBinary(b.geom), p.cadastral_number, u.siruta, b.number, "
        "b.destination, b.levels, b.legal_area::float8 "
        "FROM layers_building b JOIN layers_parcel p ON p.id = b.parcel_id "
        "JOIN layers_uat u ON u.id = p.uat_id "
        "WHERE b.id > %(after)s AND (%(uat)s::int IS NULL OR u.siruta = %(uat)s) "
        "ORDER BY b.id LIMIT %(limit)s",
        ["nr_cad", "siruta", "nr_constr", "destinatie", "niveluri", "sup_acte"],
        "MultiPolygon",
    ),
    "drumuri": (
        "SELECT id, ST_AsBinary(geom), number, name, administrator, category, "
        "km_start::float8 FROM layers_countyroad WHERE id > %(after)s "
        "ORDER BY id LIMIT %(limit)s",
        ["nr_drum", "denumire", "administrator", "categorie", "km_start"],
        "MultiLineString",
    ),
    "utr": (
        "SELECT z.id, ST_AsBinary(z.geom), z.plan_id, z.code, z.name, z.dominant_function, "
        "z.pot_max::float8, z.cut_max::float8, z.height_max::float8, z.levels_max, "
        "z.height_regime, z.allowed_uses, z.conditioned_uses, z.forbidden_uses, z.notes "
        "FROM layers_zone z JOIN layers_urbanplan pl ON pl.id = z.plan_id "
        "JOIN layers_uat u ON u.id = pl.uat_id "
        "WHERE z.id > %(after)s AND (%(uat)s::int IS NULL OR u.siruta = %(uat)s) "
        "ORDER BY z.id LIMIT %(limit)s",
        [
            "plan_id",
            "utr",
            "denumire",
            "functiune",
            "pot",
            "cut",
            "hmax",
            "niv_max",
            "regim",
            "admise",
            "admise_conditionat",
            "interzise",
            "observatii",
        ],
        "MultiPolygon",
    ),
    "restrictii": (
        "SELECT id, ST_AsBinary(geom), kind, code, name, legal_basis, authority, approval "
        "FROM layers_restriction WHERE id > %(after)s ORDER BY id LIMIT %(limit)s",
        ["tip", "cod", "denumire", "temei_legal", "autoritate", "aviz"],
        "MultiPolygon",
    ),
    "intravilan": (
        "SELECT i.id, ST_AsBinary(i.geom), u.siruta, i.locality, i.locality_siruta "
        "FROM layers_intravilan i JOIN layers_uat u ON u.id = i.uat_id "
        "WHERE i.id > %(after)s AND (%(uat)s::int IS NULL OR u.siruta = %(uat)s) "
        "ORDER BY i.id LIMIT %(limit)s",
        ["siruta", "localitate", "siruta_loc"],
        "MultiPolygon",
    ),
}


def _column(values: list, name: str) -> np.ndarray:
    if all(v is None or isinstance(v, str) for v in values):
        return np.array(values, dtype=object)
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        return np.array(values, dtype=np.int64)
    return np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)


def export_gpkg(
    out: Path,
    *,
    uat: int | None = None,
    layers: tuple[str, ...] = tuple(_GPKG_LAYERS),
    progress: Progress = _noop,
) -> dict[str, int]:
    """One layer per table; returns the features written per layer."""
    if out.exists():
        out.unlink()
    written = {}
    for layer in layers:
        query, fields, geometry_type = _GPKG_LAYERS[layer]
        total = _count("layers_parcel", uat) if layer == "parcele" else 0
        done = 0
        for rows in _pages(query, {"uat": uat}):
            columns = list(zip(*rows, strict=True))
            wkb = np.array([bytes(g) for g in columns[1]], dtype=object)
            data = [_column(list(col), name) for col, name in zip(columns[2:], fields, strict=True)]
            # the first chunk fixes each field's type: keep numbers numeric throughout
            pyogrio.raw.write(
                str(out),
                wkb,
                data,
                fields=fields,
                layer=layer,
                driver="GPKG",
                crs=f"EPSG:{settings.SRID}",
                geometry_type=geometry_type,
                append=out.exists() and (done > 0 or layer != layers[0]),
                encoding="UTF-8",
            )
            done += len(rows)
            progress(f"gpkg {layer}", done, max(total, done))
        written[layer] = done
    return written


# --- CGXML --------------------------------------------------------------------------------


def _x(value) -> str:
    """An XML field value: `_empty` for missing values, like e-Terra."""
    if value is None or value == "":
        return "_empty"
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def _ring(wkb: bytes) -> np.ndarray:
    """The exterior ring (largest part) without its closing vertex."""
    geom = shapely.from_wkb(wkb)
    parts = list(getattr(geom, "geoms", [geom]))
    poly = max(parts, key=lambda p: p.area)
    return shapely.get_coordinates(poly.exterior)[:-1]


def cgxml_document(parcel: dict, uses: list, buildings: list, rights: list, swap: bool) -> str:
    """One immovable as a CGXML document (ids local to the file, as in e-Terra exports)."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n<CGXML>\n']
    out.append(
        "<FileDescription><FILEID>1</FILEID><FILENAME>"
        f"{_x(parcel['cad'])}.cgxml</FILENAME><EXPORTDATE>2024-03-01T09:00:00</EXPORTDATE>"
        "<FILEVERSION>3.0</FILEVERSION></FileDescription>\n"
    )
    out.append(
        f"<Land><LANDID>1</LANDID><ADDRESSID>1</ADDRESSID>"
        f"<MEASUREDAREA>{parcel['area']:.2f}</MEASUREDAREA>"
        f"<PARCELLEGALAREA>{_x(parcel['legal'])}</PARCELLEGALAREA>"
        f"<E2IDENTIFIER>{_x(parcel['eterra'])}</E2IDENTIFIER>"
        f"<PAPERLBNO>{_x(parcel['cf'] if parcel['cf'] != parcel['cad'] else None)}</PAPERLBNO>"
        f"<CADGENNO>{_x(parcel['cad'])}</CADGENNO></Land>\n"
    )
    out.append(
        f"<Address><ADDRESSID>1</ADDRESSID><SIRSUP>{parcel['siruta']}</SIRSUP>"
        f"<SIRUTA>{_x(parcel['locality_siruta'])}</SIRUTA>"
        f"<INTRAVILAN>{_x(parcel['intravilan'])}</INTRAVILAN>"
        f"<STREETNAME>_empty</STREETNAME><DESCRIPTION>{_x(parcel['description'])}"
        "</DESCRIPTION></Address>\n"
    )
    for n, (category, area, intravilan, plot, number, title) in enumerate(uses, 1):
        out.append(
            f"<Parcel><PARCELID>{n}</PARCELID><LANDID>1</LANDID><NUMBER>{n}</NUMBER>"
            f"<MEASUREDAREA>{area}</MEASUREDAREA><USECATEGORY>{category}</USECATEGORY>"
            f"<INTRAVILAN>{_x(intravilan)}</INTRAVILAN><TITLENO>{_x(title)}</TITLENO>"
            f"<LANDPLOTNO>{_x(plot)}</LANDPLOTNO><PARCELNO>{_x(number)}</PARCELNO></Parcel>\n"
        )
    for n, (number, destination, levels, legal, _wkb) in enumerate(buildings, 1):
        out.append(
            f"<Building><BUILDINGID>{n}</BUILDINGID><LANDID>1</LANDID>"
            f"<BUILDNO>{number}</BUILDNO><BUILDINGDESTINATION>{destination}"
            f"</BUILDINGDESTINATION><LEVELSNO>{levels}</LEVELSNO>"
            f"<LEGALAREA>{_x(legal)}</LEGALAREA><ISLEGAL>true</ISLEGAL></Building>\n"
        )
    point = 0
    owners = [("IMMOVABLEID", 1, parcel["wkb"])] + [
        ("BUILDINGID", n, b[4]) for n, b in enumerate(buildings, 1)
    ]
    for tag, owner, wkb in owners:
        for no, (x, y) in enumerate(_ring(wkb).tolist(), 1):
            point += 1
            a, b = (y, x) if swap else (x, y)
            out.append(
                f"<Points><POINTID>{point}</POINTID><{tag}>{owner}</{tag}><NO>{no}</NO>"
                f"<X>{a!r}</X><Y>{b!r}</Y></Points>\n"
            )
    for n, (kind, name, code, right, share, deed, registered) in enumerate(rights, 1):
        out.append(
            f"<Person><PERSONID>{n}</PERSONID><FIRSTNAME>_empty</FIRSTNAME>"
            f"<LASTNAME>{_x(name)}</LASTNAME><ISPHYSICAL>{_x(kind == 'pf')}</ISPHYSICAL>"
            f"<IDCODE>{_x(code)}</IDCODE><REGISTRATIONID>{n}</REGISTRATIONID></Person>\n"
            f"<Deed><DEEDID>{n}</DEEDID><DEEDTYPE>{_x(deed)}</DEEDTYPE></Deed>\n"
            f"<Registration><REGISTRATIONID>{n}</REGISTRATIONID>"
            f"<RIGHTTYPE>{RIGHT_TYPES.get(right, right.upper())}</RIGHTTYPE>"
            f"<DEEDID>{n}</DEEDID><ACTUALQUOTA>{_x(share)}</ACTUALQUOTA>"
            f"<LBPARTNO>{3 if right == 'ipoteca' else 2}</LBPARTNO>"
            f"<APPDATE>{_x(registered.isoformat() if registered else None)}</APPDATE>"
            "</Registration>\n"
            f"<RegistrationXEntity><REGISTRATIONXENTITYID>{n}</REGISTRATIONXENTITYID>"
            f"<REGISTRATIONID>{n}</REGISTRATIONID><LANDID>1</LANDID></RegistrationXEntity>\n"
        )
    out.append("</CGXML>\n")
    return "".join(out)


_CGXML_PARCELS = """
SELECT p.id, p.cadastral_number, u.siruta, p.land_book_number, p.eterra_id, p.address,
       p.intravilan, p.legal_area, p.measured_area, ST_AsBinary(p.geom),
       (SELECT i.locality_siruta FROM layers_intravilan i
         WHERE i.uat_id = p.uat_id AND p.intravilan ORDER BY i.id LIMIT 1),
       (SELECT i.locality FROM layers_intravilan i
         WHERE i.uat_id = p.uat_id AND p.intravilan ORDER BY i.id LIMIT 1)
FROM layers_parcel p JOIN layers_uat u ON u.id = p.uat_id
WHERE p.id > %(after)s AND (%(uat)s::int IS NULL OR u.siruta = %(uat)s)
ORDER BY p.id LIMIT %(limit)s
"""


def _by_parcel(query: str, ids: list[int]) -> dict[int, list[tuple]]:
    out: dict[int, list[tuple]] = {}
    with connection.cursor() as cursor:
        cursor.execute(query, [ids])
        for row in cursor.fetchall():
            out.setdefault(row[0], []).append(row[1:])
    return out


def _description(address: str, locality: str | None) -> str:
    """The address without the trailing locality, which the SIRUTA code carries."""
    if locality and address.endswith(f", {locality}"):
        return address[: -len(locality) - 2]
    return address


def export_cgxml(
    out: Path,
    *,
    uat: int | None = None,
    limit: int | None = None,
    files_per_zip: int = 0,
    swap_axes: bool = False,
    progress: Progress = _noop,
) -> list[Path]:
    """One CGXML per parcel, in one zip (or several of `files_per_zip` files each)."""
    total = _count("layers_parcel", uat)
    total = min(total, limit) if limit else total
    zips: list[Path] = []
    archive = None
    in_zip = 0
    done = 0
    try:
        for rows in _pages(_CGXML_PARCELS, {"uat": uat}, chunk=5_000):
            ids = [r[0] for r in rows]
            uses = _by_parcel(
                "SELECT parcel_id, category, area, intravilan, land_plot, plot_number, "
                "title_number FROM layers_landuse WHERE parcel_id = ANY(%s) ORDER BY id",
                ids,
            )
            buildings = _by_parcel(
                "SELECT parcel_id, number, destination, levels, legal_area, ST_AsBinary(geom) "
                "FROM layers_building WHERE parcel_id = ANY(%s) ORDER BY number",
                ids,
            )
            rights = _by_parcel(
                "SELECT parcel_id, holder_kind, holder_name, holder_id_code, right_kind, share, "
                "deed, registered_on FROM layers_propertyright WHERE parcel_id = ANY(%s) "
                "ORDER BY id",
                ids,
            )
            for row in rows:
                if limit and done >= limit:
                    return zips
                pid, cad, siruta, cf, eterra, address, intra, legal, area, wkb, loc_siruta, loc = (
                    row
                )
                if archive is None or (files_per_zip and in_zip >= files_per_zip):
                    if archive is not None:
                        archive.close()
                    path = (
                        out
                        if not files_per_zip
                        else out.with_name(f"{out.stem}_{len(zips) + 1:04d}{out.suffix}")
                    )
                    archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
                    zips.append(path)
                    in_zip = 0
                parcel = {
                    "cad": cad,
                    "siruta": siruta,
                    "cf": cf,
                    "eterra": eterra,
                    "intravilan": intra,
                    "legal": legal,
                    "area": area,
                    "wkb": bytes(wkb),
                    "locality_siruta": loc_siruta,
                    "description": _description(address, loc),
                }
                document = cgxml_document(
                    parcel,
                    uses.get(pid, []),
                    [(*b[:4], bytes(b[4])) for b in buildings.get(pid, [])],
                    rights.get(pid, []),
                    swap_axes,
                )
                archive.writestr(f"{siruta}/{cad}.cgxml", document)
                in_zip += 1
                done += 1
            progress("cgxml", done, total)
    finally:
        if archive is not None:
            archive.close()
    return zips
