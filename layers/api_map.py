"""JSON endpoints of the web map and the citizen portal: configuration, identify, parcel
card, search, road kilometre positions and the print-to-PDF of the current view.

Everything here is public data (no owner or applicant is ever read: PropertyRight is not
touched by this module), except buildings and printing, which are for officers. Queries
run in PostGIS in the storage SRID (Stereo 70); coordinates in and out are EPSG:3844 with
x = easting, y = northing (GeoJSON order), whatever the CRS's declared axis order.
"""

from __future__ import annotations

import io
import json
import math
import re
import unicodedata
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.db import connection
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from rest_framework.views import APIView

from layers.access import is_officer
from layers.analysis import InvalidSubject, analyse
from layers.db import fetchone_prepared
from layers.models import UAT, Building, CountyRoad, LandUse, Layer, Parcel
from layers.projection import bound_proj4
from layers.publishing.mapfile import visible_layers
from layers.roads import format_km, parse_km, point_at_km, road_position

# Stereo 70 bounds of Romania with a margin (same guard as the analysis).
ROMANIA_3844 = (100_000.0, 150_000.0, 1_000_000.0, 850_000.0)
PRINT_SCALES = (500, 1000, 2000, 5000, 10_000)
SEARCH_LIMIT = 10
# A click selects a road when its axis is closer than this many screen pixels.
ROAD_TOLERANCE_PX = 8
# Which layers the map shows when it opens (the rest are in the tree, switched off).
DEFAULT_VISIBLE = {
    "ortofoto",
    "uat",
    "intravilan",
    "pug_utr",
    "restrictii",
    "zona_drumului",
    "parcele",
    "cladiri",
    "drumuri_judetene",
}
GROUP_ORDER = ["fundal", "cadastru", "urbanism", "restrictii", "drumuri"]


# --- selectors -------------------------------------------------------------------------


def storage_point(x: float, y: float) -> Point:
    """A point in the storage SRID from request coordinates, refused outside Romania."""
    if not (math.isfinite(x) and math.isfinite(y)):
        raise serializers.ValidationError(_("Coordonate invalide."))
    xmin, ymin, xmax, ymax = ROMANIA_3844
    if not (xmin < x < xmax and ymin < y < ymax):
        raise serializers.ValidationError(
            _("Punctul nu se află în România în Stereo 70 (x = est, y = nord).")
        )
    return Point(x, y, srid=settings.SRID)


def county_extent() -> tuple[float, float, float, float] | None:
    """The extent of all UATs (the area the map opens on), in the storage SRID."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) "
            "FROM (SELECT ST_Extent(geom) AS e FROM layers_uat) s"
        )
        row = cursor.fetchone()
    return None if row is None or row[0] is None else tuple(float(v) for v in row)


def parcel_id_at(point: Point) -> int | None:
    """The parcel under `point`. A point on a shared boundary lies in several parcels: the
    one whose centroid is nearest wins, then the lowest id (deterministic)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id FROM layers_parcel p WHERE ST_Intersects(p.geom, %(pt)s::geometry) "
            "ORDER BY ST_Distance(ST_Centroid(p.geom), %(pt)s::geometry), p.id LIMIT 1",
            {"pt": point.hexewkb.decode()},
        )
        row = cursor.fetchone()
    return None if row is None else row[0]


def road_near(point: Point, tolerance_m: float) -> dict[str, Any] | None:
    """The county road whose axis passes within `tolerance_m` of `point`, with the km+m
    position of the click (nearest road first, then lowest id)."""
    road = (
        CountyRoad.objects.filter(geom__dwithin=(point, tolerance_m))
        .extra(
            select={"d": "ST_Distance(geom, %s::geometry)"},
            select_params=[point.hexewkb.decode()],
            order_by=["d", "id"],
        )
        .first()
    )
    if road is None:
        return None
    position = road_position(road, point)
    return {
        "id": road.pk,
        "number": road.number,
        "name": road.name,
        "administrator": road.administrator,
        "category": road.get_category_display(),
        "km": position.km_label,
        "km_value": round(position.km, 3),
        "offset_m": round(position.offset_m, 2),
        "side": position.side,
        "point": [round(position.nearest.x, 2), round(position.nearest.y, 2)],
    }


