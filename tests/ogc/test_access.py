"""Access rules are enforced at the service: restricted layers, credentials, mapfile choice,
and the database role MapServer reads through."""

from __future__ import annotations

import re

import psycopg
import pytest
import requests
from django.db import connection
from owslib.wms import WebMapService

from layers.publishing.services import ows_database
from tests.ogc.helpers import bbox_around, image, known_parcel

pytestmark = pytest.mark.django_db
OFFICER = ("demo.officer", "demo-parola-2024")


def _building_point() -> tuple[float, float]:
    with connection.cursor() as cursor:
        cursor.execute(
            # 1 m inside a corner: away from the label at the middle
            "SELECT ST_XMin(geom) + 1, ST_YMin(geom) + 1 FROM layers_building ORDER BY id LIMIT 1"
        )
        return cursor.fetchone()


def _getmap_cladiri(ows, auth=None) -> requests.Response:
    x, y = _building_point()
    return ows.get(
        auth=auth,
        SERVICE="WMS",
        VERSION="1.3.0",
        REQUEST="GetMap",
        LAYERS="cladiri",
        STYLES="",
        CRS="EPSG:3844",
        BBOX=bbox_around(x, y, 20, "EPSG:3844"),
        WIDTH=200,
        HEIGHT=200,
        FORMAT="image/png",
        TRANSPARENT="TRUE",
    )


def test_restricted_layer_is_absent_for_anonymous_and_present_for_officers(ows):
    anonymous = WebMapService(ows.url, version="1.3.0")
    officer = WebMapService(ows.url, version="1.3.0", username=OFFICER[0], password=OFFICER[1])
    assert "cladiri" not in anonymous.contents
    assert "cladiri" in officer.contents


def test_restricted_getmap_refused_for_anonymous_allowed_for_officer(ows):
    refused = _getmap_cladiri(ows)
    assert "LayerNotDefined" in refused.text
    allowed = _getmap_cladiri(ows, auth=OFFICER)
    assert allowed.headers["Content-Type"] == "image/png"
    assert image(allowed.content).getpixel((100, 100))[:3] == (189, 189, 189)


def test_restricted_getfeatureinfo_and_getfeature_refused_for_anonymous(ows):
    x, y = _building_point()
    gfi = {
        "SERVICE": "WMS",
        "VERSION": "1.3.0",
        "REQUEST": "GetFeatureInfo",
        "LAYERS": "cladiri",
        "QUERY_LAYERS": "cladiri",
        "STYLES": "",
        "CRS": "EPSG:3844",
        "BBOX": bbox_around(x, y, 20, "EPSG:3844"),
        "WIDTH": 200,
        "HEIGHT": 200,
        "I": 100,
        "J": 100,
        "INFO_FORMAT": "application/json",
    }
    assert "LayerNotDefined" in ows.get(**gfi).text
    assert ows.get(auth=OFFICER, **gfi).json()["features"][0]["properties"]["nr_constructie"]
    wfs = {
        "SERVICE": "WFS",
        "VERSION": "2.0.0",
        "REQUEST": "GetFeature",
        "TYPENAMES": "cladiri",
        "COUNT": 1,
    }
    assert "Exception" in ows.get(**wfs).text
    assert "nr_constructie" in ows.get(auth=OFFICER, **wfs).text


def test_wrong_credentials_get_401_with_a_challenge(ows):
    response = ows.get(
        auth=("demo.officer", "parola-gresita"), SERVICE="WMS", REQUEST="GetCapabilities"
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Basic")


def test_officer_session_cookie_works_like_the_web_map(ows):
    session = requests.Session()
    login = session.get(f"{ows.base}/admin/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text).group(1)
    session.post(
        f"{ows.base}/admin/login/",
        data={
            "username": OFFICER[0],
            "password": OFFICER[1],
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        },
        headers={"Referer": f"{ows.base}/admin/login/"},
        timeout=30,
    )
    assert "sessionid" in session.cookies
    caps = session.get(ows.url, params={"SERVICE": "WMS", "REQUEST": "GetCapabilities"}, timeout=30)
    assert "<Name>cladiri</Name>" in caps.text


@pytest.mark.parametrize("value", ["officer", "v-", "/etc/passwd", "MS_MAPFILE", "../x.map"])
def test_the_mapfile_is_never_taken_from_the_request(ows, value):
    restricted = next(ows.ows_dir.glob("v-*.map"))
    target = {"officer": str(restricted), "v-": restricted.stem}.get(value, value)
    response = ows.get(SERVICE="WMS", VERSION="1.3.0", REQUEST="GetCapabilities", MAP=target)
    assert "<Name>cladiri</Name>" not in response.text


def test_the_ows_role_reads_the_public_views_and_nothing_else(ows):
    db = ows_database()
    with psycopg.connect(
        host=db.host, port=db.port, dbname=db.dbname, user=db.user, password=db.password
    ) as conn:
        assert conn.execute("SELECT COUNT(*) FROM ows.parcele").fetchone()[0] > 0
        for table in ("layers_propertyright", "layers_parcel", "auth_user"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(f"SELECT 1 FROM {table} LIMIT 1")
            conn.rollback()


def test_no_public_output_contains_owner_names(ows):
    parcel = known_parcel()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT holder_name, holder_id_code FROM layers_propertyright WHERE parcel_id = %s",
            [parcel["id"]],
        )
        name, cnp = cursor.fetchone()
    box = bbox_around(parcel["x"], parcel["y"], 15, "EPSG:3844")
    outputs = [
        ows.get(
            SERVICE="WMS",
            VERSION="1.3.0",
            REQUEST="GetFeatureInfo",
            LAYERS="parcele",
            QUERY_LAYERS="parcele",
            STYLES="",
            CRS="EPSG:3844",
            BBOX=box,
            WIDTH=256,
            HEIGHT=256,
            I=128,
            J=128,
            INFO_FORMAT=fmt,
        ).text
        for fmt in ("text/html", "application/json", "application/vnd.ogc.gml")
    ]
    outputs.append(
        ows.get(
            SERVICE="WFS", VERSION="2.0.0", REQUEST="GetFeature", TYPENAMES="parcele", COUNT=10000
        ).text
    )
    for text in outputs:
        assert name not in text and cnp not in text
