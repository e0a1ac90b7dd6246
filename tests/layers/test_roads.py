"""Kilometre positions along county roads and the derived road-zone bands."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from layers.models import UAT, CountyRoad, Intravilan, RoadZone, RoadZoneRule
from layers.roads import format_km, parse_km, point_at_km, road_position
from tests.layers.geometry import line, point, rect

pytestmark = pytest.mark.django_db


@pytest.fixture
def bent_road() -> CountyRoad:
    """300 m east, then 400 m north, then 500 m east: an L with a tail, starting at km 12."""
    return CountyRoad.objects.create(
        number="DJ 999",
        name="Test",
        km_start=Decimal("12.000"),
        geom=line((0, 0), (300, 0), (300, 400), (800, 400)),
    )


def test_format_and_parse_km():
    assert format_km(12.35) == "km 12+350"
    assert format_km(0.0404) == "km 0+040"
    assert format_km(12.9996) == "km 13+000"
    assert parse_km("km 12+350") == pytest.approx(12.35)
    assert parse_km("12+35") == pytest.approx(12.035)
    assert parse_km(" KM 7 ") == 7
    with pytest.raises(ValueError, match="nerecunoscută"):
        parse_km("douăsprezece")


@pytest.mark.parametrize(
    ("x", "y", "km", "offset", "side"),
    [
        (0, 0, "km 12+000", 0.0, None),  # the origin
        (150, 5, "km 12+150", 5.0, "stânga"),  # first leg, north of an eastbound road
        (150, -7, "km 12+150", 7.0, "dreapta"),
        (305, 100, "km 12+400", 5.0, "dreapta"),  # second leg, east of a northbound road
        (290, 250, "km 12+550", 10.0, "stânga"),
        (550, 380, "km 12+950", 20.0, "dreapta"),  # tail, south of an eastbound road
        (900, 400, "km 13+200", 100.0, None),  # beyond the end: nearest is the end point
        (-30, -40, "km 12+000", 50.0, None),  # before the start
    ],
)
def test_km_position_along_a_bent_road(bent_road, x, y, km, offset, side):
    pos = road_position(bent_road, point(x, y))
    assert pos.km_label == km
    assert pos.offset_m == pytest.approx(offset, abs=1e-6)
    if side:
        assert pos.side == side
    assert pos.road_number == "DJ 999"


def test_km_position_of_a_point_given_in_wgs84(bent_road):
    pos = road_position(bent_road, point(300, 200).transform(4326, clone=True))
    assert pos.km_label == "km 12+500"
    assert pos.offset_m < 0.01


def test_point_at_km_is_the_inverse(bent_road):
    p = point_at_km(bent_road, parse_km("km 12+500"))
    assert p.distance(point(300, 200)) < 1e-6
    assert road_position(bent_road, p).km_label == "km 12+500"
    with pytest.raises(ValueError, match="nu are poziția"):
        point_at_km(bent_road, 14.0)
    with pytest.raises(ValueError):
        point_at_km(bent_road, 11.9)


def test_multi_part_road_counts_chainage_through_the_parts():
    road = CountyRoad.objects.create(number="DJ 998", geom=line((0, 0), (100, 0)))
    road.geom = road.geom.__class__(
        line((0, 0), (100, 0))[0], line((200, 0), (500, 0))[0], srid=road.geom.srid
    )
    road.save()
    assert road_position(road, point(50, 1)).km_label == "km 0+050"
    assert road_position(road, point(250, 1)).km_label == "km 0+150"


def _band_at(road: CountyRoad, x: float, y: float) -> set[tuple[str, bool]]:
    return set(
        RoadZone.objects.filter(road=road, geom__intersects=point(x, y)).values_list(
            "band", "intravilan"
        )
    )


@pytest.fixture
def road_through_locality() -> CountyRoad:
    """An eastbound county road 2 km long; an intravilan covers x in [800, 1200]."""
    uat = UAT.objects.create(
        siruta=999_010,
        name="Drumești",
        kind="comuna",
        county="Test",
        geom=rect(-500, -1000, 3000, 2000),
    )
    Intravilan.objects.create(uat=uat, locality="Drumești", geom=rect(800, -300, 400, 600))
    return CountyRoad.objects.create(number="DJ 997", geom=line((0, 0), (2000, 0)))


@pytest.mark.parametrize(
    ("x", "y", "expected"),
    [
        (300, 3, {("ampriza", False)}),
        (300, -6, {("siguranta", False)}),
        (300, 15, {("protectie", False)}),
        (300, 19.9, {("protectie", False)}),
        (300, 21, set()),
        (1000, 4, {("ampriza", True)}),
        (1000, 6, {("siguranta", True)}),
        (1000, -9, {("protectie", True)}),
        (1000, 15, set()),  # inside a locality the protection band is narrower
    ],
)
def test_road_zone_bands_inside_and_outside_intravilan(road_through_locality, x, y, expected):
    assert _band_at(road_through_locality, x, y) == expected


def test_bands_never_overlap_and_tile_the_protection_zone(road_through_locality):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM layers_roadzone a JOIN layers_roadzone b "
            "ON a.id < b.id AND a.road_id = b.road_id AND ST_Relate(a.geom, b.geom, '2********') "
            "WHERE a.road_id = %s",
            [road_through_locality.pk],
        )
        assert cursor.fetchone()[0] == 0


def test_zones_follow_rule_and_road_changes(road_through_locality):
    rule = RoadZoneRule.objects.get(category="judetean", intravilan=False)
    rule.protection_distance = Decimal("30")
    rule.save()
    assert _band_at(road_through_locality, 300, 25) == {("protectie", False)}
    road_through_locality.geom = line((0, 100), (2000, 100))
    road_through_locality.save()
    assert _band_at(road_through_locality, 300, 3) == set()
    assert _band_at(road_through_locality, 300, 103) == {("ampriza", False)}


def test_zones_follow_intravilan_changes(road_through_locality):
    assert _band_at(road_through_locality, 1500, 15) == {("protectie", False)}
    Intravilan.objects.create(
        uat=UAT.objects.get(siruta=999_010), locality="Cătun", geom=rect(1400, -300, 300, 600)
    )
    assert _band_at(road_through_locality, 1500, 15) == set()
    assert _band_at(road_through_locality, 1500, 4) == {("ampriza", True)}
