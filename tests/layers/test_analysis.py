"""The overlap analysis, checked against an independent shapely computation, and its rule
findings on subjects built to trip each rule."""

from __future__ import annotations

import pytest
import shapely
import shapely.ops
from django.contrib.gis.geos import GEOSGeometry, Point, Polygon
from django.urls import reverse

from layers.analysis import (
    InvalidSubject,
    UnknownParcel,
    analyse,
    analyse_parcels,
    subject_geometry,
)
from layers.models import CountyRoad, Parcel, PropertyRight, Restriction, RoadZone, Zone
from layers.roads import road_position

pytestmark = pytest.mark.django_db


def _shp(geom: GEOSGeometry):
    return shapely.from_wkb(bytes(geom.wkb))


def _parcel_crossing(kind: str) -> Parcel:
    restriction = Restriction.objects.filter(kind=kind).order_by("pk").first()
    return (
        Parcel.objects.filter(geom__intersects=restriction.geom)
        .exclude(geom__within=restriction.geom)
        .order_by("pk")
        .first()
    )


@pytest.mark.parametrize(
    "kind", ["zona_protectie_monument", "natura2000", "inundabil", "servitute_utilitati"]
)
def test_overlap_areas_match_shapely(kind):
    parcel = _parcel_crossing(kind)
    result = analyse(subject_geometry([(parcel.uat.siruta, parcel.cadastral_number)]))
    subject = _shp(parcel.geom)
    assert result["subject"]["area_m2"] == pytest.approx(subject.area, abs=0.01)
    expected = {
        r.pk: shapely.intersection(subject, _shp(r.geom)).area
        for r in Restriction.objects.all()
        if shapely.intersects(subject, _shp(r.geom)) and not shapely.touches(subject, _shp(r.geom))
    }
    got = {hit["id"]: hit["area_m2"] for hit in result["restrictions"]}
    assert set(got) == set(expected)
    for pk, area in expected.items():
        assert got[pk] == pytest.approx(area, abs=0.01)
        hit = next(h for h in result["restrictions"] if h["id"] == pk)
        assert hit["percent"] == pytest.approx(100 * area / subject.area, abs=0.01)
    zones = {
        z.pk: shapely.intersection(subject, _shp(z.geom)).area
        for z in Zone.objects.all()
        if shapely.intersects(subject, _shp(z.geom)) and not shapely.touches(subject, _shp(z.geom))
    }
    assert {z["id"]: z["area_m2"] for z in result["zones"]} == pytest.approx(zones, abs=0.01)


def test_road_bands_match_shapely_and_km_is_the_nearest_point():
    band = RoadZone.objects.filter(band="siguranta", intravilan=True).order_by("pk").first()
    parcel = Parcel.objects.filter(geom__intersects=band.geom).order_by("pk").first()
    result = analyse(parcel.geom)
    subject = _shp(parcel.geom)
    for hit in result["road_bands"]:
        zone = RoadZone.objects.get(
            road_id=hit["road_id"], band=hit["band"], intravilan=hit["intravilan"]
        )
        assert hit["area_m2"] == pytest.approx(
            shapely.intersection(subject, _shp(zone.geom)).area, abs=0.01
        )
    road = CountyRoad.objects.get(pk=result["road"]["id"])
    axis = _shp(road.geom)
    assert result["road"]["distance_m"] == pytest.approx(axis.distance(subject), abs=0.01)
    nearest = shapely.ops.nearest_points(axis, subject)[0]
    expected = road_position(road, Point(nearest.x, nearest.y, srid=3844))
    assert result["road"]["nearest_km"] == expected.km_label
    assert "siguranta" in result["road"]["bands_reached"]
    assert any(f["rule"] == "road_zone" for f in result["findings"])
    assert any("zona drumului" in a["approval"] for a in result["approvals"])


def test_touching_only_neighbours_are_excluded():
    church = Restriction.objects.filter(kind="monument").order_by("pk").first()
    _x0, y0, x1, y1 = church.geom.extent
    beside = Polygon(((x1, y0), (x1 + 10, y0), (x1 + 10, y1), (x1, y1), (x1, y0)), srid=3844)
    kinds = {r["kind"] for r in analyse(beside)["restrictions"]}
    assert "monument" not in kinds
    assert "zona_protectie_monument" in kinds


