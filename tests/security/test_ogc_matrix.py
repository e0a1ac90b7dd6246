"""The OGC side of the access matrix, on the real stack (nginx + Django + MapServer pool):
anonymous, citizen, urbanism officer, roads officer and administrator × every published
layer × every request kind (WMS GetCapabilities / GetMap / GetFeatureInfo /
GetLegendGraphic, WFS GetCapabilities / DescribeFeatureType / GetFeature, OGC API
Features), writes refused to all, and canary personal data (owners, applicants) in no
output format.

The canaries and accounts are committed (MapServer and the stack's Django read the test
database over their own connections) and removed at the end of the module.
"""

from __future__ import annotations

import io
import zipfile

import pytest
import requests
from django.contrib.auth.models import Group
from lxml import etree
from pyproj import Transformer

from layers.models import Layer, Parcel, PropertyRight
from permits import seed
from permits.models import Applicant, Application, ApplicationEvent
from permits.services import applications as services
from tests.ogc.conftest import ows  # noqa: F401 (the session's serving stack)
from tests.ogc.helpers import bbox_around

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "citizen", "urbanism", "roads", "admin")
PUBLIC = frozenset(ROLES)
OFFICERS = frozenset({"urbanism", "roads", "admin"})
# Every layer of the registry and who may see it. A new layer fails the first test.
LAYERS: dict[str, frozenset[str]] = {
    "uat": PUBLIC,
    "intravilan": PUBLIC,
    "parcele": PUBLIC,
    "cladiri": OFFICERS,
    "drumuri_judetene": PUBLIC,
    "zona_drumului": PUBLIC,
    "pug_utr": PUBLIC,
    "restrictii": PUBLIC,
    "ortofoto": PUBLIC,
    "arhiva_acte": OFFICERS,
}
RASTERS = {"ortofoto"}
PASSWORD = "parola-lunga-ogc-123"
ACCOUNTS = {
    "citizen": ("cetatean.ogc", None),
    "urbanism": ("urbanist.ogc", "urbanism"),
    "roads": ("drumar.ogc", "drumuri"),
}
OWNER_CANARY = ("Canarescu-Proprietarovici-OGC", "1690417123451")
APPLICANT_CANARY = ("Ionela Canarache-OGC", "2850505400019", "canar.ogc@example.org")
CANARIES = OWNER_CANARY + APPLICANT_CANARY
WFS = {"wfs": "http://www.opengis.net/wfs/2.0", "ows": "http://www.opengis.net/ows/1.1"}


@pytest.fixture(scope="module")
def world(ows, django_db_blocker):  # noqa: F811
    """Accounts, a parcel with a canary owner and a canary application, committed."""
    with django_db_blocker.unblock():
        from django.apps import apps
        from django.contrib.auth import get_user_model

        django_user_model = get_user_model()

        seed.seed(apps)
        users = []
        for username, group in ACCOUNTS.values():
            user = django_user_model.objects.create_user(username, password=PASSWORD)
            if group:
                user.is_staff = True
                user.save()
                user.groups.add(Group.objects.get(name=group))
            users.append(user)
        parcel = (
            Parcel.objects.filter(intravilan=True, buildings__isnull=False)
            .select_related("uat")
            .order_by("pk")
            .first()
        )
        right = PropertyRight.objects.create(
            parcel=parcel,
            holder_kind=PropertyRight.HolderKind.PERSON,
            holder_name=OWNER_CANARY[0],
            holder_id_code=OWNER_CANARY[1],
            right_kind=PropertyRight.RightKind.OWNERSHIP,
            deed=OWNER_CANARY[0],
        )
        application, _ = services.create_application(
            kind="cu",
            applicant={
                "kind": "pf",
                "name": APPLICANT_CANARY[0],
                "id_code": APPLICANT_CANARY[1],
                "email": APPLICANT_CANARY[2],
            },
            parcels=[{"uat": parcel.uat.siruta, "cadastral_number": parcel.cadastral_number}],
            purpose="construire",
            description="Casă",
        )
        point = parcel.geom.point_on_surface
        parcels = Parcel.objects.count()
    try:
        yield {"parcel": parcel, "x": point.x, "y": point.y, "parcels": parcels}
    finally:
        with django_db_blocker.unblock():
            applicant_id = application.applicant_id
            ApplicationEvent.objects.filter(application=application).delete()
            Application.objects.filter(pk=application.pk).delete()
            Applicant.objects.filter(pk=applicant_id).delete()
            right.delete()
            for user in users:
                user.delete()


def _auth(role: str) -> tuple[str, str] | None:
    if role == "anonymous":
        return None
    if role == "admin":
        return ("demo.admin", "demo-admin-2024")
    return (ACCOUNTS[role][0], PASSWORD)


def _visible(role: str) -> set[str]:
    return {name for name, who in LAYERS.items() if role in who}


def test_every_registry_layer_is_in_the_matrix(world):
    assert set(Layer.objects.filter(enabled=True).values_list("name", flat=True)) == set(LAYERS)


