"""Hostile OGC requests: injection in filters, property names and sort keys; remote SLD
and OWS URLs (a loopback canary proves no request is made); absurd sizes."""

from __future__ import annotations

import http.server
import threading

import pytest
from django.db import connection

from tests.ogc.helpers import bbox_around, known_parcel

pytestmark = pytest.mark.django_db


class Canary(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        Canary.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "application/xml")
        self.end_headers()
        self.wfile.write(b"<StyledLayerDescriptor/>")

    def log_message(self, *args):
        pass


@pytest.fixture
def canary():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Canary)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Canary.hits = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _parcel_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM layers_parcel")
        return cursor.fetchone()[0]


INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE layers_parcel; --",
    "50001') UNION SELECT holder_name FROM layers_propertyright --",
    "\\'; SELECT pg_sleep(5); --",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_injection_in_filter_literals_is_inert(ows, payload):
    before = _parcel_count()
    fes = (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo>'
        "<fes:ValueReference>nr_cadastral</fes:ValueReference><fes:Literal>"
        + payload.replace("&", "&amp;").replace("<", "&lt;")
        + "</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>"
    )
    response = ows.get(
        SERVICE="WFS",
        VERSION="2.0.0",
        REQUEST="GetFeature",
        TYPENAMES="parcele",
        FILTER=fes,
        OUTPUTFORMAT="application/json",
    )
    assert response.status_code == 200
    if response.headers["Content-Type"].startswith("application/json"):
        assert response.json()["features"] == []
    assert _parcel_count() == before


@pytest.mark.parametrize(
    "params",
    [
        {"PROPERTYNAME": "nr_cadastral,(SELECT holder_name FROM layers_propertyright)"},
        {"PROPERTYNAME": "holder_name"},
        {"SORTBY": "nr_cadastral;DROP TABLE layers_parcel"},
        {"SORTBY": "(SELECT holder_name FROM layers_propertyright LIMIT 1)"},
        {"TYPENAMES": "parcele;DROP TABLE layers_parcel"},
        {"TYPENAMES": "public.layers_propertyright"},
    ],
)
def test_injection_in_property_names_sort_keys_and_type_names(ows, params):
    before = _parcel_count()
    query = {
        "SERVICE": "WFS",
        "VERSION": "2.0.0",
        "REQUEST": "GetFeature",
        "TYPENAMES": "parcele",
        "COUNT": 3,
        **params,
    }
    response = ows.get(**query)
    assert "holder" not in response.text.lower() or "Exception" in response.text
    assert "Exception" in response.text or "nr_cadastral" in response.text
    assert _parcel_count() == before


def test_remote_sld_and_ows_urls_are_never_fetched(ows, canary):
    parcel = known_parcel()
    box = bbox_around(parcel["x"], parcel["y"], 15, "EPSG:3844")
    getmap = {
        "SERVICE": "WMS",
        "VERSION": "1.3.0",
        "REQUEST": "GetMap",
        "LAYERS": "parcele",
        "STYLES": "",
        "CRS": "EPSG:3844",
        "BBOX": box,
        "WIDTH": 64,
        "HEIGHT": 64,
        "FORMAT": "image/png",
    }
    ows.get(**getmap, SLD=f"{canary}/style.sld")
    ows.get(
        **getmap,
        SLD_BODY=f"<StyledLayerDescriptor><NamedLayer><Name>parcele</Name>"
        f"<UserStyle><FeatureTypeStyle><OnlineResource "
        f'xlink:href="{canary}/x.png"/></FeatureTypeStyle></UserStyle>'
        f"</NamedLayer></StyledLayerDescriptor>",
    )
    ows.get(
        SERVICE="WMS",
        VERSION="1.3.0",
        REQUEST="GetLegendGraphic",
        LAYER="parcele",
        FORMAT="image/png",
        SLD=f"{canary}/legend.sld",
    )
    ows.get(
        SERVICE="WMS",
        VERSION="1.1.1",
        REQUEST="GetMap",
        LAYERS="parcele",
        STYLES="",
        SRS="EPSG:3844",
        BBOX="0,0,1,1",
        WIDTH=10,
        HEIGHT=10,
        FORMAT="image/png",
        MAP=f"{canary}/remote.map",
    )
    ows.get(
        SERVICE="WFS",
        VERSION="2.0.0",
        REQUEST="GetFeature",
        TYPENAMES="parcele",
        FILTER=f'<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink" xlink:href="{canary}/f"/>',
    )
    assert Canary.hits == []


@pytest.mark.parametrize(("width", "height"), [(20000, 20000), (0, 100), (-5, 10), (99999999, 1)])
def test_absurd_sizes_are_refused(ows, width, height):
    parcel = known_parcel()
    response = ows.get(
        SERVICE="WMS",
        VERSION="1.3.0",
        REQUEST="GetMap",
        LAYERS="parcele",
        STYLES="",
        CRS="EPSG:3844",
        BBOX=bbox_around(parcel["x"], parcel["y"], 15, "EPSG:3844"),
        WIDTH=width,
        HEIGHT=height,
        FORMAT="image/png",
    )
    assert not response.headers["Content-Type"].startswith("image/")
    assert "ServiceException" in response.text


def test_feature_counts_are_capped_in_every_mapfile(ows):
    from layers.publishing.mapfile import WFS_MAX_FEATURES

    for mapfile in ows.ows_dir.glob("*.map"):
        assert f'"wfs_maxfeatures" "{WFS_MAX_FEATURES}"' in mapfile.read_text(), mapfile
