"""Overlap analysis of a subject geometry (parcels or a drawn footprint) against the
spatial database: what an officer needs to draft a CU, an AC/AD or a road approval.

All measurements are done in PostGIS in the storage SRID (Stereo 70, metres), in one
round trip for the overlay part: intersects-but-not-merely-touches, intersection areas
and percentages of the subject. Rule checks produce findings, never decisions.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.utils.translation import gettext as _

from layers.db import fetchone_prepared, read_connection
from layers.models import CountyRoad, RoadZoneRule
from layers.roads import (
    PARTS_CTES,
    POSITION_COLUMNS,
    POSITION_CTES,
    position_from_row,
    road_position,
)

# One statement for the whole overlay, prepared once per connection (planning it cost
# more than running it at 1M parcels). The subject is %(g)s (hex EWKB in the storage SRID)
# or, when that is NULL, the union of the parcels named by %(sirutas)s / %(numbers)s.
# Hits are features whose interior meets the subject's (touching-only neighbours
# excluded); a feature that covers the subject (the usual case for UAT, intravilan and
# UTR) needs neither the touch test nor the overlay: the area is the subject's.
_OVERLAY_SQL = (
    "-- layers.analysis overlay\n"  # noqa: S608 - constant SQL, parameters are bound
    + """WITH found AS (
    SELECT k.siruta, p.cadastral_number, p.geom
    FROM unnest(%(sirutas)s::int[], %(numbers)s::text[]) AS k(siruta, number)
    JOIN layers_uat u ON u.siruta = k.siruta
    JOIN layers_parcel p ON p.uat_id = u.id AND p.cadastral_number = k.number
),
s AS (
    SELECT ST_CollectionExtract(ST_MakeValid(
        COALESCE(%(g)s::geometry, (SELECT ST_Union(geom) FROM found))), 3) AS g
),
uats AS (
    SELECT COALESCE(json_agg(json_build_object(
        'siruta', u.siruta, 'name', u.name, 'kind', u.kind, 'county', u.county,
        'area_m2', CASE WHEN k.covers THEN ST_Area(s.g)
                        ELSE ST_Area(ST_Intersection(u.geom, s.g)) END)
        ORDER BY u.siruta), '[]') AS j
    FROM layers_uat u, s, LATERAL (SELECT ST_Covers(u.geom, s.g) AS covers) k
    WHERE u.geom && s.g
      AND (k.covers OR (ST_Intersects(u.geom, s.g) AND NOT ST_Touches(u.geom, s.g)))
),
intra AS (
    SELECT COALESCE(json_agg(json_build_object(
        'locality', i.locality,
        'area_m2', CASE WHEN k.covers THEN ST_Area(s.g)
                        ELSE ST_Area(ST_Intersection(i.geom, s.g)) END)
        ORDER BY i.locality), '[]') AS j
    FROM layers_intravilan i, s, LATERAL (SELECT ST_Covers(i.geom, s.g) AS covers) k
    WHERE i.geom && s.g
      AND (k.covers OR (ST_Intersects(i.geom, s.g) AND NOT ST_Touches(i.geom, s.g)))
),
zones AS (
    SELECT COALESCE(json_agg(json_build_object(
        'id', z.id, 'code', z.code, 'name', z.name, 'dominant_function', z.dominant_function,
        'allowed_uses', z.allowed_uses, 'conditioned_uses', z.conditioned_uses,
        'forbidden_uses', z.forbidden_uses, 'pot_max', z.pot_max, 'cut_max', z.cut_max,
        'height_max', z.height_max, 'levels_max', z.levels_max,
        'height_regime', z.height_regime, 'plan', p.kind || ' ' || p.title,
        'plan_kind', p.kind, 'decision', p.decision_number, 'decision_date', p.decision_date,
        'valid_until', p.valid_until,
        'area_m2', CASE WHEN k.covers THEN ST_Area(s.g)
                        ELSE ST_Area(ST_Intersection(z.geom, s.g)) END)
        ORDER BY z.id), '[]') AS j
    FROM layers_zone z JOIN layers_urbanplan p ON p.id = z.plan_id AND p.status = 'in_vigoare',
         s, LATERAL (SELECT ST_Covers(z.geom, s.g) AS covers) k
    WHERE z.geom && s.g
      AND (k.covers OR (ST_Intersects(z.geom, s.g) AND NOT ST_Touches(z.geom, s.g)))
),
restrictions AS (
    SELECT COALESCE(json_agg(json_build_object(
        'id', r.id, 'kind', r.kind, 'code', r.code, 'name', r.name,
        'legal_basis', r.legal_basis, 'authority', r.authority, 'approval', r.approval,
        'area_m2', CASE WHEN k.covers THEN ST_Area(s.g)
                        ELSE ST_Area(ST_Intersection(r.geom, s.g)) END)
        ORDER BY r.id), '[]') AS j
    FROM layers_restriction r, s, LATERAL (SELECT ST_Covers(r.geom, s.g) AS covers) k
    WHERE r.geom && s.g
      AND (k.covers OR (ST_Intersects(r.geom, s.g) AND NOT ST_Touches(r.geom, s.g)))
),
bands AS (
    SELECT COALESCE(json_agg(json_build_object(
        'road_id', c.id, 'road', c.number, 'band', b.band, 'intravilan', b.intravilan,
        'area_m2', CASE WHEN k.covers THEN ST_Area(s.g)
                        ELSE ST_Area(ST_Intersection(b.geom, s.g)) END)
        ORDER BY c.number, b.band), '[]') AS j
    FROM layers_roadzone b JOIN layers_countyroad c ON c.id = b.road_id, s,
         LATERAL (SELECT ST_Covers(b.geom, s.g) AS covers) k
    WHERE b.geom && s.g
      AND (k.covers OR (ST_Intersects(b.geom, s.g) AND NOT ST_Touches(b.geom, s.g)))
),
buildings AS (
    SELECT COALESCE(SUM(ST_Area(ST_Intersection(b.geom, s.g))), 0) AS a
    FROM layers_building b, s
    WHERE ST_Intersects(b.geom, s.g) AND NOT ST_Touches(b.geom, s.g)
),
-- Nearest road: the exact distance to the road with the nearest bounding box bounds the
-- search, so only roads whose box lies that near are measured (an axis has hundreds of
-- vertices; the K-nearest index scan measured every candidate it popped).
first AS (
    SELECT ST_Distance(r.geom, s.g) AS d
    FROM layers_countyroad r, s ORDER BY r.geom <#> s.g, r.id LIMIT 1
),
nearest AS (
    SELECT c.*, ST_ClosestPoint(c.geom, s.g) AS p
    FROM (SELECT r.id, r.number, r.name, r.administrator, r.category, r.km_start, r.geom,
                 ST_Distance(r.geom, s.g) AS d
          FROM layers_countyroad r, s, first
          WHERE r.geom && ST_Expand(s.g, first.d)
          ORDER BY d, r.id LIMIT 1) c, s
),
road AS (
    SELECT n.*, EXISTS (SELECT 1 FROM layers_intravilan i WHERE ST_Intersects(i.geom, n.p))
           AS in_intravilan
    FROM nearest n
),
-- the km position of the road's point nearest the subject (layers.roads, same statement)
position_of AS (SELECT p AS pt FROM road),
"""
    + PARTS_CTES
    + ", "
    + POSITION_CTES
    + """
