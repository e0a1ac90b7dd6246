"""CGXML (ANCPI e-Terra export): safe parsing and conversion to staging rows.

A CGXML document is flat relational XML (see DOMAIN.md): `Land` records are the
immovables, `Parcel` their use-category sub-parcels, `Building` and `IU` the buildings and
their individual units, `Points` the vertices of lands and buildings (ordered by `NO`),
and `Registration` / `Person` / `Deed` / `RegistrationXEntity` the rights.

This module imports no Django code: `process_file` and `process_chunk` run in worker
processes and return COPY-ready text for the staging tables plus the issues found.
"""

from __future__ import annotations

import functools
import math
import re
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

import shapely
from lxml import etree

from import_cadastru.readers.errors import InputRefused
from import_cadastru.readers.safety import Limits, Member, read_member_direct

EMPTY = "_empty"
CEDILLA_CHARS = {"ş": "ș", "ţ": "ț", "Ş": "Ș", "Ţ": "Ț"}
CEDILLA = str.maketrans(CEDILLA_CHARS)
LAND_USES = {"A", "P", "F", "V", "L", "PD", "HR", "HB", "CC", "DR", "CF", "N"}
DESTINATIONS = {"CL", "CA", "CAS", "CIE"}
RIGHT_KINDS = (  # (prefix of the normalised RIGHTTYPE, PropertyRight.RightKind value)
    ("PROPRIETATE", "proprietate"),
    ("DREPT DE PROPRIETATE", "proprietate"),
    ("SUPERFICIE", "superficie"),
    ("DREPT DE SUPERFICIE", "superficie"),
    ("UZUFRUCT", "uzufruct"),
    ("DREPT DE UZUFRUCT", "uzufruct"),
    ("ADMINISTRARE", "administrare"),
    ("DREPT DE ADMINISTRARE", "administrare"),
    ("CONCESIUNE", "concesiune"),
    ("DREPT DE CONCESIUNE", "concesiune"),
    ("IPOTECA", "ipoteca"),
)
PUBLIC_HOLDER = re.compile(
    r"\b(STATUL ROMAN|UAT|COMUNA|ORASUL|MUNICIPIUL|JUDETUL|CONSILIUL)\b", re.IGNORECASE
)
ASCII_FOLD = str.maketrans("ĂÂÎȘȚŞŢăâîșțşţ", "AAISTSTaaistst")

# Staging columns, in COPY order (the writer creates the TEMP tables with these names).
PARCEL_COLUMNS = (
    "seq",
    "src",
    "uat_id",
    "cadastral_number",
    "land_book_number",
    "eterra_id",
    "address",
    "intravilan",
    "legal_area",
    "geom",
)
LANDUSE_COLUMNS = (
    "seq",
    "category",
    "area",
    "intravilan",
    "land_plot",
    "plot_number",
    "title_number",
)
BUILDING_COLUMNS = ("seq", "number", "destination", "levels", "legal_area", "geom")
RIGHT_COLUMNS = (
    "seq",
    "holder_kind",
    "holder_name",
    "holder_id_code",
    "unit",
    "right_kind",
    "share",
    "deed",
    "registered_on",
)

AXIS_EN = "X=E,Y=N"  # X read as easting (what public importers do)
AXIS_NE = "X=N,Y=E"  # X read as northing (Romanian survey convention)


# --- safe XML -------------------------------------------------------------------------

_local = threading.local()


def _parser() -> etree.XMLParser:
    """A parser that loads no DTD, resolves no entity, uses no network and refuses huge
    trees; one per thread, as lxml parsers are not thread-safe."""
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def parse_xml(data: bytes, source: str) -> etree._Element:
    """Parse a CGXML document safely and return its root element."""
    if not data or data.isspace():
        raise InputRefused("fișierul este gol", source=source)
    # A DOCTYPE (and with it every entity declaration) is refused before parsing:
    # CGXML has no DTD, so one can only be an attack (billion laughs, XXE).
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise InputRefused(
            "XML cu DOCTYPE / declarații de entități refuzat (CGXML nu folosește DTD)",
            source=source,
        )
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        raise InputRefused(f"XML invalid sau trunchiat: {exc}", source=source) from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise InputRefused("XML cu DOCTYPE refuzat", source=source)
    tag = etree.QName(root).localname if isinstance(root.tag, str) else ""
    if tag != "CGXML":
        raise InputRefused(
            f"nu este un fișier CGXML (elementul rădăcină este <{tag[:40]}>)", source=source
        )
    return root


# --- records ----------------------------------------------------------------------------


def text(value: str | None) -> str | None:
    """Strip, map `_empty` to None and old cedilla diacritics to comma-below."""
    if value is None:
        return None
    value = value.strip()
    if not value or value == EMPTY:
        return None
    return value.translate(CEDILLA)


