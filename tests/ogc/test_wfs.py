"""WFS 2.0 and 1.1.0 from MapServer, checked against PostGIS and with GDAL's WFS driver."""

from __future__ import annotations

import json
import subprocess

import pytest
import requests
from django.db import connection
from lxml import etree
from owslib.wfs import WebFeatureService
from pyproj import Transformer

from tests.ogc.helpers import known_parcel

pytestmark = pytest.mark.django_db
WFS_NS = {"wfs": "http://www.opengis.net/wfs/2.0", "gml": "http://www.opengis.net/gml/3.2"}


def _box(half: float = 150) -> tuple[float, float, float, float]:
    p = known_parcel()
    return (p["x"] - half, p["y"] - half, p["x"] + half, p["y"] + half)


def _postgis_numbers(box) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT cadastral_number FROM layers_parcel "
            "WHERE ST_Intersects(geom, ST_MakeEnvelope(%s, %s, %s, %s, 3844))",
            list(box),
        )
        return {row[0] for row in cursor.fetchall()}


def _total_parcels() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM layers_parcel")
        return cursor.fetchone()[0]


def test_capabilities_and_describe_feature_type(ows):
    wfs = WebFeatureService(ows.url, version="2.0.0")
    names = {name.split(":")[-1] for name in wfs.contents}
    assert {"parcele", "drumuri_judetene", "pug_utr", "restrictii"} <= names
    assert "cladiri" not in names and "ortofoto" not in names
    schema = ows.get(
        SERVICE="WFS", VERSION="2.0.0", REQUEST="DescribeFeatureType", TYPENAMES="parcele"
    ).text
    assert 'name="nr_cadastral"' in schema
    assert "holder" not in schema and "cnp" not in schema.lower()


def test_getfeature_bbox_returns_exactly_what_postgis_returns(ows):
    box = _box()
    response = ows.get(
        SERVICE="WFS",
        VERSION="2.0.0",
        REQUEST="GetFeature",
        TYPENAMES="parcele",
        BBOX=f"{box[1]},{box[0]},{box[3]},{box[2]},urn:ogc:def:crs:EPSG::3844",
        OUTPUTFORMAT="application/json",
    )
    features = response.json()["features"]
    numbers = {f["properties"]["nr_cadastral"] for f in features}
    assert numbers == _postgis_numbers(box)
    assert len(features) == len(numbers) > 10


def test_getfeature_gml32_with_owslib(ows):
    box = _box(60)
    wfs = WebFeatureService(ows.url, version="2.0.0")
    response = wfs.getfeature(typename=["parcele"], bbox=(*box, "urn:ogc:def:crs:EPSG::3844"))
    doc = etree.fromstring(response.read())
    assert doc.tag == "{http://www.opengis.net/wfs/2.0}FeatureCollection"
    members = doc.findall("wfs:member", WFS_NS)
    numbers = {m.findtext(".//{*}nr_cadastral") for m in members}
    assert numbers == _postgis_numbers(box)
    assert (
        doc.find(".//gml:Polygon", WFS_NS) is not None
        or doc.find(".//gml:MultiSurface", WFS_NS) is not None
    )
    assert {m.findtext(".//{*}intravilan") for m in members} <= {"da", "nu"}


def test_paging_is_consistent(ows):
    box = _box(250)
    expected = _postgis_numbers(box)
    seen: list[str] = []
    for start in range(0, len(expected) + 40, 40):
        page = ows.get(
            SERVICE="WFS",
            VERSION="2.0.0",
            REQUEST="GetFeature",
            TYPENAMES="parcele",
            BBOX=f"{box[1]},{box[0]},{box[3]},{box[2]},urn:ogc:def:crs:EPSG::3844",
            OUTPUTFORMAT="application/json",
            COUNT=40,
            STARTINDEX=start,
            SORTBY="nr_cadastral",
        ).json()["features"]
        assert len(page) <= 40
        seen += [f["properties"]["nr_cadastral"] for f in page]
    assert len(seen) == len(set(seen)) == len(expected)
    assert set(seen) == expected
    assert seen == sorted(seen)