SELECT json_build_object(
    'found', (SELECT COALESCE(json_agg(json_build_array(siruta, cadastral_number)), '[]')
              FROM found),
    'area_m2', ST_Area(s.g), 'uats', uats.j, 'intravilan', intra.j, 'zones', zones.j,
    'restrictions', restrictions.j, 'road_bands', bands.j, 'existing_built_m2', buildings.a,
    'centroid', json_build_array(ST_X(ST_Transform(ST_Centroid(s.g), 4326)),
                                 ST_Y(ST_Transform(ST_Centroid(s.g), 4326))),
    'road', (SELECT json_build_object(
        'id', road.id, 'number', road.number, 'name', road.name,
        'administrator', road.administrator, 'category', road.category,
        'km_start', road.km_start, 'distance', road.d,
        'in_intravilan', road.in_intravilan,
        'rule', (SELECT row_to_json(r) FROM layers_roadzonerule r
                 WHERE r.category = road.category AND r.intravilan = road.in_intravilan))
        FROM road)
), position.*
FROM s, uats, intra, zones, restrictions, bands, buildings
     LEFT JOIN (SELECT """
    + POSITION_COLUMNS
    + """ FROM dir) AS position ON true
"""
)

BAND_ORDER = ["ampriza", "siguranta", "protectie"]
BAND_NAMES = {
    "ampriza": "ampriză",
    "siguranta": "zonă de siguranță",
    "protectie": "zonă de protecție",
}
STANDARD_APPROVALS = [
    ("alimentare cu energie electrică", "operatorul de distribuție"),
    ("alimentare cu apă și canalizare", "operatorul regional de apă"),
    ("securitate la incendiu", "Inspectoratul pentru Situații de Urgență"),
    ("sănătatea populației", "Direcția de Sănătate Publică"),
    (
        "actul administrativ al autorității pentru protecția mediului",
        "Agenția pentru Protecția Mediului",
    ),
]


class UnknownParcel(ValueError):
    """A parcel named by UAT and cadastral number that the cadastre does not have."""


class InvalidSubject(ValueError):
    """A subject geometry that cannot be analysed (empty, not an area, outside Romania)."""


def subject_geometry(parcels: list[tuple[int, str]]) -> GEOSGeometry:
    """The union of the named parcels (UAT SIRUTA, cadastral number) in the storage SRID."""
    if not parcels:
        raise UnknownParcel(_("Nu a fost indicat niciun imobil."))
    with read_connection().cursor() as cursor:
        cursor.execute(
            "SELECT u.siruta, p.cadastral_number, ST_AsEWKB(p.geom) FROM layers_parcel p "
            "JOIN layers_uat u ON u.id = p.uat_id "
            "WHERE (u.siruta, p.cadastral_number) IN (SELECT * FROM unnest(%s::int[], %s::text[]))",
            [[int(s) for s, _ in parcels], [str(n) for _, n in parcels]],
        )
        rows = cursor.fetchall()
    found = {(siruta, number) for siruta, number, _ in rows}
    missing = [f"{n} (UAT {s})" for s, n in parcels if (int(s), str(n)) not in found]
    if missing:
        raise UnknownParcel(
            _("Imobil inexistent în cadastru: %(parcels)s") % {"parcels": ", ".join(missing)}
        )
    union = None
    for _siruta, _number, ewkb in rows:
        geom = GEOSGeometry(memoryview(bytes(ewkb)))
        union = geom if union is None else union.union(geom)
    return union


def _storage(geom: GEOSGeometry) -> GEOSGeometry:
    if geom is None or geom.empty:
        raise InvalidSubject(_("Geometria este goală."))
    if geom.srid is None:
        raise InvalidSubject(_("Geometria nu are sistem de coordonate declarat."))
    if geom.srid != settings.SRID:
        geom = geom.transform(settings.SRID, clone=True)
    xmin, ymin, xmax, ymax = geom.extent
    # Romania in Stereo 70 with a margin; anything else is a wrong CRS or swapped axes.
    if not (100_000 < xmin <= xmax < 1_000_000 and 150_000 < ymin <= ymax < 850_000):
        raise InvalidSubject(
            _(
                "Geometria nu se află în România în sistemul declarat (verificați CRS-ul și "
                "ordinea axelor)."
            )
        )
    return geom


def _overlay(*, g: str | None = None, parcels: list[tuple[int, str]] = ()) -> dict[str, Any]:
    params = {
        "g": g,
        "sirutas": [int(siruta) for siruta, _ in parcels],
        "numbers": [str(number) for _, number in parcels],
    }
    overlay, *position = fetchone_prepared("gisapp_overlay", _OVERLAY_SQL, params)
    overlay = json.loads(overlay) if isinstance(overlay, str) else overlay
    overlay["road_position"] = position if position[0] is not None else None
    return overlay


def analyse(geom: GEOSGeometry, *, proposed: dict[str, Any] | None = None) -> dict[str, Any]:
    """The whole analysis of `geom` as a JSON-able dict (no personal data).

    `proposed` (all optional): built_area, floor_area, height, levels, use (text),
    footprint (GEOSGeometry), access_point (GEOSGeometry Point), traffic_generating,
    demolish_existing.
    """
    geom = _storage(geom)
    if geom.dims < 2:
        raise InvalidSubject(
            _("Subiectul analizei trebuie să fie o suprafață (imobil sau amprentă).")
        )
    return _result(_overlay(g=geom.hexewkb.decode()), dict(proposed or {}))


def analyse_parcels(
    parcels: list[tuple[int, str]], *, proposed: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`analyse` of the union of the named parcels (UAT SIRUTA, cadastral number), found
    and united in the same statement as the overlay (one round trip)."""
    if not parcels:
        raise UnknownParcel(_("Nu a fost indicat niciun imobil."))
    overlay = _overlay(parcels=parcels)
    found = {(int(siruta), str(number)) for siruta, number in overlay["found"]}
    missing = [f"{n} (UAT {s})" for s, n in parcels if (int(s), str(n)) not in found]
    if missing:
        raise UnknownParcel(
            _("Imobil inexistent în cadastru: %(parcels)s") % {"parcels": ", ".join(missing)}
        )
    return _result(overlay, dict(proposed or {}))