def _geojson(geom: GEOSGeometry, precision: int = 2) -> dict[str, Any]:
    """A GeoJSON geometry in the storage SRID, coordinates rounded to centimetres."""

    def rnd(coords):
        if isinstance(coords, (int, float)):
            return round(coords, precision)
        return [rnd(c) for c in coords]

    data = json.loads(geom.json)
    data["coordinates"] = rnd(data["coordinates"])
    return data


# The parcel, its UAT, land uses and (for officers) buildings in one prepared statement:
# the card is asked for at every click and portal lookup, and planning the ORM's queries
# cost more than running them at 1M parcels. Numbers keep the types the models give
# (numeric as decimal text, float8 as float8), so the card's values are the same.
_CARD_SQL = """
SELECT p.id, p.cadastral_number, p.land_book_number, p.address, p.legal_area,
       p.measured_area, ST_AsEWKB(p.geom), u.siruta, u.name, u.kind, u.county,
       (SELECT COALESCE(json_agg(json_build_array(l.category, l.area, l.intravilan)
                                 ORDER BY l.id), '[]')
        FROM layers_landuse l WHERE l.parcel_id = p.id),
       CASE WHEN %(officer)s::boolean THEN
           (SELECT COALESCE(json_agg(json_build_array(b.number, b.destination, b.levels,
                                                      b.built_area) ORDER BY b.number), '[]')
            FROM layers_building b WHERE b.parcel_id = p.id)
       END
FROM layers_parcel p JOIN layers_uat u ON u.id = p.uat_id
WHERE {where}
"""
_CARD_BY_REF = _CARD_SQL.format(
    where="u.siruta = %(siruta)s::integer AND p.cadastral_number = %(number)s::text"
)
_CARD_BY_ID = _CARD_SQL.format(where="p.id = %(id)s::bigint")


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _label(choices, value: str) -> str:
    """What `get_FOO_display()` gives: the choice's label in the active language."""
    return str(dict(choices).get(value, value))


def _card_from_row(row: tuple, *, officer: bool) -> dict[str, Any]:
    (
        pk,
        cadastral_number,
        land_book_number,
        address,
        legal_area,
        measured_area,
        ewkb,
        siruta,
        uat_name,
        uat_kind,
        county,
        land_uses,
        buildings,
    ) = row
    geom = GEOSGeometry(memoryview(bytes(ewkb)))
    analysis = analyse(geom)
    card: dict[str, Any] = {
        "id": pk,
        "ref": f"{siruta}:{cadastral_number}",
        "cadastral_number": cadastral_number,
        "land_book_number": land_book_number,
        "uat": {"siruta": siruta, "name": uat_name, "kind": _label(UAT.Kind.choices, uat_kind)},
        "county": county,
        "address": address,
        "intravilan": analysis["intravilan"]["status"],
        "legal_area_m2": float(legal_area) if legal_area is not None else None,
        "measured_area_m2": round(measured_area, 2),
        "land_uses": [
            {
                "category": category,
                "label": _label(LandUse.Category.choices, category),
                "area_m2": float(area),
                "intravilan": intravilan,
            }
            for category, area, intravilan in _json(land_uses)
        ],
        "zones": analysis["zones"],
        "restrictions": analysis["restrictions"],
        "road": analysis["road"],
        "road_bands": analysis["road_bands"],
        "findings": analysis["findings"],
        "approvals": analysis["approvals"],
        "in_road_zone": bool(analysis["road"] and analysis["road"]["bands_reached"]),
        "geometry": _geojson(geom),
        "bbox": [round(v, 2) for v in geom.extent],
        "srid": settings.SRID,
    }
    if officer:
        card["buildings"] = [
            {
                "label": f"C{number}",
                "destination": _label(Building.Destination.choices, destination),
                "levels": levels,
                "built_area_m2": round(float(built_area), 2),
            }
            for number, destination, levels, built_area in _json(buildings)
        ]
    return card


def parcel_card(parcel: Parcel, *, officer: bool) -> dict[str, Any]:
    """What the map and the portal show about a parcel: identity, land use, the UTR rules,
    restrictions, road position and approvals. Never owners (PropertyRight)."""
    card = card_by_id(parcel.pk, officer=officer)
    if card is None:
        raise Parcel.DoesNotExist(parcel.pk)
    return card


