"""The layer registry in the admin: sources are checked before anything is published,
and an external WMS (read with owslib) can be cascaded."""

from __future__ import annotations

import os
import subprocess

import pytest
from django.conf import settings
from django.urls import reverse

from layers.models import Layer
from layers.publishing.mapfile import install_mapfile, render_mapfile
from layers.publishing.services import ows_database
from tests.ogc.helpers import INTRAVILAN_FILL, bbox_around, image, known_parcel

pytestmark = pytest.mark.django_db


def _post(admin_client, **overrides):
    data = {
        "name": "test_strat",
        "title": "Test",
        "abstract": "",
        "group": "cadastru",
        "order": 200,
        "source_kind": "view",
        "source": "parcele",
        "source_layer": "",
        "geometry_type": "polygon",
        "min_scale": "",
        "max_scale": "",
        "label_attribute": "",
        "label_max_scale": "",
        "queryable_attributes": "nr_cadastral",
        "access": "public",
        "enabled": "on",
        "classes-TOTAL_FORMS": "0",
        "classes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return admin_client.post(reverse("admin:layers_layer_add"), data)


def test_registry_admin_lists_the_seeded_layers(admin_client):
    response = admin_client.get(reverse("admin:layers_layer_changelist"))
    for name in (
        "uat",
        "intravilan",
        "parcele",
        "cladiri",
        "drumuri_judetene",
        "zona_drumului",
        "pug_utr",
        "restrictii",
        "ortofoto",
    ):
        assert name.encode() in response.content


def test_a_column_missing_from_the_public_view_is_refused(admin_client):
    response = _post(admin_client, queryable_attributes="nr_cadastral,holder_name")
    assert response.status_code == 200
    assert "Coloane inexistente: holder_name" in response.content.decode()
    assert not Layer.objects.filter(name="test_strat").exists()


def test_an_unknown_view_and_a_missing_raster_are_refused(admin_client):
    assert (
        "Nu există vederea" in _post(admin_client, source="layers_propertyright").content.decode()
    )
    response = _post(
        admin_client,
        source_kind="raster",
        source="nu/exista.tif",
        geometry_type="raster",
        queryable_attributes="",
    )
    assert "Fișierul raster nu există" in response.content.decode()


def test_external_wms_is_checked_with_owslib_and_cascaded(admin_client, ows, tmp_path):
    missing = _post(
        admin_client,
        source_kind="wms",
        source=ows.url,
        source_layer="nu_exista",
        geometry_type="raster",
        queryable_attributes="",
    )
    assert "nu există în serviciu" in missing.content.decode()
    created = _post(
        admin_client,
        source_kind="wms",
        source=ows.url,
        source_layer="parcele",
        geometry_type="raster",
        queryable_attributes="",
    )
    assert created.status_code == 302
    layer = Layer.objects.get(name="test_strat")
    text = render_mapfile(
        layers=[layer],
        db=ows_database(),
        online_resource=ows.url,
        name="cascadat",
        out_dir=ows.ows_dir,
    )
    install_mapfile(name="cascadat", text=text, out_dir=ows.ows_dir)
    # Render the cascaded layer with mapserv itself (the CGI binary, no request path).
    parcel = known_parcel()
    query = (
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=test_strat&STYLES=&CRS=EPSG:3844"
        f"&BBOX={bbox_around(parcel['x'], parcel['y'], 15, 'EPSG:3844')}&WIDTH=256&HEIGHT=256"
        "&FORMAT=image/png"
    )
    result = subprocess.run(
        [settings.MAPSERV_BIN],
        capture_output=True,
        timeout=60,
        check=True,
        env={
            "MAPSERVER_CONFIG_FILE": str(ows.ows_dir / "mapserver.conf"),
            "MS_MAPFILE": str(ows.ows_dir / "cascadat.map"),
            "QUERY_STRING": query,
            "REQUEST_METHOD": "GET",
            "PROJ_DATA": str(ows.ows_dir / "proj"),
            "PATH": os.environ["PATH"],
        },
    )
    png = result.stdout[result.stdout.find(b"\x89PNG") :]
    assert image(png).getpixel((128, 128))[:3] == INTRAVILAN_FILL