def _result(overlay: dict[str, Any], proposed: dict[str, Any]) -> dict[str, Any]:
    area = overlay["area_m2"]
    if not area or area <= 0:
        raise InvalidSubject(_("Subiectul analizei are suprafața zero."))

    def pct(part: float) -> float:
        return round(100.0 * part / area, 2)

    for section in ("uats", "intravilan", "zones", "restrictions", "road_bands"):
        for hit in overlay[section]:
            hit["area_m2"] = round(hit["area_m2"], 2)
            hit["percent"] = pct(hit["area_m2"])
    intravilan_area = sum(h["area_m2"] for h in overlay["intravilan"])
    result: dict[str, Any] = {
        "subject": {
            "area_m2": round(area, 2),
            "srid": settings.SRID,
            "centroid_lonlat": overlay["centroid"],
            "existing_built_m2": round(overlay["existing_built_m2"], 2),
        },
        "uats": overlay["uats"],
        "intravilan": {
            "status": "intravilan"
            if pct(intravilan_area) >= 99.99
            else ("parțial intravilan" if intravilan_area > 0 else "extravilan"),
            "area_m2": round(intravilan_area, 2),
            "percent": pct(intravilan_area),
            "localities": overlay["intravilan"],
        },
        "zones": overlay["zones"],
        "restrictions": overlay["restrictions"],
        "road_bands": overlay["road_bands"],
        "road": _road_section(
            overlay["road"], overlay["road_bands"], proposed, overlay["road_position"]
        ),
    }
    result["findings"] = _findings(result, proposed)
    result["approvals"] = _approvals(result)
    return result