def card_by_ref(siruta: int, number: str, *, officer: bool) -> dict[str, Any] | None:
    """`parcel_card` of the parcel with this UAT SIRUTA and cadastral number (None if there
    is none), without loading the model first: one statement before the analysis."""
    if not 0 <= siruta < 2**31 or "\x00" in number:
        return None  # no such UAT (integer column) or cadastral number (no NUL in text)
    row = fetchone_prepared(
        "gisapp_card_ref", _CARD_BY_REF, {"siruta": siruta, "number": number, "officer": officer}
    )
    return None if row is None else _card_from_row(row, officer=officer)


def card_by_id(pk: int, *, officer: bool) -> dict[str, Any] | None:
    row = fetchone_prepared("gisapp_card_id", _CARD_BY_ID, {"id": pk, "officer": officer})
    return None if row is None else _card_from_row(row, officer=officer)


def parcel_by_ref(siruta: int, number: str) -> Parcel | None:
    return (
        Parcel.objects.select_related("uat")
        .filter(uat__siruta=siruta, cadastral_number=number)
        .first()
    )


# --- search ----------------------------------------------------------------------------

_ROAD_KM = re.compile(
    r"^\s*(DJ|DN|DC)\s*(\d{1,3}[A-Z]?)\b\s*[,;]?\s*(?:(?:la\s+)?(km\s*\d+(?:\s*\+\s*\d{1,3})?|"
    r"\d+\s*\+\s*\d{1,3}))?\s*$",
    re.IGNORECASE,
)
_PARCEL_REF = re.compile(r"^\s*(\d{6})\s*[:/]\s*([0-9A-Za-z-]{1,30})\s*$")
_DIGITS = re.compile(r"^\d[0-9A-Za-z-]*$")