def test_filter_on_a_public_attribute(ows):
    number = known_parcel()["number"]
    fes = (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsEqualTo>'
        f"<fes:ValueReference>nr_cadastral</fes:ValueReference><fes:Literal>{number}"
        "</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>"
    )
    features = ows.get(
        SERVICE="WFS",
        VERSION="2.0.0",
        REQUEST="GetFeature",
        TYPENAMES="parcele",
        FILTER=fes,
        OUTPUTFORMAT="application/json",
    ).json()["features"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM layers_parcel WHERE cadastral_number = %s", [number])
        assert len(features) == cursor.fetchone()[0] >= 1


def test_wfs_110_getfeature_with_bbox(ows):
    box = _box(60)
    # WFS 1.1.0 with a URN CRS: the axis order of EPSG:3844 (northing, easting).
    response = ows.get(
        SERVICE="WFS",
        VERSION="1.1.0",
        REQUEST="GetFeature",
        TYPENAME="parcele",
        BBOX=f"{box[1]},{box[0]},{box[3]},{box[2]},urn:ogc:def:crs:EPSG::3844",
    )
    doc = etree.fromstring(response.content)
    numbers = {e.text for e in doc.iter("{*}nr_cadastral")}
    assert numbers == _postgis_numbers(box)


OWNER_FILTERS = {
    "1.0.0": (
        "TYPENAME",
        '<Filter><PropertyIsLike wildCard="*" singleChar="." escape="!">'
        "<PropertyName>holder_name</PropertyName><Literal>*</Literal></PropertyIsLike></Filter>",
    ),
    "1.1.0": (
        "TYPENAME",
        '<ogc:Filter xmlns:ogc="http://www.opengis.net/ogc"><ogc:PropertyIsLike wildCard="*" '
        'singleChar="." escapeChar="!"><ogc:PropertyName>holder_name</ogc:PropertyName>'
        "<ogc:Literal>*</ogc:Literal></ogc:PropertyIsLike></ogc:Filter>",
    ),
    "2.0.0": (
        "TYPENAMES",
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0"><fes:PropertyIsLike '
        'wildCard="*" singleChar="." escapeChar="!"><fes:ValueReference>holder_name'
        "</fes:ValueReference><fes:Literal>*</fes:Literal></fes:PropertyIsLike></fes:Filter>",
    ),
}


@pytest.mark.parametrize("version", list(OWNER_FILTERS))
@pytest.mark.parametrize("column", ["holder_name", "holder_id_code", "address"])
def test_a_filter_on_an_owner_column_fails_in_every_wfs_version(ows, version, column):
    key, fes = OWNER_FILTERS[version]
    response = ows.get(
        SERVICE="WFS",
        VERSION=version,
        REQUEST="GetFeature",
        **{key: "parcele"},
        FILTER=fes.replace("holder_name", column),
        MAXFEATURES=5,
        COUNT=5,
    )
    assert b"Exception" in response.content
    assert b"nr_cadastral" not in response.content


def test_gdal_wfs_driver_reads_parcele(ows):
    result = subprocess.run(
        ["ogrinfo", "-ro", "-so", "-al", f"WFS:{ows.url}?VERSION=2.0.0", "parcele"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin", "GDAL_HTTP_TIMEOUT": "120"},
    )
    assert result.returncode == 0, result.stderr
    assert f"Feature Count: {_total_parcels()}" in result.stdout
    assert "nr_cadastral: String" in result.stdout


def test_gdal_reads_features_as_geojson(ows):
    box = _box(40)
    result = subprocess.run(
        [
            "ogr2ogr",
            "-f",
            "GeoJSON",
            "/vsistdout/",
            f"WFS:{ows.url}?VERSION=2.0.0",
            "parcele",
            "-spat",
            *map(str, box),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    numbers = {f["properties"]["nr_cadastral"] for f in json.loads(result.stdout)["features"]}
    assert numbers == _postgis_numbers(box)


def test_ogc_api_features_serves_public_collections(ows):
    collections = requests.get(
        f"{ows.base}/ogcapi/collections", params={"f": "json"}, timeout=60
    ).json()["collections"]
    ids = {c["id"] for c in collections}
    assert {"parcele", "drumuri_judetene", "pug_utr"} <= ids
    assert "cladiri" not in ids
    parcel = known_parcel()
    lon, lat = Transformer.from_crs(3844, 4326, always_xy=True).transform(parcel["x"], parcel["y"])
    items = requests.get(
        f"{ows.base}/ogcapi/collections/parcele/items",
        params={"f": "json", "bbox": f"{lon - 1e-5},{lat - 1e-5},{lon + 1e-5},{lat + 1e-5}"},
        timeout=60,
    ).json()["features"]
    assert parcel["number"] in {f["properties"]["nr_cadastral"] for f in items}
    restricted = requests.get(
        f"{ows.base}/ogcapi/collections/cladiri/items", params={"f": "json"}, timeout=60
    )
    assert restricted.status_code == 404