def _names(xml: bytes, path: str, ns: dict[str, str]) -> set[str]:
    return {e.text for e in etree.fromstring(xml).iterfind(path, ns)}


@pytest.mark.parametrize("role", ROLES)
def test_capabilities_list_exactly_the_layers_of_the_role(ows, world, role):  # noqa: F811
    wms = ows.get(auth=_auth(role), SERVICE="WMS", VERSION="1.3.0", REQUEST="GetCapabilities")
    assert wms.status_code == 200
    names = _names(wms.content, ".//{*}Layer/{*}Name", {})
    assert names - {"gisapp"} >= set() and (names & set(LAYERS)) == _visible(role)
    wfs = ows.get(auth=_auth(role), SERVICE="WFS", VERSION="2.0.0", REQUEST="GetCapabilities")
    types = {n.split(":")[-1] for n in _names(wfs.content, ".//wfs:FeatureType/wfs:Name", WFS)}
    assert types == _visible(role) - RASTERS
    # OGC API Features serves the public layers only, whatever the caller sends.
    collections = requests.get(
        f"{ows.base}/ogcapi/collections", params={"f": "json"}, auth=_auth(role), timeout=60
    ).json()["collections"]
    assert {c["id"] for c in collections} == set(LAYERS.keys()) - RASTERS - OFFICERS_ONLY


OFFICERS_ONLY = {name for name, who in LAYERS.items() if who == OFFICERS}


def _is_image(response: requests.Response) -> bool:
    return response.status_code == 200 and response.headers["Content-Type"].startswith("image/")


def _refused(response: requests.Response) -> bool:
    """MapServer's answer to a layer that does not exist for this audience."""
    text = response.text
    return "LayerNotDefined" in text or "Exception" in text or response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_every_request_kind_on_every_layer(ows, world, role):  # noqa: F811
    x, y, auth = world["x"], world["y"], _auth(role)
    bbox = bbox_around(x, y, 60, "EPSG:3844")
    got: dict[tuple[str, str], bool] = {}
    expected: dict[tuple[str, str], bool] = {}
    for layer, who in LAYERS.items():
        allowed = role in who
        getmap = ows.get(
            auth=auth,
            SERVICE="WMS",
            VERSION="1.3.0",
            REQUEST="GetMap",
            LAYERS=layer,
            STYLES="",
            CRS="EPSG:3844",
            BBOX=bbox,
            WIDTH=256,
            HEIGHT=256,
            FORMAT="image/png",
        )
        got[layer, "GetMap"] = _is_image(getmap)
        assert _is_image(getmap) or _refused(getmap)
        legend = ows.get(
            auth=auth,
            SERVICE="WMS",
            VERSION="1.3.0",
            REQUEST="GetLegendGraphic",
            LAYER=layer,
            FORMAT="image/png",
            SLD_VERSION="1.1.0",
        )
        got[layer, "GetLegendGraphic"] = _is_image(legend)
        expected[layer, "GetMap"] = expected[layer, "GetLegendGraphic"] = allowed
        if layer in RASTERS:
            continue
        gfi = ows.get(
            auth=auth,
            SERVICE="WMS",
            VERSION="1.3.0",
            REQUEST="GetFeatureInfo",
            LAYERS=layer,
            QUERY_LAYERS=layer,
            STYLES="",
            CRS="EPSG:3844",
            BBOX=bbox,
            WIDTH=256,
            HEIGHT=256,
            I=128,
            J=128,
            INFO_FORMAT="application/json",
        )
        got[layer, "GetFeatureInfo"] = (
            gfi.headers["Content-Type"].startswith("application/json") and "features" in gfi.json()
        )
        describe = ows.get(
            auth=auth,
            SERVICE="WFS",
            VERSION="2.0.0",
            REQUEST="DescribeFeatureType",
            TYPENAMES=layer,
        )
        got[layer, "DescribeFeatureType"] = (
            describe.status_code == 200 and f'name="{layer}"' in describe.text
        )
        feature = ows.get(
            auth=auth,
            SERVICE="WFS",
            VERSION="2.0.0",
            REQUEST="GetFeature",
            TYPENAMES=layer,
            COUNT=1,
        )
        got[layer, "GetFeature"] = "FeatureCollection" in feature.text and not _refused(feature)
        items = requests.get(
            f"{ows.base}/ogcapi/collections/{layer}/items",
            params={"f": "json", "limit": 1},
            auth=auth,
            timeout=60,
        )
        got[layer, "OGCAPI items"] = items.status_code == 200
        for kind in ("GetFeatureInfo", "DescribeFeatureType", "GetFeature"):
            expected[layer, kind] = allowed
        expected[layer, "OGCAPI items"] = who == PUBLIC
    assert got == expected


TRANSACTION = """<?xml version="1.0"?>
<wfs:Transaction service="WFS" version="2.0.0" xmlns:wfs="http://www.opengis.net/wfs/2.0"
  xmlns:fes="http://www.opengis.net/fes/2.0">
  <wfs:Delete typeName="parcele">
    <fes:Filter><fes:ResourceId rid="parcele.{pid}"/></fes:Filter>
  </wfs:Delete>
</wfs:Transaction>"""