def fold(text: str) -> str:
    """Lower case without diacritics (ș, ş → s ...), for forgiving text search."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


# The same folding inside PostgreSQL, for the Romanian letters (no unaccent extension).
_SQL_FOLD = "translate(lower({}), 'ăâîșşțţáéíóöőüű', 'aaisstttaeiooouuu')"


def _result_for_parcel(parcel: Parcel) -> dict[str, Any]:
    return {
        "kind": "parcel",
        "label": f"{parcel.cadastral_number} – {parcel.uat.name}",
        "detail": parcel.address,
        "ref": f"{parcel.uat.siruta}:{parcel.cadastral_number}",
        "siruta": parcel.uat.siruta,
        "cadastral_number": parcel.cadastral_number,
        "bbox": [round(v, 2) for v in parcel.geom.extent],
        "geometry": _geojson(parcel.geom),
    }


def _uats_named(words: list[str]) -> tuple[list[int], list[str]]:
    """UAT ids whose folded name contains all of `words` that name a UAT, and the words
    that were not part of a UAT name."""
    uats = list(UAT.objects.values_list("id", "name"))
    matched: set[int] = set()
    rest: list[str] = []
    name_words = {w for _, name in uats for w in fold(name).replace("-", " ").split()}
    uat_words = [w for w in words if w in name_words]
    rest = [w for w in words if w not in name_words]
    if uat_words:
        matched = {
            pk
            for pk, name in uats
            if all(w in fold(name).replace("-", " ").split() for w in uat_words)
        }
    return sorted(matched), rest


def search(text: str, limit: int = SEARCH_LIMIT) -> list[dict[str, Any]]:
    """Parcels by cadastral number (optionally with UAT name or SIRUTA), county roads by
    number and km+m ("DJ 107 km 1+350"), parcels by address words."""
    text = text.strip()
    if not text:
        return []
    road = _ROAD_KM.match(text)
    if road:
        return _search_road(road.group(1).upper(), road.group(2).upper(), road.group(3))
    ref = _PARCEL_REF.match(text)
    if ref:
        parcel = parcel_by_ref(int(ref.group(1)), ref.group(2))
        return [_result_for_parcel(parcel)] if parcel else []
    words = [w for w in re.split(r"[\s,;.]+", fold(text)) if w and w not in {"nr", "str"}]
    uat_ids, rest = _uats_named(words)
    numbers = [w for w in rest if _DIGITS.match(w)]
    results: list[dict[str, Any]] = []
    if len(numbers) == 1 and len(rest) == 1:
        parcels = Parcel.objects.select_related("uat").filter(cadastral_number=numbers[0])
        if uat_ids:
            parcels = parcels.filter(uat_id__in=uat_ids)
        results += [_result_for_parcel(p) for p in parcels.order_by("uat__name", "id")[:limit]]
    if len(results) < limit and rest and any(not _DIGITS.match(w) for w in rest):
        results += _search_address(rest, uat_ids, limit - len(results))
    return results


def _search_road(prefix: str, number: str, km_text: str | None) -> list[dict[str, Any]]:
    road = CountyRoad.objects.filter(number=f"{prefix} {number}").first()
    if road is None:
        return []
    if not km_text:
        return [
            {
                "kind": "road",
                "label": str(road),
                "detail": road.administrator,
                "road": road.number,
                "bbox": [round(v, 2) for v in road.geom.extent],
                "geometry": _geojson(road.geom),
            }
        ]
    try:
        km = parse_km(km_text)
        point = point_at_km(road, km)
    except ValueError as exc:
        return [{"kind": "error", "label": str(exc)}]
    x, y = round(point.x, 2), round(point.y, 2)
    return [
        {
            "kind": "road_km",
            "label": f"{road.number} {format_km(km)}",
            "detail": road.name,
            "road": road.number,
            "km": format_km(km),
            "point": [x, y],
            "bbox": [x - 50, y - 50, x + 50, y + 50],
            "geometry": {"type": "Point", "coordinates": [x, y]},
        }
    ]


def _search_address(words: list[str], uat_ids: list[int], limit: int) -> list[dict[str, Any]]:
    if limit <= 0:
        return []
    folded = _SQL_FOLD.format("p.address")
    where, params = [], []
    for word in words:
        if _DIGITS.match(word):
            where.append(f"{folded} ~ %s")
            params.append(rf"(^|[^0-9a-z]){re.escape(word)}([^0-9a-z]|$)")
        else:
            where.append(f"{folded} LIKE %s")
            params.append("%" + word.replace("%", r"\%").replace("_", r"\_") + "%")
    if uat_ids:
        where.append("p.uat_id = ANY(%s)")
        params.append(uat_ids)
    sql = (
        "SELECT p.id FROM layers_parcel p WHERE "  # noqa: S608 - fixed fragments, bound values
        + " AND ".join(where)
        + " ORDER BY p.uat_id, length(p.address), p.address, p.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, limit])
        ids = [row[0] for row in cursor.fetchall()]
    parcels = {p.pk: p for p in Parcel.objects.select_related("uat").filter(pk__in=ids)}
    return [_result_for_parcel(parcels[pk]) for pk in ids if pk in parcels]


# --- map configuration -----------------------------------------------------------------


def legend_url(layer: Layer) -> str:
    return (
        "/ows?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetLegendGraphic&FORMAT=image/png"
        f"&SLD_VERSION=1.1.0&LAYER={layer.name}"
    )


def map_config(user) -> dict[str, Any]:
    """What the web map needs before drawing: the projection definition (from PROJ, with
    its datum shift), the extent, and the layers this user may see, grouped."""
    layers = list(visible_layers(user).order_by("order", "name"))
    groups: dict[str, dict[str, Any]] = {}
    titles = dict(Layer.Group.choices)
    for layer in layers:
        group = groups.setdefault(
            layer.group, {"name": layer.group, "title": str(titles[layer.group]), "layers": []}
        )
        group["layers"].append(
            {
                "name": layer.name,
                "title": layer.title,
                "geometry_type": layer.geometry_type,
                "base": layer.group == Layer.Group.FUNDAL,
                "visible": layer.name in DEFAULT_VISIBLE,
                "opacity": 1.0,
                "min_scale": layer.min_scale,
                "max_scale": layer.max_scale,
                "legend": legend_url(layer),
            }
        )
    ordered = sorted(
        groups.values(),
        key=lambda g: GROUP_ORDER.index(g["name"]) if g["name"] in GROUP_ORDER else 99,
    )
    extent = county_extent() or (370_000.0, 480_000.0, 380_000.0, 490_000.0)
    return {
        "srid": settings.SRID,
        "projection": {"code": f"EPSG:{settings.SRID}", "proj4": bound_proj4(settings.SRID)},
        "extent": [round(v, 2) for v in extent],
        "ows": "/ows",
        "wms_version": "1.3.0",
        "groups": ordered,
        "officer": is_officer(user),
        "print_scales": list(PRINT_SCALES),
        "county": settings.DEMO_COUNTY_NAME,
        "api": api_urls(),
    }


def _reverse(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def api_urls() -> dict[str, str]:
    """Where the map's endpoints are mounted, and the permits hooks (HTTP only: layers
    never imports permits; a missing permits API answers 404 and the map shows nothing)."""
    return {
        "identify": _reverse("layers_map:identify", "/api/map/identify/"),
        "search": _reverse("layers_map:search", "/api/map/search/"),
        # prefix of parcels/<siruta>/<number>/
        "parcel": _reverse("layers_map:search", "/api/map/search/").rsplit("search/", 1)[0]
        + "parcels/",
        "print": _reverse("layers_map:print", "/api/map/print/"),
        "analysis": _reverse("layers:analysis", "/api/analysis/"),
        "applications": getattr(settings, "PERMITS_APPLICATIONS_API", "/api/applications/"),
        "application_form": getattr(settings, "PERMITS_APPLICATION_FORM", "/cereri/noua/"),
    }


# --- printing --------------------------------------------------------------------------


class InMemoryFetcher:
    """WeasyPrint URL fetcher that serves only the resources handed to it (mem:NAME):
    no file://, no network."""

    def __init__(self, resources: dict[str, tuple[bytes, str]]):
        self.resources = resources

    def fetch(self, url: str) -> tuple[bytes, str]:
        if not url.startswith("mem:") or url[4:] not in self.resources:
            raise ValueError(f"Resursă refuzată la tipărire: {url[:80]}")
        return self.resources[url[4:]]


