"""The web map's JSON endpoints and pages, in-process (Django test client)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from layers.api_map import InMemoryFetcher, _weasy_fetcher, parcel_id_at
from layers.models import Parcel, PropertyRight
from layers.projection import bound_proj4

pytestmark = [pytest.mark.django_db, pytest.mark.urls("frontend.dev_urls")]
FRONTEND = Path(__file__).resolve().parents[2] / "frontend"


@pytest.fixture
def owned_parcel() -> Parcel:
    return (
        Parcel.objects.select_related("uat")
        .filter(intravilan=True, rights__holder_kind="pf")
        .order_by("id")
        .distinct()[5]
    )


def _shared_edge_point(parcel: Parcel) -> tuple[Point, list[int]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsText(ST_LineInterpolatePoint(ST_LineMerge(ST_Intersection("
            " ST_Boundary(a.geom), ST_Boundary(b.geom))), 0.5)) "
            "FROM layers_parcel a JOIN layers_parcel b ON b.id <> a.id "
            " AND ST_Touches(a.geom, b.geom) WHERE a.id = %s AND GeometryType(ST_LineMerge("
            " ST_Intersection(ST_Boundary(a.geom), ST_Boundary(b.geom)))) = 'LINESTRING' "
            "LIMIT 1",
            [parcel.pk],
        )
        point = Point.from_ewkt(f"SRID=3844;{cursor.fetchone()[0]}")
    ids = list(Parcel.objects.filter(geom__intersects=point).values_list("id", flat=True))
    return point, ids


def test_identify_tie_break_on_a_shared_boundary(client, owned_parcel):
    point, ids = _shared_edge_point(owned_parcel)
    assert len(ids) >= 2
    expected = min(
        Parcel.objects.filter(pk__in=ids),
        key=lambda p: (round(p.geom.centroid.distance(point), 9), p.pk),
    ).pk
    answers = {
        client.get("/api/map/identify/", {"x": point.x, "y": point.y}).json()["parcel"]["id"]
        for _ in range(3)
    }
    assert answers == {expected} == {parcel_id_at(point)}


def test_identify_parcel_and_road(client, owned_parcel):
    inside = owned_parcel.geom.point_on_surface
    data = client.get("/api/map/identify/", {"x": inside.x, "y": inside.y, "res": 0.5}).json()
    assert data["parcel"]["cadastral_number"] == owned_parcel.cadastral_number
    assert data["parcel"]["uat"]["siruta"] == owned_parcel.uat.siruta
    assert data["parcel"]["zones"] and "pot_max" in data["parcel"]["zones"][0]
    assert "approvals" in data["parcel"] and "road" in data["parcel"]
    road = client.get("/api/map/search/", {"q": "DJ 107 km 1+350"}).json()["results"][0]
    x, y = road["point"]
    hit = client.get("/api/map/identify/", {"x": x, "y": y, "res": 0.5}).json()["road"]
    assert hit["number"] == "DJ 107" and hit["km"] == "km 1+350"


def test_identify_refuses_points_outside_romania(client):
    response = client.get("/api/map/identify/", {"x": 26.1, "y": 44.4})
    assert response.status_code == 400


def test_parcel_card_never_carries_owners(client, django_user_model, owned_parcel):
    rights = list(PropertyRight.objects.filter(parcel=owned_parcel))
    assert rights
    url = f"/api/map/parcels/{owned_parcel.uat.siruta}/{owned_parcel.cadastral_number}/"
    public = client.get(url)
    assert public.status_code == 200
    assert "buildings" not in public.json()  # the buildings layer is for officers
    client.force_login(django_user_model.objects.get(username="demo.officer"))
    officer = client.get(url)
    assert "buildings" in officer.json()
    for response in (public, officer):
        text = response.content.decode()
        for right in rights:
            assert right.holder_name not in text
            if right.holder_id_code:
                assert right.holder_id_code not in text
    page = client.get(f"/portal/imobil/{owned_parcel.uat.siruta}/{owned_parcel.cadastral_number}/")
    for right in rights:
        assert right.holder_name not in page.content.decode()


def test_search_understands_numbers_addresses_and_roads(client, owned_parcel):
    def search(q):
        return client.get("/api/map/search/", {"q": q}).json()["results"]

    uat = owned_parcel.uat
    number = owned_parcel.cadastral_number
    with_uat = search(f"{number} {uat.name}")
    assert [r["ref"] for r in with_uat] == [f"{uat.siruta}:{number}"]
    assert search(f"{uat.siruta}:{number}")[0]["cadastral_number"] == number
    folded = search(f"{number} {uat.name.lower().replace('ș', 's').replace('ă', 'a')}")
    assert [r["ref"] for r in folded] == [f"{uat.siruta}:{number}"]
    by_address = search(owned_parcel.address)
    assert f"{uat.siruta}:{number}" in [r["ref"] for r in by_address]
    km = search("dj107 1+350")
    assert km[0]["kind"] == "road_km" and km[0]["label"] == "DJ 107 km 1+350"
    assert search("DJ 107")[0]["kind"] == "road"
    assert search("DJ 999 km 1") == []
    assert search("DJ 107 km 99+000")[0]["kind"] == "error"
    assert search("") == []


def test_road_km_endpoint(client):
    ok = client.get("/api/map/roads/km/", {"road": "dj107", "km": "km 1+350"})
    assert ok.status_code == 200 and ok.json()["km"] == "km 1+350"
    assert client.get("/api/map/roads/km/", {"road": "DJ 107", "km": "99"}).status_code == 400
    assert client.get("/api/map/roads/km/", {"road": "DJ 1", "km": "1"}).status_code == 404


def test_config_serves_the_proj4_definition_and_the_callers_layers(client, django_user_model):
    public = client.get("/api/map/config/").json()
    assert public["projection"] == {"code": "EPSG:3844", "proj4": bound_proj4(3844)}
    assert "+towgs84=" in public["projection"]["proj4"]
    names = [layer["name"] for g in public["groups"] for layer in g["layers"]]
    assert "parcele" in names and "cladiri" not in names
    assert all(
        "GetLegendGraphic" in layer["legend"] for g in public["groups"] for layer in g["layers"]
    )
    assert public["api"]["identify"] == "/api/map/identify/"
    client.force_login(django_user_model.objects.get(username="demo.officer"))
    officer = client.get("/api/map/config/").json()
    assert "cladiri" in [layer["name"] for g in officer["groups"] for layer in g["layers"]]
    assert officer["officer"] is True


def test_print_is_for_officers(client):
    response = client.post(
        "/api/map/print/",
        {"center": [371000, 481000], "scale": 1000},
        content_type="application/json",
    )
    assert response.status_code == 403


def test_print_fetcher_serves_only_memory():
    fetcher = _weasy_fetcher(InMemoryFetcher({"map.png": (b"\x89PNG...", "image/png")}))
    assert fetcher("mem:map.png").read() == b"\x89PNG..."
    for url in ("file:///etc/passwd", "http://127.0.0.1:1/x.png", "mem:other.png", "data:,x"):
        with pytest.raises(ValueError):
            fetcher(url)


def test_pages_speak_romanian_unless_english_is_chosen(client):
    page = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert '<html lang="ro">' in page.content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/portal/").content.decode()
    assert '<html lang="en">' in english and "What can be built on a plot?" in english
    catalogue = json.loads(
        re.search(
            r'<script id="i18n-catalog" type="application/json">(.*?)</script>', english, re.S
        ).group(1)
    )
    assert catalogue["language"] == "en" and catalogue["catalog"]["Straturi"] == "Layers"


def test_officer_map_needs_an_officer(client, django_user_model):
    assert client.get("/harta/").status_code == 302
    citizen = django_user_model.objects.create_user("cetatean", password="x-parola-lunga-1")
    client.force_login(citizen)
    assert client.get("/harta/").status_code == 403


def test_assets_are_served_safely(client, settings, tmp_path):
    (tmp_path / ".vite").mkdir()
    (tmp_path / ".vite" / "manifest.json").write_text("{}")
    (tmp_path / "app-1234.js").write_text("export {};")
    settings.FRONTEND_DIST_DIR = str(tmp_path)
    ok = client.get("/assets/app-1234.js")
    assert ok.status_code == 200
    assert "immutable" in ok["Cache-Control"]
    assert "javascript" in ok["Content-Type"]
    for bad in ("/assets/../settings.py", "/assets/.vite/manifest.json", "/assets/nope.js"):
        assert client.get(bad).status_code == 404


def test_missing_build_fails_loudly(client, settings, tmp_path):
    from frontend.assets import FrontendNotBuilt

    settings.FRONTEND_DIST_DIR = str(tmp_path / "nothing")
    with pytest.raises(FrontendNotBuilt, match=r"frontend/build\.sh"):
        client.get("/portal/")


def test_every_string_of_the_app_is_translated():
    """gettext('…') literals in the JS sources all have an English msgstr, and the
    compiled catalogues hold every translated message of their sources (compared by
    content: a fresh clone's file times say nothing)."""
    import gettext

    sources = "\n".join(p.read_text() for p in (FRONTEND / "src").rglob("*.js"))
    literals = set(re.findall(r"gettext(?:_noop)?\('((?:[^'\\]|\\.)*)'\)", sources))
    locale = FRONTEND / "locale" / "en" / "LC_MESSAGES"
    for domain in ("django", "djangojs"):
        po = (locale / f"{domain}.po").read_text()
        compiled = gettext.GNUTranslations((locale / f"{domain}.mo").open("rb"))._catalog
        for msgid, msgstr in re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', po, re.MULTILINE):
            assert compiled.get(msgid.replace('\\"', '"')) == msgstr.replace('\\"', '"'), (
                f"{domain}.mo is stale for {msgid!r}: run compilemessages"
            )
    catalogue = gettext.GNUTranslations((locale / "djangojs.mo").open("rb"))
    translated = {k for k, v in catalogue._catalog.items() if isinstance(k, str) and v}
    untranslated = sorted(literals - translated)
    assert untranslated == []


def _page_map_config(client, url: str) -> dict:
    page = client.get(url).content.decode()
    match = re.search(r'<script id="map-config" type="application/json">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


def test_pages_point_the_map_at_the_permits_api_and_osm_only_when_enabled(
    client, officer, settings
):
    client.force_login(officer)
    config = _page_map_config(client, "/harta/")
    assert config["api"]["applications"] == "/api/permits/applications/"
    assert config["api"]["application_page"] == "/harta/cereri/"
    assert config["api"]["application_form"] == "/portal/cerere-noua/"
    names = [spec["name"] for group in config["groups"] for spec in group["layers"]]
    assert "osm" not in names  # needs internet: never by default
    settings.MAP_OSM_BASE_LAYER = True
    config = _page_map_config(client, "/portal/cerere-noua/")
    (osm,) = [
        s
        for g in config["groups"]
        if g["name"] == "fundal"
        for s in g["layers"]
        if s["name"] == "osm"
    ]
    assert osm["source"] == "osm" and osm["visible"] is False and osm["legend"] is None