# The fields read, per record type: others (and personal data not needed, such as ID
# card numbers or the owners' own addresses) are never even converted to Python.
WANTED = {
    "Land": {"LANDID", "CADGENNO", "E2IDENTIFIER", "PARCELLEGALAREA", "PAPERLBNO", "ADDRESSID"},
    "Address": {
        "ADDRESSID",
        "SIRSUP",
        "SIRUTA",
        "INTRAVILAN",
        "STREETTYPE",
        "STREETNAME",
        "POSTALNUMBER",
        "BLOCK",
        "ENTRY",
        "FLOOR",
        "APNO",
        "DESCRIPTION",
    },
    "Parcel": {
        "LANDID",
        "USECATEGORY",
        "MEASUREDAREA",
        "INTRAVILAN",
        "LANDPLOTNO",
        "PARCELNO",
        "TITLENO",
    },
    "Building": {
        "BUILDINGID",
        "LANDID",
        "BUILDNO",
        "BUILDINGDESTINATION",
        "LEVELSNO",
        "LEGALAREA",
    },
    "IU": {"IUID", "BUILDINGID", "IDENTIFIER", "CADGENNO", "APNO"},
    "Points": {"IMMOVABLEID", "BUILDINGID", "NO", "X", "Y"},
    "Person": {"REGISTRATIONID", "FIRSTNAME", "LASTNAME", "ISPHYSICAL", "IDCODE"},
    "Deed": {"DEEDID", "DEEDNUMBER", "DEEDDATE", "DEEDTYPE", "AUTHORITY"},
    "Registration": {
        "REGISTRATIONID",
        "RIGHTTYPE",
        "DEEDID",
        "ACTUALQUOTA",
        "INITIALQUOTA",
        "APPDATE",
    },
    "RegistrationXEntity": {"REGISTRATIONID", "LANDID", "BUILDINGID", "IUID"},
}
# Fields where old cedilla diacritics may appear (codes and numbers need no mapping).
TEXTUAL = {
    "STREETTYPE",
    "STREETNAME",
    "POSTALNUMBER",
    "BLOCK",
    "ENTRY",
    "FLOOR",
    "APNO",
    "DESCRIPTION",
    "LANDPLOTNO",
    "PARCELNO",
    "TITLENO",
    "IDENTIFIER",
    "FIRSTNAME",
    "LASTNAME",
    "DEEDTYPE",
    "DEEDNUMBER",
    "AUTHORITY",
    "RIGHTTYPE",
    "ACTUALQUOTA",
    "INITIALQUOTA",
}


# --- fast path: the flat shape e-Terra writes, read without building a tree -----------
#
# A document whose every byte fits this strict subset of XML (an optional UTF-8
# declaration, a <CGXML> root with at most namespace attributes, records whose children
# are text-only fields without attributes, no comment, CDATA, processing instruction,
# entity or character reference) is well-formed, and its records are exactly what the
# tree gives. Anything else - including every malformed, truncated or hostile document -
# goes through lxml and its checks.
_WS = r"[ \t\r\n]*"
_NAME = r"[A-Za-z_][A-Za-z0-9_.-]*"
# XML character data without markup, references, CR (a parser would normalise it) or
# characters XML forbids
_TEXT = r"[^<&\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]*"
_PROLOG = re.compile(
    rb"<\?xml[ \t\r\n]+version=([\"'])1\.0\1"
    rb"(?:[ \t\r\n]+encoding=([\"'])(?i:utf-?8)\2)?"
    rb"(?:[ \t\r\n]+standalone=([\"'])(?:yes|no)\3)?[ \t\r\n]*\?>"
)
_QNAME = rf"{_NAME}(?::{_NAME})?"
_ROOT = re.compile(rf'{_WS}<CGXML((?:[ \t\r\n]+{_QNAME}="[^"<&]*")*){_WS}>')
_ATTRIBUTE = re.compile(rf'({_QNAME})="([^"]*)"')
# a namespace name the fast path takes as is: a plain http(s) URI or URN (anything else,
# even if a parser would accept it, goes through lxml)
_NAMESPACE_URI = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9\-._~/]*)?"
    r"|urn:[A-Za-z0-9-]+(?::[A-Za-z0-9.-]+)*"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# a record: fields with text (or empty-element fields), nothing else
_RECORD = re.compile(
    rf"{_WS}<({_NAME})>((?:{_WS}(?:<({_NAME})>{_TEXT}</\3>|<{_NAME}{_WS}/>))*+){_WS}</\1>"
)
_FIELD = re.compile(rf"<({_NAME})>({_TEXT})</\1>")
# a Points record with e-Terra's fields in e-Terra's order (a stricter _RECORD): its
# (owner field, owner id, NO, X, Y) as written
_VERTEX = re.compile(
    rf"{_WS}<Points>{_WS}(?:<POINTID>{_TEXT}</POINTID>{_WS})?"
    rf"<(IMMOVABLEID|BUILDINGID)>({_TEXT})</\1>{_WS}<NO>({_TEXT})</NO>{_WS}"
    rf"<X>({_TEXT})</X>{_WS}<Y>({_TEXT})</Y>{_WS}</Points>"
)
_END = re.compile(rf"{_WS}</CGXML>{_WS}")