def _weasy_fetcher(memory: InMemoryFetcher):
    """Adapt InMemoryFetcher to the installed WeasyPrint (class API from 63, dict before)."""
    from weasyprint import urls

    if hasattr(urls, "URLFetcher") and hasattr(urls, "URLFetcherResponse"):

        class Fetcher(urls.URLFetcher):
            def __init__(self):
                super().__init__(allowed_protocols=["mem"])

            def fetch(self, url, headers=None):
                body, mime = memory.fetch(url)
                return urls.URLFetcherResponse(url, body, headers={"Content-Type": mime})

            __call__ = fetch

        return Fetcher()

    def legacy(url: str) -> dict[str, Any]:
        body, mime = memory.fetch(url)
        return {"string": body, "mime_type": mime}

    return legacy


def print_pdf(
    *,
    center: Point,
    scale: int,
    title: str,
    subject: GEOSGeometry | None,
    author: str,
) -> bytes:
    """A one-page A4 landscape PDF of the map at `scale` centred on `center`: MapServer
    renders the frame (render_extract), WeasyPrint lays out title, scale, north arrow and
    the Stereo 70 coordinates of the frame corners."""
    from weasyprint import HTML

    from layers.publishing.extracts import render_extract

    if subject is None:
        # No subject: a 1 m square at the centre marks the middle of the frame.
        x, y = center.x, center.y
        subject = Polygon.from_bbox((x - 0.5, y - 0.5, x + 0.5, y + 0.5))
        subject.srid = settings.SRID
    kind = "situatie" if scale <= 2000 else "incadrare"
    extract = render_extract(
        subject=subject, scale=scale, kind=kind, center=center, width_mm=250, height_mm=150
    )
    xmin, ymin, xmax, ymax = extract.extent
    html = render_to_string(
        "layers_map/print.html",
        {
            "title": title or extract.title,
            "kind_title": extract.title,
            "scale": f"1:{scale:,}".replace(",", "\u202f"),
            "extent": {
                "xmin": f"{xmin:,.0f}".replace(",", " "),
                "xmax": f"{xmax:,.0f}".replace(",", " "),
                "ymin": f"{ymin:,.0f}".replace(",", " "),
                "ymax": f"{ymax:,.0f}".replace(",", " "),
            },
            "county": settings.DEMO_COUNTY_NAME,
            "author": author,
            "printed_at": timezone.localtime().strftime("%d.%m.%Y %H:%M"),
            "srid": settings.SRID,
        },
    )
    fetcher = _weasy_fetcher(InMemoryFetcher({"map.png": (extract.png, "image/png")}))
    out = io.BytesIO()
    HTML(string=html, base_url="mem:", url_fetcher=fetcher).write_pdf(out)
    return out.getvalue()


# --- views -----------------------------------------------------------------------------


class IsOfficer(BasePermission):
    message = gettext_lazy("Doar funcționarii autentificați pot tipări hărți.")

    def has_permission(self, request, view) -> bool:
        return is_officer(request.user)


class PublicView(APIView):
    permission_classes = [AllowAny]
    throttle_classes = [AnonRateThrottle, UserRateThrottle]