def _zone_parcel(code: str) -> Parcel:
    zone = Zone.objects.filter(code=code).order_by("pk").first()
    return Parcel.objects.filter(geom__within=zone.geom).order_by("pk").first()


@pytest.mark.parametrize(
    ("proposed", "rule", "severity"),
    [
        ({"built_area": 150, "demolish_existing": True}, "pot", "ok"),
        ({"built_area": 900, "demolish_existing": True}, "pot", "violation"),
        ({"floor_area": 500}, "cut", "ok"),
        ({"floor_area": 5000}, "cut", "violation"),
        ({"height": 8}, "height", "ok"),
        ({"height": 12.5}, "height", "violation"),
        ({"levels": 3}, "levels", "violation"),
        ({"use": "Locuințe individuale"}, "use", "ok"),
        ({"use": "industrie"}, "use", "violation"),
        ({"use": "servicii de proximitate"}, "use", "warning"),
    ],
)
def test_rule_findings(proposed, rule, severity):
    parcel = _zone_parcel("L1a")  # POT 35 %, CUT 0.7, 9 m, 2 levels
    findings = [f for f in analyse(parcel.geom, proposed=proposed)["findings"] if f["rule"] == rule]
    assert [f["severity"] for f in findings] == [severity]


def test_pot_counts_existing_buildings_unless_demolished():
    parcel = Parcel.objects.filter(buildings__isnull=False, intravilan=True).order_by("pk").first()
    existing = sum(b.built_area for b in parcel.buildings.all())
    result = analyse(parcel.geom, proposed={"built_area": 10})
    pot = next(f for f in result["findings"] if f["rule"] == "pot")
    assert pot["value"] == pytest.approx(100 * (10 + existing) / parcel.measured_area, abs=0.01)


def test_traffic_generating_use_outside_localities_trips_the_30_m_rule():
    band = RoadZone.objects.filter(band="protectie", intravilan=False).order_by("pk").first()
    near = (
        Parcel.objects.filter(geom__intersects=band.geom, intravilan=False).order_by("pk").first()
    )
    result = analyse(near.geom, proposed={"traffic_generating": True})
    finding = next(f for f in result["findings"] if f["rule"] == "traffic_30m")
    assert finding["severity"] == "violation" and finding["limit"] == 30
    road = CountyRoad.objects.get(pk=result["road"]["id"])
    x, y = road.geom[0][0]
    far = Polygon.from_bbox((x + 200, y + 200, x + 260, y + 260))
    far.srid = 3844
    result = analyse(far, proposed={"traffic_generating": True})
    if result["road"]["id"] == road.pk and not result["road"]["in_intravilan"]:
        assert next(f for f in result["findings"] if f["rule"] == "traffic_30m")["severity"] == "ok"


def test_access_point_km():
    parcel = _parcel_crossing("servitute_utilitati")
    road = CountyRoad.objects.order_by("pk").first()
    point = road_position(road, parcel.geom.centroid).nearest
    result = analyse(parcel.geom, proposed={"access_point": point})
    if result["road"]["id"] == road.pk:
        assert result["road"]["access"]["km"] == road_position(road, point).km_label
        assert result["road"]["access"]["offset_m"] < 0.01


def test_parcels_found_and_united_in_the_database_match_the_geometry_path():
    first = _parcel_crossing("natura2000")
    neighbour = (
        Parcel.objects.filter(uat=first.uat, geom__touches=first.geom).order_by("pk").first()
    )
    keys = [(p.uat.siruta, p.cadastral_number) for p in (first, neighbour)]
    by_keys = analyse_parcels(keys, proposed={"built_area": 100})
    by_geometry = analyse(subject_geometry(keys), proposed={"built_area": 100})
    union = shapely.union(_shp(first.geom), _shp(neighbour.geom))
    assert by_keys["subject"]["area_m2"] == pytest.approx(union.area, abs=0.01)
    for section in ("zones", "restrictions", "road_bands", "uats"):
        assert [h["area_m2"] for h in by_keys[section]] == pytest.approx(
            [h["area_m2"] for h in by_geometry[section]], abs=0.01
        ), section
    assert by_keys["road"] == by_geometry["road"]
    assert by_keys["findings"] == by_geometry["findings"]
    with pytest.raises(UnknownParcel, match="nu-exista") as refused:
        analyse_parcels([keys[0], (keys[0][0], "nu-exista")])
    assert keys[0][1] + " " not in str(refused.value)  # only the missing one is named
    with pytest.raises(UnknownParcel):
        analyse_parcels([])


