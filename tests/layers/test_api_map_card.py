"""The parcel card read in one prepared statement gives exactly the card the models give
(the ORM version it replaced is kept here as the reference), for citizens and officers, in
Romanian and English, through the card API and the identify API."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db.models import Count
from django.utils import translation
from rest_framework.renderers import JSONRenderer

from layers.analysis import analyse
from layers.api_map import _geojson, card_by_ref, parcel_card
from layers.models import Building, LandUse, Parcel

pytestmark = pytest.mark.django_db


def orm_card(parcel: Parcel, *, officer: bool) -> dict[str, Any]:
    """The card as layers.api_map built it from the models before the single statement."""
    uat = parcel.uat
    analysis = analyse(parcel.geom)
    land_uses = [
        {
            "category": lu.category,
            "label": lu.get_category_display(),
            "area_m2": float(lu.area),
            "intravilan": lu.intravilan,
        }
        for lu in LandUse.objects.filter(parcel=parcel).order_by("id")
    ]
    card: dict[str, Any] = {
        "id": parcel.pk,
        "ref": f"{uat.siruta}:{parcel.cadastral_number}",
        "cadastral_number": parcel.cadastral_number,
        "land_book_number": parcel.land_book_number,
        "uat": {"siruta": uat.siruta, "name": uat.name, "kind": uat.get_kind_display()},
        "county": uat.county,
        "address": parcel.address,
        "intravilan": analysis["intravilan"]["status"],
        "legal_area_m2": float(parcel.legal_area) if parcel.legal_area is not None else None,
        "measured_area_m2": round(parcel.measured_area, 2),
        "land_uses": land_uses,
        "zones": analysis["zones"],
        "restrictions": analysis["restrictions"],
        "road": analysis["road"],
        "road_bands": analysis["road_bands"],
        "findings": analysis["findings"],
        "approvals": analysis["approvals"],
        "in_road_zone": bool(analysis["road"] and analysis["road"]["bands_reached"]),
        "geometry": _geojson(parcel.geom),
        "bbox": [round(v, 2) for v in parcel.geom.extent],
        "srid": settings.SRID,
    }
    if officer:
        card["buildings"] = [
            {
                "label": b.label,
                "destination": b.get_destination_display(),
                "levels": b.levels,
                "built_area_m2": round(b.built_area, 2),
            }
            for b in Building.objects.filter(parcel=parcel).order_by("number")
        ]
    return card


def as_json(card: dict[str, Any]) -> Any:
    return json.loads(JSONRenderer().render(card))


@pytest.fixture
def parcels() -> list[Parcel]:
    """Parcels that exercise every part of the card: several land uses, several buildings,
    a road zone, restrictions, extravilan, and one without a legal area."""
    base = Parcel.objects.select_related("uat").order_by("id")
    several_uses = base.annotate(n=Count("land_uses")).filter(n__gte=2).first()
    several_buildings = base.annotate(n=Count("buildings")).filter(n__gte=2).first()
    extravilan = base.filter(intravilan=False).first()
    picked = [several_uses, several_buildings, extravilan, *base[:: max(1, base.count() // 12)]]
    assert all(picked)
    no_legal_area = picked[-1]
    Parcel.objects.filter(pk=no_legal_area.pk).update(legal_area=None)
    odd_area = picked[-2]
    Parcel.objects.filter(pk=odd_area.pk).update(legal_area=Decimal("1234.05"))
    LandUse.objects.filter(parcel=odd_area).update(area=Decimal("0.10"))
    return [Parcel.objects.select_related("uat").get(pk=p.pk) for p in picked]


def test_card_has_the_parts_the_sample_needs(parcels):
    cards = [orm_card(p, officer=True) for p in parcels]
    assert any(len(c["land_uses"]) >= 2 for c in cards)
    assert any(len(c["buildings"]) >= 2 for c in cards)
    assert any(c["in_road_zone"] for c in cards)
    assert any(c["restrictions"] for c in cards)
    assert any(c["legal_area_m2"] is None for c in cards)
    assert any(c["intravilan"] == "extravilan" for c in cards)


@pytest.mark.parametrize("language", ["ro", "en"])
def test_card_api_answers_the_models_card(client, officer, parcels, language):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    for as_officer in (False, True):
        if as_officer:
            client.force_login(officer)
        for parcel in parcels:
            url = f"/api/map/parcels/{parcel.uat.siruta}/{parcel.cadastral_number}/"
            response = client.get(url, **headers)
            assert response.status_code == 200
            with translation.override(language):
                expected = as_json(orm_card(parcel, officer=as_officer))
            assert response.json() == expected, parcel.pk
            point = parcel.geom.point_on_surface
            identified = client.get("/api/map/identify/", {"x": point.x, "y": point.y}, **headers)
            assert identified.json()["parcel"] == expected, parcel.pk
    with translation.override("en"):
        assert parcel_card(parcels[0], officer=False)["uat"]["kind"] in {
            "municipality",
            "town",
            "commune",
        }


def test_card_functions_match_the_models(parcels):
    for parcel in parcels:
        for as_officer in (False, True):
            expected = orm_card(parcel, officer=as_officer)
            assert parcel_card(parcel, officer=as_officer) == expected
            ref = card_by_ref(parcel.uat.siruta, parcel.cadastral_number, officer=as_officer)
            assert ref == expected


def test_unknown_parcels_are_404_not_errors(client, parcels):
    parcel = parcels[0]
    for siruta, number in (
        (parcel.uat.siruta, "nu-exista"),
        (999_999, parcel.cadastral_number),
        (99_999_999_999, parcel.cadastral_number),  # beyond the integer column
        (parcel.uat.siruta, "1%00"),  # NUL in the path: PostgreSQL text cannot hold it
    ):
        response = client.get(f"/api/map/parcels/{siruta}/{number}/")
        assert response.status_code == 404, (siruta, number)
        assert "detail" in response.json()
