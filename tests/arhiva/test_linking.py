"""Linking acts to parcels on the demo county's addresses: by cadastral number in the
UAT, by address (trigram similarity without diacritics, house number required to agree,
ambiguous addresses refused), else the unplaced queue; manual placement by an officer."""

from __future__ import annotations

import pytest
from django.contrib.gis.geos import Point

from arhiva import linking
from arhiva.models import ArchiveDocument, ParcelLink
from layers.api_map import fold
from layers.models import Parcel

pytestmark = pytest.mark.django_db


@pytest.fixture
def house() -> Parcel:
    """A demo intravilan plot: "Str. <street> nr. <n>, <UAT>"."""
    return (
        Parcel.objects.select_related("uat")
        .filter(intravilan=True, address__startswith="Str. ")
        .order_by("pk")[25]
    )


def _variants(parcel: Parcel) -> list[str]:
    street_and_no, uat = parcel.address.rsplit(", ", 1)
    street, number = street_and_no.removeprefix("Str. ").rsplit(" nr. ", 1)
    plain = fold(f"{street} {number} {uat}")
    return [
        parcel.address,
        f"strada {street} nr {number}, {uat}",
        f"str. {street.upper()} {number} {uat}",
        plain,  # no diacritics at all
    ]


def test_address_variants_match_the_demo_parcel_with_a_score(house):
    for address in _variants(house):
        for uat_id in (house.uat_id, None):  # without a UAT, its name in the address is used
            match = linking.match_address(address, uat_id=uat_id)
            assert match is not None, address
            assert match.parcel_id == house.pk, address
            assert linking.ADDRESS_MIN_SCORE <= match.score <= 1


def test_wrong_house_number_unknown_street_or_ambiguous_address_is_not_matched(house):
    street_and_no, uat = house.address.rsplit(", ", 1)
    street = street_and_no.rsplit(" nr. ", 1)[0]
    assert linking.match_address(f"{street} nr. 9999, {uat}", uat_id=house.uat_id) is None
    assert linking.match_address(f"Str. Inexistentă nr. 1, {uat}", uat_id=house.uat_id) is None
    # the same street and number exist in several demo UATs: without a UAT it is ambiguous
    number = street_and_no.rsplit(" nr. ", 1)[1]
    twins = Parcel.objects.filter(address__startswith=f"{street} nr. {number}, ")
    assert twins.values("uat").distinct().count() > 1
    assert linking.match_address(f"{street} nr. {number}", uat_id=None) is None


def test_link_document_prefers_cadastral_number_then_address_then_queue(make_act, house):
    other = Parcel.objects.filter(uat=house.uat).exclude(pk=house.pk).order_by("pk").first()
    exact = make_act(
        number="1",
        uat=house.uat,
        cadastral_numbers=(other.cadastral_number,),
        address=house.address,
    )
    by_address = make_act(number="2", address=_variants(house)[1], uat=house.uat)
    lost = make_act(number="3", address="Tarla 999, Parcela 999, extravilan Nicăieri")

    assert [(k.parcel_id, k.method) for k in exact.links.all()] == [(other.pk, "exact")]
    link = by_address.links.get()
    assert (link.parcel_id, link.method) == (house.pk, "address")
    assert link.score >= linking.ADDRESS_MIN_SCORE and link.matched_text == house.address
    lost.refresh_from_db()
    assert lost.placement == ArchiveDocument.Placement.UNPLACED and not lost.links.exists()


def test_officer_places_an_unplaced_act_on_a_parcel_or_a_point(make_act, house, officer):
    act = make_act(number="4", address="fără adresă utilizabilă")
    linking.place_manually(act, user=officer, parcel=house)
    link = ParcelLink.objects.get(document=act)
    assert (link.method, link.created_by, link.score) == ("manual", officer, None)
    assert act.placement == "linked" and act.placed_by == officer and act.placed_at

    other = make_act(number="5")
    point = house.geom.point_on_surface
    linking.place_manually(other, user=officer, point=Point(point.x, point.y, srid=3844))
    other.refresh_from_db()
    assert other.placement == "point" and other.location.distance(point) < 0.01
    with pytest.raises(ValueError):
        linking.place_manually(other, user=officer)