def test_nearest_road_is_the_nearest_of_all():
    """The bounding-box search bound must never skip the road that is really nearest."""
    roads = {r.pk: _shp(r.geom) for r in CountyRoad.objects.all()}
    parcels = Parcel.objects.order_by("pk")
    for parcel in parcels[:: max(1, parcels.count() // 25)]:
        subject = _shp(parcel.geom)
        distances = {pk: shapely.distance(geom, subject) for pk, geom in roads.items()}
        nearest = min(distances, key=lambda pk: (distances[pk], pk))
        road = analyse(parcel.geom)["road"]
        assert road["id"] == nearest, parcel.cadastral_number
        assert road["distance_m"] == pytest.approx(distances[nearest], abs=0.01)


def test_bad_subjects_are_refused_clearly():
    with pytest.raises(UnknownParcel, match="Imobil inexistent"):
        subject_geometry([(900001, "nu-exista")])
    wrong_axes = Polygon.from_bbox((45.8, 23.3, 45.81, 23.31))
    wrong_axes.srid = 4326
    with pytest.raises(InvalidSubject, match="nu se află în România"):
        analyse(wrong_axes)
    with pytest.raises(InvalidSubject, match="suprafață"):
        analyse(Point(400_000, 500_000, srid=3844))


def test_api_with_geojson_in_wgs84_matches_the_direct_analysis(client):
    parcel = _parcel_crossing("zona_protectie_monument")
    wgs84 = parcel.geom.transform(4326, clone=True)
    response = client.post(
        reverse("layers:analysis"),
        {"geometry": __import__("json").loads(wgs84.geojson), "crs": "EPSG:4326"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    data = response.json()
    direct = analyse(parcel.geom)
    # the 4326 round trip moves vertices by micrometres: areas agree to 0.01 m²
    assert data["subject"]["area_m2"] == pytest.approx(direct["subject"]["area_m2"], abs=0.01)
    assert [z["code"] for z in data["zones"]] == [z["code"] for z in direct["zones"]]


def test_api_by_cadastral_number_holds_no_personal_data(client):
    parcel = _parcel_crossing("zona_protectie_monument")
    response = client.post(
        reverse("layers:analysis"),
        {
            "parcels": [{"uat": parcel.uat.siruta, "cadastral_number": parcel.cadastral_number}],
            "proposed": {"built_area": 120, "use": "locuințe"},
        },
        content_type="application/json",
    )
    assert response.status_code == 200
    text = response.content.decode()
    for right in PropertyRight.objects.filter(parcel=parcel):
        assert right.holder_name not in text and right.holder_id_code not in text


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "Indicați fie"),
        ({"parcels": [{"uat": 900001, "cadastral_number": "0"}]}, "Imobil inexistent"),
        (
            {
                "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
                "crs": "EPSG:4326",
            },
            "nu se află în România",
        ),
        ({"geometry": {"type": "Nope"}}, "Geometrie GeoJSON invalidă"),
        (
            {"geometry": {"type": "Point", "coordinates": [23.3, 45.8]}, "crs": "EPSG:9999"},
            "CRS nesuportat",
        ),
    ],
)
def test_api_errors_are_clear(client, payload, message):
    response = client.post(reverse("layers:analysis"), payload, content_type="application/json")
    assert response.status_code == 400
    assert message in response.content.decode()


def test_analysis_statement_is_prepared_once_per_session():
    from django.db import connection

    parcel = Parcel.objects.order_by("pk").first()
    key = [(parcel.uat.siruta, parcel.cadastral_number)]
    first = analyse_parcels(key)

    def prepared() -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, generic_plans + custom_plans FROM pg_prepared_statements "
                "WHERE name LIKE 'gisapp_%%'"
            )
            return dict(cursor.fetchall())

    before = prepared()
    assert analyse_parcels(key) == first
    after = prepared()
    assert after.keys() == before.keys()  # nothing prepared again
    executed = {name.rsplit("_", 1)[0]: after[name] - before[name] for name in before}
    # one statement, one round trip: the road position is computed in the overlay
    assert {name: n for name, n in executed.items() if n} == {"gisapp_overlay": 1}