def _root_attributes_plain(attributes: str) -> bool:
    """Namespace declarations (of plain http(s) URIs or URNs) and xsi: attributes (with xsi
    declared) only, each once, without control characters."""
    pairs = _ATTRIBUTE.findall(attributes)
    names = [name for name, _ in pairs]
    if len(set(names)) != len(names) or _CONTROL.search(attributes):
        return False
    for name, value in pairs:
        if name == "xmlns" or name.startswith("xmlns:"):
            if _NAMESPACE_URI.fullmatch(value) is None:
                return False
            continue
        if name.startswith("xsi:") and "xmlns:xsi" in names:
            continue
        return False
    return True


def _fast_records(data: bytes) -> dict[str, list[dict[str, str]]] | None:
    """The wanted records as _records gives them, or None when the document is not in
    the plain shape (it is then parsed with lxml). Points keep their fields as written,
    as a tuple when they are in e-Terra's order (see _points)."""
    start = 0
    if data.startswith(b"<?"):
        prolog = _PROLOG.match(data)
        if prolog is None:
            return None
        start = prolog.end()
    try:
        doc = data[start:].decode()
    except UnicodeDecodeError:
        return None
    root = _ROOT.match(doc)
    if root is None or "]]>" in doc:
        return None
    # (an ASCII document is known in O(1); `in` finds a character faster than a regex)
    cedilla = not doc.isascii() and any(char in doc for char in CEDILLA_CHARS)
    if root[1] and not _root_attributes_plain(root[1]):
        return None
    out: dict[str, list[dict[str, str]]] = {kind: [] for kind in WANTED}
    points = out["Points"]
    pos = root.end()
    match = _RECORD.match
    vertex = _VERTEX.match
    fields = _FIELD.findall
    while True:
        if (record := vertex(doc, pos)) is not None:
            pos = record.end()
            points.append(record.groups())  # see _points
            continue
        if (record := match(doc, pos)) is None:
            break
        pos = record.end()
        kind = record[1]
        wanted = WANTED.get(kind)
        if wanted is None:
            continue
        pairs = fields(record[2])
        if kind == "Points":
            rec = dict(pairs)
            if len(rec) == len(pairs):  # each field once: raw values (see _points)
                points.append(rec)
                continue
        rec = {}
        for name, value in pairs:
            if name in wanted:
                value = value.strip()
                if value and value != EMPTY:
                    rec[name] = value.translate(CEDILLA) if cedilla and name in TEXTUAL else value
        out[kind].append(rec)
    if _END.fullmatch(doc, pos) is None:
        return None
    return out


def read_records(data: bytes, source: str) -> dict[str, list[dict[str, str]]]:
    """The wanted records of a CGXML document (see _records), refusing what parse_xml
    refuses."""
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        parse_xml(data, source)  # raises
    records = _fast_records(data)
    if records is None:
        records = _records(parse_xml(data, source))
    return records


def _records(root: etree._Element) -> dict[str, list[dict[str, str]]]:
    """The wanted records as {record type: [{FIELD: text}]}; empty and `_empty` fields
    are left out (so .get() gives None), textual ones get comma-below diacritics."""
    out: dict[str, list[dict[str, str]]] = {kind: [] for kind in WANTED}
    namespaced = root.tag[0] == "{"
    for child in root:
        tag = child.tag
        if tag.__class__ is not str:
            continue
        if namespaced:
            tag = tag.rsplit("}", 1)[-1]
        wanted = WANTED.get(tag)
        if wanted is None:
            continue
        rec = {}
        for fld in child:
            ftag = fld.tag
            if namespaced and ftag.__class__ is str:
                ftag = ftag.rsplit("}", 1)[-1]
            if ftag in wanted:
                value = fld.text
                if value is not None:
                    value = value.strip()
                    if value and value != EMPTY:
                        rec[ftag] = value.translate(CEDILLA) if ftag in TEXTUAL else value
        out[tag].append(rec)
    return out


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    value = value.strip().upper().removeprefix("C")
    try:
        return int(value)
    except ValueError:
        return None


