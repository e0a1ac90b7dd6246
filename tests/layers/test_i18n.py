"""The analysis and map APIs answer in the page's language: Romanian by default, English
when the frontend sends Accept-Language: en (messages are translated when raised)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from layers.roads import parse_km

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware leaves the last request's language active in the thread: later
    tests must not inherit English (nor this one an earlier test's)."""
    translation.deactivate()
    yield
    translation.deactivate()


def _analysis(client, payload: dict, language: str | None) -> str:
    headers = {"HTTP_ACCEPT_LANGUAGE": language} if language else {}
    response = client.post(
        reverse("layers:analysis"), payload, content_type="application/json", **headers
    )
    assert response.status_code == 400
    return str(response.json()["detail"] if "detail" in response.json() else response.json())


def test_unknown_parcel_in_romanian_by_default_and_english_on_request(client):
    payload = {"parcels": [{"uat": 900001, "cadastral_number": "nu-exista"}]}
    assert _analysis(client, payload, None) == (
        "Imobil inexistent în cadastru: nu-exista (UAT 900001)"
    )
    assert _analysis(client, payload, "en") == (
        "Property not found in the cadastre: nu-exista (UAT 900001)"
    )
    # and back: the English request left no English behind for the next one
    assert _analysis(client, payload, None).startswith("Imobil inexistent")


def test_request_validation_and_subject_errors_in_english(client):
    assert "Give either “geometry” or “parcels”" in _analysis(client, {}, "en")
    outside = {
        "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]},
        "crs": "EPSG:4326",
    }
    assert _analysis(client, outside, "en") == (
        "The geometry does not lie in Romania in the declared system (check the CRS and the "
        "axis order)."
    )
    assert "nu se află în România" in _analysis(client, outside, None)


def test_map_api_refusals_in_english(client):
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    road = client.get("/api/map/roads/km/", {"road": "DJ 9999", "km": "1"}, **english)
    assert road.status_code == 404
    assert road.json()["detail"] == "Road DJ 9999 does not exist."
    card = client.get("/api/map/parcels/900001/nu-exista/", **english)
    assert card.status_code == 404
    assert card.json()["detail"] == "Property nu-exista does not exist in UAT 900001."
    romanian = client.get("/api/map/parcels/900001/nu-exista/")
    assert romanian.json()["detail"] == "Imobilul nu-exista nu există în UAT 900001."


def test_km_parse_error_follows_the_active_language():
    with pytest.raises(ValueError, match="Poziție kilometrică nerecunoscută"):
        parse_km("x")
    with translation.override("en"), pytest.raises(ValueError, match="Unrecognised kilometre"):
        parse_km("x")
