"""WMS 1.3.0 and 1.1.1 from MapServer, as QGIS would use it (owslib, real requests)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection
from lxml import etree
from owslib.wms import WebMapService

from layers.models import Layer
from tests.ogc.helpers import ALL_CRS, INTRAVILAN_FILL, bbox_around, image, known_parcel

pytestmark = pytest.mark.django_db
SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "ogc-schemas"


def test_capabilities_list_exactly_the_public_layers(ows):
    wms = WebMapService(ows.url, version="1.3.0")
    public = set(Layer.objects.filter(access="public").values_list("name", flat=True))
    leaf = {name for name, layer in wms.contents.items() if not layer.layers}
    assert leaf == public
    assert "cladiri" not in wms.contents
    for name in public:
        assert set(ALL_CRS) <= set(wms.contents[name].crsOptions), name


def test_capabilities_bounding_box_matches_the_data(ows):
    wms = WebMapService(ows.url, version="1.3.0")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM "
            "(SELECT ST_Extent(geom) e FROM layers_parcel) s"
        )
        expected = cursor.fetchone()
    # WMS 1.3.0 writes the box in the CRS's axis order: EPSG:3844 is (northing, easting).
    caps = etree.fromstring(
        ows.get(SERVICE="WMS", VERSION="1.3.0", REQUEST="GetCapabilities").content
    )
    ns = {"w": "http://www.opengis.net/wms"}
    layer = caps.xpath("//w:Layer[w:Name='parcele']", namespaces=ns)[0]
    box = layer.xpath("w:BoundingBox[@CRS='EPSG:3844']", namespaces=ns)[0]
    n0, e0, n1, e1 = (float(box.get(k)) for k in ("minx", "miny", "maxx", "maxy"))
    assert e0 == pytest.approx(expected[0], abs=1)
    assert n0 == pytest.approx(expected[1], abs=1)
    assert e1 == pytest.approx(expected[2], abs=1)
    assert n1 == pytest.approx(expected[3], abs=1)
    lon0, lat0, lon1, lat1 = wms.contents["parcele"].boundingBoxWGS84
    assert 20 < lon0 < lon1 < 30 and 43 < lat0 < lat1 < 49


def test_capabilities_validate_against_the_ogc_schema(ows):
    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "wms/1.3.0/capabilities_1_3_0.xsd")))
    response = ows.get(SERVICE="WMS", VERSION="1.3.0", REQUEST="GetCapabilities")
    schema.assertValid(etree.fromstring(response.content))


@pytest.mark.parametrize("crs", ALL_CRS)
def test_getmap_shows_the_parcel_style_at_a_known_parcel_in_every_crs(ows, crs):
    parcel = known_parcel()
    response = ows.get(
        SERVICE="WMS",
        VERSION="1.3.0",
        REQUEST="GetMap",
        LAYERS="parcele",
        STYLES="",
        CRS=crs,
        BBOX=bbox_around(parcel["x"], parcel["y"], 15, crs),
        WIDTH=256,
        HEIGHT=256,
        FORMAT="image/png",
        TRANSPARENT="TRUE",
    )
    assert response.headers["Content-Type"] == "image/png", response.text[:500]
    img = image(response.content)
    assert img.size == (256, 256)
    assert img.getpixel((128, 128))[:3] == INTRAVILAN_FILL, crs
    # 256 px for 30 m: 8 m south-west of the point is the street crossing (transparent),
    # 8 m north-east still the parcel. A datum shift of a few metres would break this.
    assert img.getpixel((128 - 68, 128 + 68))[3] == 0, crs
    assert img.getpixel((128 + 68, 128 - 68))[:3] == INTRAVILAN_FILL, crs


def test_getmap_wms_111_with_xy_axis_order_and_jpeg(ows):
    parcel = known_parcel()
    response = ows.get(
        SERVICE="WMS",
        VERSION="1.1.1",
        REQUEST="GetMap",
        LAYERS="parcele",
        STYLES="",
        SRS="EPSG:3844",
        BBOX=bbox_around(parcel["x"], parcel["y"], 15, "EPSG:3844", "1.1.1"),
        WIDTH=300,
        HEIGHT=200,
        FORMAT="image/jpeg",
    )
    assert response.headers["Content-Type"] == "image/jpeg"
    img = image(response.content)
    assert img.size == (300, 200)
    r, g, b, _ = img.getpixel((150, 100))
    assert abs(r - 255) < 8 and abs(g - 242) < 8 and abs(b - 204) < 10


def test_getmap_with_owslib_and_the_orthophoto(ows):
    wms = WebMapService(ows.url, version="1.3.0")
    parcel = known_parcel()
    bbox = (parcel["x"] - 100, parcel["y"] - 100, parcel["x"] + 100, parcel["y"] + 100)
    img = wms.getmap(
        layers=["ortofoto"],
        styles=[""],
        srs="EPSG:3844",
        bbox=bbox,
        size=(200, 200),
        format="image/png",
    )
    picture = image(img.read())
    colours = {picture.getpixel((x, y))[:3] for x in range(0, 200, 20) for y in range(0, 200, 20)}
    assert len(colours) > 10  # a painted raster, not a blank image


def _feature_info(ows, info_format: str, version: str = "1.3.0"):
    parcel = known_parcel()
    crs = "EPSG:3844"
    params = {
        "SERVICE": "WMS",
        "VERSION": version,
        "REQUEST": "GetFeatureInfo",
        "LAYERS": "parcele",
        "QUERY_LAYERS": "parcele",
        "STYLES": "",
        "BBOX": bbox_around(parcel["x"], parcel["y"], 15, crs, version),
        "WIDTH": 256,
        "HEIGHT": 256,
        "INFO_FORMAT": info_format,
        "FEATURE_COUNT": 5,
    }
    if version == "1.3.0":
        params |= {"CRS": crs, "I": 128, "J": 128}
    else:
        params |= {"SRS": crs, "X": 128, "Y": 128}
    return parcel, ows.get(**params)


def test_getfeatureinfo_html_names_the_cadastral_number(ows):
    parcel, response = _feature_info(ows, "text/html")
    assert response.headers["Content-Type"].startswith("text/html")
    assert f"<td>{parcel['number']}</td>" in response.text
    assert response.text.count('data-layer="parcele"') == 1


def test_getfeatureinfo_json(ows):
    parcel, response = _feature_info(ows, "application/json")
    assert response.headers["Content-Type"].startswith("application/json")
    features = response.json()["features"]
    assert [f["properties"]["nr_cadastral"] for f in features] == [parcel["number"]]
    assert set(features[0]["properties"]) <= {
        "nr_cadastral",
        "nr_cf",
        "uat",
        "siruta",
        "intravilan",
        "suprafata",
        "folosinta",
    }


def test_getfeatureinfo_wms_111(ows):
    parcel, response = _feature_info(ows, "text/html", "1.1.1")
    assert parcel["number"] in response.text


def test_getlegendgraphic(ows):
    response = ows.get(
        SERVICE="WMS",
        VERSION="1.3.0",
        REQUEST="GetLegendGraphic",
        LAYER="restrictii",
        FORMAT="image/png",
        SLD_VERSION="1.1.0",
    )
    assert response.headers["Content-Type"] == "image/png"
    assert image(response.content).size[1] > 60  # one row per restriction class


def test_absurd_image_size_is_refused(ows):
    parcel = known_parcel()
    response = ows.get(
        SERVICE="WMS",
        VERSION="1.3.0",
        REQUEST="GetMap",
        LAYERS="parcele",
        STYLES="",
        CRS="EPSG:3844",
        BBOX=bbox_around(parcel["x"], parcel["y"], 15, "EPSG:3844"),
        WIDTH=20000,
        HEIGHT=20000,
        FORMAT="image/png",
    )
    assert "image" not in response.headers["Content-Type"]
    assert "ServiceException" in response.text