def _id(value: str | None) -> int | None:
    """A record id (LANDID, BUILDINGID…): plain integers, so no clean-up is tried."""
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _num(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _bool(value: str | None) -> bool | None:
    if value is None:
        return None
    return value.strip().lower() in {"true", "1", "da", "yes"}


def _date(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _clip(value: str | None, length: int) -> str:
    return (value or "")[:length]


@dataclass
class Context:
    """What the conversion needs from the database: UATs and locality names."""

    uats: dict[int, tuple[int, str, Any]]  # SIRUTA -> (uat id, name, shapely geometry)
    localities: dict[int, str] = field(default_factory=dict)  # SIRUTA -> locality name
    default_siruta: int | None = None  # --uat: for files without SIRSUP, and a filter

    def __post_init__(self) -> None:
        self.bounds: dict[int, tuple[float, float, float, float]] = {}
        for siruta, (_, _, geom) in self.uats.items():
            shapely.prepare(geom)
            self.bounds[siruta] = tuple(shapely.bounds(geom).tolist())


@dataclass
class FileResult:
    """COPY text per staging table, the issues found and counters, for one or more files."""

    parcels: list[str] = field(default_factory=list)
    land_uses: list[str] = field(default_factory=list)
    buildings: list[str] = field(default_factory=list)
    rights: list[str] = field(default_factory=list)
    issues: list[dict[str, Any]] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)

    def extend(self, other: FileResult) -> None:
        self.parcels += other.parcels
        self.land_uses += other.land_uses
        self.buildings += other.buildings
        self.rights += other.rights
        self.issues += other.issues
        self.stats.update(other.stats)


def _escaped(value: str) -> str:
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


NULL = "\\N"  # NULL in COPY text


def _copy_text(value: Any) -> str:
    if value is None:
        return NULL
    if value.__class__ is bool:
        return "t" if value else "f"
    if isinstance(value, str):
        return _escaped(value)
    return str(value)


def copy_line(values: tuple | list) -> str:
    """One line of PostgreSQL COPY text format."""
    return "\t".join(map(_copy_text, values)) + "\n"


def _issue(kind: str, source: str, key: str | None, detail: str) -> dict[str, Any]:
    return {"kind": kind, "source": source, "key": key or "", "detail": detail}


_POLYGON_HEAD = struct.Struct("<BIII")  # little-endian WKB: type, rings, points


def _polygon(points: list[tuple[int, float, float]], swap: bool) -> str | None:
    """The polygon of the vertices ordered by NO (closed if the file leaves it open) as hex
    WKB: PostGIS reads it without the cost of parsing text, and the coordinates need no
    formatting. None for fewer than three distinct vertices."""
    pts = sorted(points)
    coords = [(y, x) if swap else (x, y) for _, x, y in pts]
    if len(coords) > 1 and coords[0] == coords[-1]:
        coords.pop()
    if len(set(coords)) < 3:
        return None
    coords.append(coords[0])
    flat = [c for xy in coords for c in xy]
    head = _POLYGON_HEAD.pack(1, 3, 1, len(coords))
    return (head + struct.pack(f"<{len(flat)}d", *flat)).hex()


def _given(value: str | None) -> str | None:
    """A field's value unless it is missing, blank or `_empty`."""
    if value is None:
        return None
    value = value.strip()
    return value if value and value != EMPTY else None


def _points(records: list) -> tuple[dict, dict]:
    """Vertices (NO, X, Y) per land and per building, in one pass over the Points.

    The fast reader leaves Points fields as written (not stripped, `_empty` kept), as
    (owner field, owner id, NO, X, Y) tuples or as dicts: int() and float() ignore the
    spaces and refuse `_empty` as they refuse any bad number, and the owner's id is
    read only when given."""
    lands: dict[int, list[tuple[int, float, float]]] = {}
    buildings: dict[int, list[tuple[int, float, float]]] = {}
    owners: dict[tuple[str, str], list | None] = {}  # (field, id as written): its vertices
    isfinite = math.isfinite
    for rec in records:
        if rec.__class__ is tuple:
            try:
                vertex = (int(rec[2]), float(rec[3]), float(rec[4]))
            except ValueError:
                continue
            if not (isfinite(vertex[1]) and isfinite(vertex[2])):
                continue
            key = rec[:2]
            if key in owners:
                target = owners[key]
            else:
                owner = _id(_given(key[1]))
                if owner is None:
                    target = None
                else:
                    group = lands if key[0] == "IMMOVABLEID" else buildings
                    target = group.setdefault(owner, [])
                owners[key] = target
            if target is not None:
                target.append(vertex)
            continue
        try:
            vertex = (int(rec["NO"]), float(rec["X"]), float(rec["Y"]))
        except (KeyError, ValueError):
            continue
        if not (isfinite(vertex[1]) and isfinite(vertex[2])):
            continue
        if (owner_id := _given(rec.get("IMMOVABLEID"))) is not None:
            group = lands
        elif (owner_id := _given(rec.get("BUILDINGID"))) is not None:
            group = buildings
        else:
            continue
        owner = _id(owner_id)
        if owner is not None:
            group.setdefault(owner, []).append(vertex)
    return lands, buildings


def _holder_kind(person: dict, name: str) -> str:
    physical = _bool(person.get("ISPHYSICAL"))
    if physical is None:
        physical = bool(re.fullmatch(r"[1-9]\d{12}", person.get("IDCODE") or ""))
    if physical:
        return "pf"
    return "pub" if PUBLIC_HOLDER.search(name.translate(ASCII_FOLD)) else "pj"


@functools.lru_cache(maxsize=1024)
def _right_kind(value: str | None) -> str | None:
    """The PropertyRight kind of a RIGHTTYPE (a handful of values repeat in every file)."""
    if not value:
        return None
    norm = " ".join(value.translate(ASCII_FOLD).upper().replace("_", " ").split())
    for prefix, kind in RIGHT_KINDS:
        if norm.startswith(prefix):
            return kind
    return None


def _address(addr: dict | None, ctx: Context, uat_name: str, uses: list[dict]) -> str:
    """A readable address: street and number, else the description or tarla/parcela."""
    addr = addr or {}
    parts = []
    street = " ".join(v for v in (addr.get("STREETTYPE"), addr.get("STREETNAME")) if v)
    if street:
        parts.append(street)
    for fld, label in (
        ("POSTALNUMBER", "nr."),
        ("BLOCK", "bl."),
        ("ENTRY", "sc."),
        ("FLOOR", "et."),
        ("APNO", "ap."),
    ):
        if addr.get(fld):
            parts.append(f"{label} {addr[fld]}")
    head = " ".join(parts)
    if not head and addr.get("DESCRIPTION"):
        head = addr["DESCRIPTION"]
    if not head and uses:
        plot = uses[0].get("LANDPLOTNO")
        number = uses[0].get("PARCELNO")
        bits = [f"Tarla {plot}" if plot else "", f"Parcela {number}" if number else ""]
        head = ", ".join(b for b in bits if b)
    locality = ctx.localities.get(_int(addr.get("SIRUTA")) or 0) or uat_name
    if head.endswith(locality):  # "…, extravilan Poiana" already names it
        return head[:255]
    return ", ".join(p for p in (head, locality) if p)[:255]


def _inside(geom, points: list[tuple[int, float, float]], swap: bool) -> int:
    if not points:
        return 0
    xs = [p[2] if swap else p[1] for p in points]
    ys = [p[1] if swap else p[2] for p in points]
    return int(shapely.contains_xy(geom, xs, ys).sum())


def _inside_both(geom, bounds, points: list[tuple[int, float, float]]) -> tuple[int, int]:
    """(points inside as X=E,Y=N, points inside as X=N,Y=E): one containment test for
    both orders, and none for an order whose points all miss the UAT's bounding box."""
    if not points:
        return 0, 0
    xmin, ymin, xmax, ymax = bounds
    a = [p[1] for p in points]
    b = [p[2] for p in points]
    lo_a, hi_a, lo_b, hi_b = min(a), max(a), min(b), max(b)
    en = hi_a >= xmin and lo_a <= xmax and hi_b >= ymin and lo_b <= ymax
    ne = hi_b >= xmin and lo_b <= xmax and hi_a >= ymin and lo_a <= ymax
    if not (en or ne):
        return 0, 0
    n = len(points)
    xs = (a if en else []) + (b if ne else [])
    ys = (b if en else []) + (a if ne else [])
    inside = shapely.contains_xy(geom, xs, ys)
    if en and ne:
        return int(inside[:n].sum()), int(inside[n:].sum())
    return (int(inside.sum()), 0) if en else (0, int(inside.sum()))


def _in_box(bounds, points: list[tuple[int, float, float]]) -> tuple[bool, bool]:
    """Whether the points' bounding box meets the UAT's as X=E,Y=N and as X=N,Y=E (when
    it does not, no point can be inside the UAT in that order)."""
    if not points:
        return False, False
    xmin, ymin, xmax, ymax = bounds
    a = [p[1] for p in points]
    b = [p[2] for p in points]
    lo_a, hi_a, lo_b, hi_b = min(a), max(a), min(b), max(b)
    return (
        hi_a >= xmin and lo_a <= xmax and hi_b >= ymin and lo_b <= ymax,
        hi_b >= xmin and lo_b <= xmax and hi_a >= ymin and lo_a <= ymax,
    )


def _any_inside(geom, points: list[tuple[int, float, float]], swap: bool) -> bool:
    """Whether a point is inside: the first one alone, then all (one call each)."""
    _, x, y = points[0]
    if shapely.contains_xy(geom, y, x) if swap else shapely.contains_xy(geom, x, y):
        return True
    return _inside(geom, points, swap) > 0


def _axis_order(ctx: Context, candidates: list[tuple[int, list]]) -> tuple[bool, bool]:
    """(swap, in its own UAT) for the file's lands, as (siruta, vertices) pairs: the order
    that puts more vertices inside their UAT (X=E,Y=N on a tie), and whether it puts any.

    Usually only one order can put any vertex in the UAT's bounding box: the other then
    counts none, so the decision only needs to know whether one vertex is inside (most
    often the first); otherwise the vertices inside are counted in both orders."""
    boxes = [_in_box(ctx.bounds[siruta], pts) for siruta, pts in candidates]
    if not any(ne for _en, ne in boxes):
        own = any(
            _any_inside(ctx.uats[siruta][2], pts, False)
            for (siruta, pts), (en, _ne) in zip(candidates, boxes, strict=True)
            if en
        )
        return False, own
    if not any(en for en, _ne in boxes):
        own = any(
            _any_inside(ctx.uats[siruta][2], pts, True)
            for (siruta, pts), (_en, ne) in zip(candidates, boxes, strict=True)
            if ne
        )
        return own, own
    scores = {False: 0, True: 0}
    for siruta, pts in candidates:
        en, ne = _inside_both(ctx.uats[siruta][2], ctx.bounds[siruta], pts)
        scores[False] += en
        scores[True] += ne
    return scores[True] > scores[False], max(scores.values()) > 0


def process_file(
    data: bytes, source: str, ctx: Context, seq_base: int, result: FileResult | None = None
) -> FileResult:
    """Convert one CGXML document into staging rows (geometry as hex WKB in Stereo 70),
    added to `result` (a new one by default). A refused document adds nothing."""
    recs = read_records(data, source)
    lands = recs.get("Land", [])
    if not lands:
        raise InputRefused("fișierul CGXML nu conține niciun imobil (Land)", source=source)
    if result is None:
        result = FileResult()
    result.stats["files"] += 1
    addresses = {_id(a.get("ADDRESSID")): a for a in recs.get("Address", [])}
    land_points, building_points = _points(recs["Points"])
    buildings = recs.get("Building", [])
    units = recs.get("IU", [])
    building_land = {_id(b.get("BUILDINGID")): _id(b.get("LANDID")) for b in buildings}
    unit_building = {_id(u.get("IUID")): _id(u.get("BUILDINGID")) for u in units}
    unit_label = {
        _id(u.get("IUID")): u.get("IDENTIFIER") or u.get("CADGENNO") or u.get("APNO") for u in units
    }
    result.stats["units"] += len(units)

    # Which UAT each land belongs to, then one axis order for the whole file.
    located = []
    for land in lands:
        land_id = _id(land.get("LANDID"))
        cad = land.get("CADGENNO")
        addr = addresses.get(_id(land.get("ADDRESSID")))
        siruta = _int((addr or {}).get("SIRSUP")) or ctx.default_siruta
        if ctx.default_siruta and siruta != ctx.default_siruta:
            result.issues.append(
                _issue(
                    "rejected",
                    source,
                    cad,
                    f"UAT {siruta} din fișier diferă de UAT-ul cerut {ctx.default_siruta}",
                )
            )
            result.stats["rejected"] += 1
            continue
        if siruta not in ctx.uats:
            result.issues.append(
                _issue("rejected", source, cad, f"UAT necunoscut (SIRSUP {siruta})")
            )
            result.stats["rejected"] += 1
            continue
        if not cad:
            result.issues.append(_issue("rejected", source, None, "imobil fără număr cadastral"))
            result.stats["rejected"] += 1
            continue
        if len(cad) > 30:
            result.issues.append(
                _issue("rejected", source, cad[:30], "număr cadastral mai lung de 30 caractere")
            )
            result.stats["rejected"] += 1
            continue
        located.append((land, land_id, cad, addr, siruta))
    if not located:
        return result

    candidates = []
    for _land, land_id, _cad, _addr, siruta in located:
        pts = list(land_points.get(land_id, []))
        for b in buildings:
            if _id(b.get("LANDID")) == land_id:
                pts += building_points.get(_id(b.get("BUILDINGID")), [])
        candidates.append((siruta, pts))
    swap, in_own_uat = _axis_order(ctx, candidates)
    if not in_own_uat:
        # Neither order puts it in its own UAT: take the order that puts it in any UAT
        # of the county (the parcel is then reported as outside its UAT), else refuse.
        all_pts = [p for land, land_id, *_ in located for p in land_points.get(land_id, [])]
        other = {
            s: sum(_inside(g, all_pts, s) for _, _, g in ctx.uats.values()) for s in (False, True)
        }
        if max(other.values()) == 0:
            for _land, _lid, cad, _addr, _s in located:
                result.issues.append(
                    _issue(
                        "rejected",
                        source,
                        cad,
                        "coordonatele nu cad în niciun UAT al județului, în nicio ordine "
                        "a axelor X/Y (sistem de coordonate greșit?)",
                    )
                )
                result.stats["rejected"] += 1
            return result
        swap = other[True] > other[False]
    axis = AXIS_NE if swap else AXIS_EN
    result.stats[axis] += 1

    # Rights: registration -> persons, deed and the lands it is attached to.
    deeds = {_id(d.get("DEEDID")): d for d in recs.get("Deed", [])}
    persons: dict[int | None, list[dict]] = {}
    for person in recs.get("Person", []):
        persons.setdefault(_id(person.get("REGISTRATIONID")), []).append(person)
    links: dict[int | None, list[tuple[int | None, str]]] = {}
    for link in recs.get("RegistrationXEntity", []):
        reg_id = _id(link.get("REGISTRATIONID"))
        if link.get("LANDID"):
            links.setdefault(reg_id, []).append((_id(link["LANDID"]), ""))
        elif link.get("BUILDINGID"):
            links.setdefault(reg_id, []).append((building_land.get(_id(link["BUILDINGID"])), ""))
        elif link.get("IUID"):
            unit = _id(link["IUID"])
            label = unit_label.get(unit) or str(unit)
            land = building_land.get(unit_building.get(unit))
            links.setdefault(reg_id, []).append((land, label))

    uses_by_land: dict[int | None, list[dict]] = {}
    for use in recs.get("Parcel", []):
        uses_by_land.setdefault(_id(use.get("LANDID")), []).append(use)

    for k, (land, land_id, cad, addr, siruta) in enumerate(located):
        seq = seq_base + k
        uat_id, uat_name, _ = ctx.uats[siruta]
        ring = _polygon(land_points.get(land_id, []), swap)
        if ring is None:
            result.issues.append(
                _issue("rejected", source, cad, "imobil fără geometrie (mai puțin de 3 puncte)")
            )
            result.stats["rejected"] += 1
            continue
        uses = uses_by_land.get(land_id, [])
        intravilan = bool(_bool((addr or {}).get("INTRAVILAN"))) or any(
            _bool(u.get("INTRAVILAN")) for u in uses
        )
        eterra_raw = land.get("E2IDENTIFIER")
        eterra = _int(eterra_raw)
        if eterra_raw and eterra is None:
            result.issues.append(
                _issue("attribute", source, cad, "identificator e-Terra nenumeric ignorat")
            )
        legal = _num(land.get("PARCELLEGALAREA"))
        result.parcels.append(
            # the columns of copy_line((seq, source, uat_id, cad, land book number,
            # eterra, address, intravilan, legal area, ring)), without its type tests
            f"{seq}\t{_escaped(source)}\t{uat_id}\t{_escaped(cad)}\t"
            f"{_escaped(_clip(land.get('PAPERLBNO') or cad, 30))}\t"
            f"{NULL if eterra is None else eterra}\t"
            f"{_escaped(_address(addr, ctx, uat_name, uses))}\t{'t' if intravilan else 'f'}\t"
            f"{NULL if legal is None else round(legal, 2)}\t{ring}\n"
        )
        result.stats["immovables"] += 1
        for use in uses:
            category = (use.get("USECATEGORY") or "").upper()
            area = _num(use.get("MEASUREDAREA"))
            if category not in LAND_USES or area is None:
                result.issues.append(
                    _issue(
                        "attribute",
                        source,
                        cad,
                        f"folosință ignorată: categorie „{category[:10]}”, suprafață "
                        f"{use.get('MEASUREDAREA')}",
                    )
                )
                continue
            use_intra = _bool(use.get("INTRAVILAN"))
            if use_intra is None:
                use_intra = intravilan
            result.land_uses.append(
                # copy_line((seq, category, area, intravilan, land plot, plot number,
                # title number)); the category is one of LAND_USES
                f"{seq}\t{category}\t{round(area, 2)}\t{'t' if use_intra else 'f'}\t"
                f"{_escaped(_clip(use.get('LANDPLOTNO'), 30))}\t"
                f"{_escaped(_clip(use.get('PARCELNO'), 30))}\t"
                f"{_escaped(_clip(use.get('TITLENO'), 30))}\n"
            )
        numbers = set()
        for b in buildings:
            if _id(b.get("LANDID")) != land_id:
                continue
            number = _int(b.get("BUILDNO"))
            dest = (b.get("BUILDINGDESTINATION") or "").upper()
            bring = _polygon(building_points.get(_id(b.get("BUILDINGID")), []), swap)
            problem = None
            if number is None or not 0 < number < 32768 or number in numbers:
                problem = f"număr de construcție invalid sau repetat „{b.get('BUILDNO')}”"
            elif dest not in DESTINATIONS:
                problem = f"destinație necunoscută „{dest[:10]}”"
            elif bring is None:
                problem = "construcție fără geometrie (mai puțin de 3 puncte)"
            if problem:
                result.issues.append(_issue("rejected_building", source, cad, problem))
                result.stats["buildings_rejected"] += 1
                continue
            numbers.add(number)
            levels = _int(b.get("LEVELSNO"))
            blegal = _num(b.get("LEGALAREA"))
            result.buildings.append(
                # copy_line((seq, number, destination, levels, legal area, polygon)); the
                # destination is one of DESTINATIONS
                f"{seq}\t{number}\t{dest}\t{levels if levels and 0 < levels < 200 else 1}\t"
                f"{NULL if blegal is None else round(blegal, 2)}\t{bring}\n"
            )
        seen = set()
        for reg in recs.get("Registration", []):
            reg_id = _id(reg.get("REGISTRATIONID"))
            targets = links.get(reg_id) or ([(land_id, "")] if len(located) == 1 else [])
            kind = _right_kind(reg.get("RIGHTTYPE"))
            for target_land, unit in targets:
                if target_land != land_id:
                    continue
                if kind is None:
                    result.issues.append(
                        _issue(
                            "attribute",
                            source,
                            cad,
                            f"înscriere ignorată: drept „{(reg.get('RIGHTTYPE') or '')[:30]}”",
                        )
                    )
                    continue
                deed = deeds.get(_id(reg.get("DEEDID"))) or {}
                deed_text = " ".join(
                    v
                    for v in (
                        deed.get("DEEDTYPE"),
                        f"nr. {deed['DEEDNUMBER']}" if deed.get("DEEDNUMBER") else None,
                        f"din {_date(deed.get('DEEDDATE'))}" if deed.get("DEEDDATE") else None,
                        f"({deed['AUTHORITY']})" if deed.get("AUTHORITY") else None,
                    )
                    if v
                )
                share = reg.get("ACTUALQUOTA") or reg.get("INITIALQUOTA") or "1/1"
                registered = _date(reg.get("APPDATE")) or _date(deed.get("DEEDDATE"))
                for person in persons.get(reg_id, []):
                    name = " ".join(
                        v for v in (person.get("LASTNAME"), person.get("FIRSTNAME")) if v
                    )
                    if not name:
                        continue
                    row = (
                        seq,
                        _holder_kind(person, name),
                        name[:200],
                        _clip(person.get("IDCODE"), 20),
                        unit[:40],
                        kind,
                        share[:20],
                        deed_text[:255],
                        registered,
                    )
                    if row in seen:
                        continue
                    seen.add(row)
                    _, holder, name, code, unit, kind, share, deed, registered = row
                    result.rights.append(
                        # copy_line(row); the holder and right kinds are codes
                        f"{seq}\t{holder}\t{_escaped(name)}\t{_escaped(code)}\t"
                        f"{_escaped(unit)}\t{kind}\t{_escaped(share)}\t{_escaped(deed)}\t"
                        f"{NULL if registered is None else registered}\n"
                    )
    return result


# --- batches (run in worker processes) --------------------------------------------------

_worker_ctx: Context | None = None


def init_worker(uats: list[tuple[int, int, str, bytes]], localities: dict, default_siruta):
    """Pool initializer: rebuild the UAT geometries once per worker."""
    global _worker_ctx  # per-process state of a worker pool
    _worker_ctx = build_context(uats, localities, default_siruta)


def build_context(uats, localities, default_siruta) -> Context:
    return Context(
        uats={siruta: (pk, name, shapely.from_wkb(wkb)) for pk, siruta, name, wkb in uats},
        localities=localities,
        default_siruta=default_siruta,
    )


@dataclass(frozen=True)
class Task:
    """A slice of the input: a plain file, or some members of a zip."""

    path: str
    members: tuple[Member, ...] | None  # checked members, read from their offsets
    seq_base: int  # seq of the first file; each file gets SEQ_STRIDE numbers
    skip_bad: bool
    limits: Limits


SEQ_STRIDE = 1000  # immovables per file at most


def process_task(task: Task, ctx: Context | None = None) -> FileResult:
    """Parse every file of a task; a bad file refuses the task unless skip_bad is set."""
    ctx = ctx or _worker_ctx
    assert ctx is not None
    result = FileResult()
    path = Path(task.path)
    if task.members is None:
        sources = [(path.name, lambda: path.read_bytes())]
    else:
        handle = _open_archive(task.path)
        limit = task.limits.max_xml_bytes
        sources = [
            (f"{path.name}/{m.filename}", lambda m=m: read_member_direct(handle, m, limit))
            for m in task.members
        ]
    for n, (source, read) in enumerate(sources):
        try:
            data = read()
            process_file(data, source, ctx, task.seq_base + n * SEQ_STRIDE, result)
        except InputRefused as exc:
            if not task.skip_bad:
                raise
            result.issues.append(_issue("rejected_file", source, None, exc.message))
            result.stats["files_rejected"] += 1
    return result


_archive: tuple[str, BinaryIO] | None = None


def _open_archive(path: str) -> BinaryIO:
    """The zip of the current task, kept open for the next tasks of the same zip."""
    global _archive  # one open zip per (worker) process
    if _archive is None or _archive[0] != path:
        close_archive()
        _archive = (path, open(path, "rb"))  # noqa: SIM115 - kept open across tasks
    return _archive[1]


def close_archive() -> None:
    global _archive
    if _archive is not None:
        _archive[1].close()
        _archive = None