def _road_section(
    nearest: dict | None, bands, proposed, road_position_row
) -> dict[str, Any] | None:
    if nearest is None:
        return None
    road = CountyRoad(
        pk=nearest["id"],
        number=nearest["number"],
        name=nearest["name"],
        administrator=nearest["administrator"],
        category=nearest["category"],
        km_start=nearest["km_start"],
    )
    distance = nearest["distance"]
    position = position_from_row(road, road_position_row)
    in_intravilan = nearest["in_intravilan"]
    rule = RoadZoneRule(**nearest["rule"]) if nearest["rule"] else None
    reached = sorted({b["band"] for b in bands if b["road_id"] == road.pk}, key=BAND_ORDER.index)
    section: dict[str, Any] = {
        "id": road.pk,
        "number": road.number,
        "name": road.name,
        "administrator": road.administrator,
        "category": road.category,
        "distance_m": round(distance, 2),
        "nearest_km": position.km_label,
        "nearest_km_value": round(position.km, 3),
        "side": position.side,
        "in_intravilan": in_intravilan,
        "bands_reached": reached,
        "innermost_band": reached[0] if reached else None,
        "rule": None,
    }
    if rule:
        section["rule"] = {
            "ampriza_half_width": float(rule.ampriza_half_width),
            "safety_width": float(rule.safety_width),
            "protection_distance": float(rule.protection_distance),
            "traffic_generator_distance": float(rule.traffic_generator_distance)
            if rule.traffic_generator_distance is not None
            else None,
            "carriageway_half_width": float(rule.carriageway_half_width),
            "legal_basis": rule.legal_basis,
        }
        edge_distance = max(0.0, distance - float(rule.carriageway_half_width))
        section["distance_from_carriageway_m"] = round(edge_distance, 2)
        applies = rule.traffic_generator_distance is not None
        section["traffic_rule"] = {
            "applies": applies,
            "min_distance_m": float(rule.traffic_generator_distance) if applies else None,
            "met": (edge_distance >= float(rule.traffic_generator_distance)) if applies else None,
        }
    access = proposed.get("access_point")
    if access is not None:
        access = _storage(access)
        access_position = road_position(road, access)
        section["access"] = {
            "km": access_position.km_label,
            "km_value": round(access_position.km, 3),
            "offset_m": round(access_position.offset_m, 2),
            "side": access_position.side,
        }
    return section