@pytest.mark.parametrize("role", ROLES)
def test_nobody_writes_through_the_ogc_services(ows, world, role):  # noqa: F811
    """WFS-T is not offered: a transaction (POST or GET) is an exception for everybody;
    OGC API Features creates nothing (MapServer answers a POST like a GET)."""
    pid = world["parcel"].pk
    response = requests.post(
        ows.url,
        data=TRANSACTION.format(pid=pid).encode(),
        headers={"Content-Type": "text/xml"},
        auth=_auth(role),
        timeout=60,
    )
    assert "Exception" in response.text
    get = ows.get(auth=_auth(role), SERVICE="WFS", VERSION="2.0.0", REQUEST="Transaction")
    assert "Exception" in get.text
    post = requests.post(
        f"{ows.base}/ogcapi/collections/parcele/items",
        json={"type": "Feature", "geometry": None, "properties": {}},
        auth=_auth(role),
        timeout=60,
    )
    assert post.status_code == 405 and post.headers["Allow"] == "GET, HEAD"
    assert "Location" not in post.headers
    assert Parcel.objects.filter(pk=pid).exists()
    assert Parcel.objects.count() == world["parcels"]


def _output_formats(ows, auth) -> list[str]:  # noqa: F811
    caps = ows.get(auth=auth, SERVICE="WFS", VERSION="2.0.0", REQUEST="GetCapabilities")
    root = etree.fromstring(caps.content)
    path = (
        ".//ows:Operation[@name='GetFeature']/ows:Parameter[@name='outputFormat']"
        "/ows:AllowedValues/ows:Value"
    )
    return [v.text for v in root.iterfind(path, WFS)]


def _text_of(response: requests.Response) -> str:
    """Text of an answer; zipped answers (shapefiles) are unpacked."""
    data = response.content
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return data.decode("utf-8", "replace")


@pytest.mark.parametrize("role", ["anonymous", "urbanism"])
def test_no_output_format_contains_personal_data(ows, world, role):  # noqa: F811
    """Every WFS output format, every GetFeatureInfo format, OGC API JSON and HTML and the
    capabilities: the canary parcel is in the answer, its owner and applicant are not."""
    parcel, auth = world["parcel"], _auth(role)
    number = parcel.cadastral_number
    x, y = world["x"], world["y"]
    layers = sorted(_visible(role) - RASTERS)
    formats = _output_formats(ows, auth)
    assert len(formats) >= 2, formats
    answers: list[tuple[str, str]] = []
    for fmt in formats:
        for layer in layers:
            response = ows.get(
                auth=auth,
                SERVICE="WFS",
                VERSION="2.0.0",
                REQUEST="GetFeature",
                TYPENAMES=layer,
                OUTPUTFORMAT=fmt,
                # WFS 2.0 with an EPSG URN: Stereo 70 is northing, easting
                BBOX=f"{y - 40},{x - 40},{y + 40},{x + 40},urn:ogc:def:crs:EPSG::3844",
                SRSNAME="urn:ogc:def:crs:EPSG::3844",
            )
            answers.append((f"GetFeature {layer} {fmt}", _text_of(response)))
        parcels = answers[-len(layers) + layers.index("parcele")][1]
        assert number in parcels, (fmt, parcels[:500])
    bbox = bbox_around(x, y, 20, "EPSG:3844")
    for info in ("text/html", "application/json", "application/vnd.ogc.gml", "text/plain"):
        response = ows.get(
            auth=auth,
            SERVICE="WMS",
            VERSION="1.3.0",
            REQUEST="GetFeatureInfo",
            LAYERS=",".join(layers),
            QUERY_LAYERS=",".join(layers),
            STYLES="",
            CRS="EPSG:3844",
            BBOX=bbox,
            WIDTH=101,
            HEIGHT=101,
            I=50,
            J=50,
            INFO_FORMAT=info,
            FEATURE_COUNT=50,
        )
        answers.append((f"GetFeatureInfo {info}", response.text))
    assert any(number in text for name, text in answers if "application/json" in name)
    lon, lat = Transformer.from_crs(3844, 4326, always_xy=True).transform(x, y)
    for f in ("json", "html"):
        items = requests.get(
            f"{ows.base}/ogcapi/collections/parcele/items",
            params={"f": f, "bbox": f"{lon - 1e-4},{lat - 1e-4},{lon + 1e-4},{lat + 1e-4}"},
            auth=auth,
            timeout=60,
        )
        assert items.status_code == 200 and number in items.text
        answers.append((f"OGC API {f}", items.text))
    for service in ("WMS", "WFS"):
        caps = ows.get(auth=auth, SERVICE=service, REQUEST="GetCapabilities")
        answers.append((f"{service} capabilities", caps.text))
    for name, text in answers:
        for canary in CANARIES:
            assert canary not in text, (name, canary)