class MapConfigView(PublicView):
    """Projection definition, extent and layer tree of the web map for the caller."""

    def get(self, request: Request) -> Response:
        return Response(map_config(request.user))


class PointQuery(serializers.Serializer):
    x = serializers.FloatField(help_text="est (m), EPSG:3844")
    y = serializers.FloatField(help_text="nord (m), EPSG:3844")
    res = serializers.FloatField(
        required=False, default=1.0, min_value=0.001, max_value=5000, help_text="m / pixel"
    )


class IdentifyView(PublicView):
    """What is under a map click: the parcel card (deterministic on shared boundaries)
    and the county road near the click with its km+m."""

    def get(self, request: Request) -> Response:
        query = PointQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        point = storage_point(query.validated_data["x"], query.validated_data["y"])
        tolerance = min(max(query.validated_data["res"] * ROAD_TOLERANCE_PX, 1.0), 250.0)
        pid = parcel_id_at(point)
        return Response(
            {
                "point": [point.x, point.y],
                "parcel": card_by_id(pid, officer=is_officer(request.user)) if pid else None,
                "road": road_near(point, tolerance),
            }
        )


class ParcelCardView(PublicView):
    """The parcel card by UAT SIRUTA and cadastral number."""

    def get(self, request: Request, siruta: int, number: str) -> Response:
        card = card_by_ref(siruta, number, officer=is_officer(request.user))
        if card is None:
            return Response(
                {
                    "detail": _("Imobilul %(number)s nu există în UAT %(siruta)s.")
                    % {"number": number, "siruta": siruta}
                },
                status=status.HTTP_404_NOT_FOUND,
            )
        return Response(card)


class SearchView(PublicView):
    """Search: cadastral number (with UAT name or SIRUTA:nr), address, road + km."""

    def get(self, request: Request) -> Response:
        text = request.query_params.get("q", "")[:200]
        return Response({"query": text, "results": search(text)})


class RoadKmQuery(serializers.Serializer):
    road = serializers.CharField(max_length=12)
    km = serializers.CharField(max_length=20)


class RoadKmView(PublicView):
    """The point of a county road at a km+m position."""

    def get(self, request: Request) -> Response:
        query = RoadKmQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        number = re.sub(r"\s+", " ", query.validated_data["road"].strip().upper())
        number = re.sub(r"^(DJ|DN|DC)(\d)", r"\1 \2", number)
        road = CountyRoad.objects.filter(number=number).first()
        if road is None:
            return Response(
                {"detail": _("Drumul %(road)s nu există.") % {"road": number}}, status=404
            )
        try:
            km = parse_km(query.validated_data["km"])
            point = point_at_km(road, km)
        except ValueError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"road": road.number, "km": format_km(km), "point": [point.x, point.y]})


class PrintRequest(serializers.Serializer):
    center = serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2)
    scale = serializers.ChoiceField(choices=PRINT_SCALES)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True)
    parcel = serializers.RegexField(r"^\d{1,9}:[0-9A-Za-z-]{1,30}$", required=False)


class PrintView(APIView):
    """The current view printed to a one-page PDF at a chosen scale (officers)."""

    permission_classes = [IsOfficer]
    throttle_classes = [UserRateThrottle]

    def post(self, request: Request) -> HttpResponse:
        payload = PrintRequest(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        center = storage_point(*data["center"])
        subject = None
        if data.get("parcel"):
            siruta, number = data["parcel"].split(":", 1)
            parcel = parcel_by_ref(int(siruta), number)
            subject = parcel.geom if parcel else None
        try:
            pdf = print_pdf(
                center=center,
                scale=data["scale"],
                title=data.get("title", ""),
                subject=subject,
                author=request.user.get_full_name() or request.user.get_username(),
            )
        except InvalidSubject as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        name = f"harta-1-{data['scale']}-{datetime.now():%Y%m%d-%H%M}.pdf"
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# These views answer free-form JSON (or a PDF); document them as such in the OpenAPI
# schema instead of letting drf-spectacular guess a serializer.
for _view in (MapConfigView, IdentifyView, ParcelCardView, SearchView, RoadKmView, PrintView):
    for _method in ("get", "post"):
        if hasattr(_view, _method):
            setattr(
                _view,
                _method,
                extend_schema(
                    request=OpenApiTypes.OBJECT if _method == "post" else None,
                    responses={200: OpenApiTypes.OBJECT},
                )(getattr(_view, _method)),
            )