def _cmp(ok: bool) -> str:
    return "≤" if ok else ">"


def _fold(text: str) -> str:
    """Lower case without diacritics, for matching uses against the UTR regulation."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _dominant_zone(zones: list[dict]) -> dict | None:
    return max(zones, key=lambda z: z["area_m2"]) if zones else None


def _findings(result: dict[str, Any], proposed: dict[str, Any]) -> list[dict[str, Any]]:
    findings: list[dict[str, Any]] = []
    subject_area = result["subject"]["area_m2"]
    zone = _dominant_zone(result["zones"])

    def add(rule: str, severity: str, message: str, **data: Any) -> None:
        findings.append({"rule": rule, "severity": severity, "message": message, **data})

    if zone is None:
        add("utr", "info", "Subiectul nu se află într-o UTR a unui plan urbanistic în vigoare.")
    elif len(result["zones"]) > 1:
        codes = ", ".join(z["code"] for z in result["zones"])
        add(
            "utr",
            "warning",
            f"Subiectul se întinde pe mai multe UTR ({codes}); "
            f"se aplică regulile fiecărei zone pe partea ei.",
        )
    footprint = proposed.get("footprint")
    built = proposed.get("built_area")
    if built is None and footprint is not None:
        built = _storage(footprint).area
    if zone and built is not None:
        existing = (
            0.0 if proposed.get("demolish_existing") else result["subject"]["existing_built_m2"]
        )
        pot = 100.0 * (float(built) + existing) / subject_area
        limit = float(zone["pot_max"])
        ok = pot <= limit + 1e-9
        add(
            "pot",
            "ok" if ok else "violation",
            f"POT propus {pot:.2f}% {_cmp(ok)} POT maxim {limit:.2f}% (UTR {zone['code']}).",
            value=round(pot, 2),
            limit=limit,
        )
    if zone and proposed.get("floor_area") is not None:
        cut = float(proposed["floor_area"]) / subject_area
        limit = float(zone["cut_max"])
        ok = cut <= limit + 1e-9
        add(
            "cut",
            "ok" if ok else "violation",
            f"CUT propus {cut:.2f} {_cmp(ok)} CUT maxim {limit:.2f} (UTR {zone['code']}).",
            value=round(cut, 3),
            limit=limit,
        )
    if zone and proposed.get("height") is not None and zone["height_max"] is not None:
        height, limit = float(proposed["height"]), float(zone["height_max"])
        ok = height <= limit + 1e-9
        add(
            "height",
            "ok" if ok else "violation",
            f"Înălțime propusă {height:.2f} m {_cmp(ok)} maxim {limit:.2f} m.",
            value=height,
            limit=limit,
        )
    if zone and proposed.get("levels") is not None and zone["levels_max"] is not None:
        levels, limit = int(proposed["levels"]), int(zone["levels_max"])
        ok = levels <= limit
        add(
            "levels",
            "ok" if ok else "violation",
            f"Niveluri propuse {levels} {_cmp(ok)} maxim {limit} ({zone['height_regime']}).",
            value=levels,
            limit=limit,
        )
    if zone and proposed.get("use"):
        add("use", *_use_finding(proposed["use"], zone))
    road = result["road"]
    if road and road["bands_reached"]:
        band = BAND_NAMES[road["innermost_band"]]
        add(
            "road_zone",
            "approval",
            f"Lucrările se află în zona drumului {road['number']} ({band}, {road['nearest_km']}): "
            "necesită acordul prealabil și autorizația de amplasare și/sau acces ale "
            "administratorului drumului.",
        )
    if road and proposed.get("traffic_generating") and road.get("traffic_rule", {}).get("applies"):
        rule = road["traffic_rule"]
        ok = rule["met"]
        add(
            "traffic_30m",
            "ok" if ok else "violation",
            f"Obiectiv generator de trafic: {road['distance_from_carriageway_m']:.2f} m de la "
            f"marginea părții carosabile a {road['number']} "
            f"(minim {rule['min_distance_m']:.0f} m).",
            value=road["distance_from_carriageway_m"],
            limit=rule["min_distance_m"],
        )
    for restriction in result["restrictions"]:
        add(
            "restriction",
            "approval",
            f"{restriction['name']}: necesită {restriction['approval'] or 'avizul'} "
            f"({restriction['authority']}).",
            restriction_id=restriction["id"],
        )
    return findings


def _use_finding(use: str, zone: dict) -> tuple[str, str]:
    wanted = _fold(use)

    def listed(text: str) -> bool:
        tokens = [t.strip() for t in _fold(text or "").replace(";", ",").split(",")]
        return any(t and (t in wanted or wanted in t) for t in tokens)

    if listed(zone["forbidden_uses"]):
        return "violation", f"Utilizarea „{use}” este interzisă în UTR {zone['code']}."
    if listed(zone["conditioned_uses"]):
        return "warning", f"Utilizarea „{use}” este admisă cu condiții în UTR {zone['code']}."
    if listed(zone["allowed_uses"]):
        return "ok", f"Utilizarea „{use}” este admisă în UTR {zone['code']}."
    return "warning", (
        f"Utilizarea „{use}” nu apare în regulamentul UTR {zone['code']}: se verifică RLU."
    )


def _approvals(result: dict[str, Any]) -> list[dict[str, str]]:
    approvals = [
        {"approval": f"aviz {name}", "authority": authority, "reason": "standard (Legea 50/1991)"}
        for name, authority in STANDARD_APPROVALS
    ]
    road = result["road"]
    if road and road["bands_reached"]:
        approvals.append(
            {
                "approval": "acord prealabil și autorizație de amplasare și/sau acces "
                "în zona drumului",
                "authority": road["administrator"] or "administratorul drumului",
                "reason": f"zona drumului {road['number']} ({road['nearest_km']})",
            }
        )
    seen = set()
    for restriction in result["restrictions"]:
        key = (restriction["approval"], restriction["authority"])
        if key in seen:
            continue
        seen.add(key)
        approvals.append(
            {
                "approval": restriction["approval"] or "aviz",
                "authority": restriction["authority"],
                "reason": restriction["name"],
            }
        )
    return approvals
