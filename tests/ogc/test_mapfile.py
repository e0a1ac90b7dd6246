"""Mapfile generation: validated before install, regenerated when the registry changes."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from layers.models import Layer
from layers.projection import bound_proj4, towgs84
from layers.publishing.mapfile import MapfileError, install_mapfile, mapserver_config
from layers.publishing.services import mapfile_for_user, public_layers, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def ows_dir(settings, tmp_path):
    settings.OWS_DIR = str(tmp_path)
    return tmp_path


def test_stereo70_datum_shift_comes_from_proj_in_the_position_vector_convention():
    # DOMAIN.md: PROJ's signs; the other convention is ~27 m off.
    assert towgs84(3844) == (2.329, -147.042, -92.08, -0.309, 0.325, 0.497, 5.69)
    assert "+towgs84=2.329,-147.042,-92.08,-0.309,0.325,0.497,5.69" in bound_proj4(3844)


def test_a_mapfile_mapserver_refuses_never_replaces_the_good_one(ows_dir):
    good = publish(public_layers(), "public")
    before = good.read_text()
    broken = before.replace("  LAYER\n", "  LAYER\n    TYPE NOSUCHTYPE\n", 1)
    with pytest.raises(MapfileError, match="MapServer refused"):
        install_mapfile(name="public", text=broken, out_dir=ows_dir)
    assert good.read_text() == before
    assert not list(ows_dir.glob(".public.*"))  # no temporary file left behind


def test_registry_change_regenerates_the_mapfiles(ows_dir, django_capture_on_commit_callbacks):
    publish(public_layers(), "public")
    layer = Layer.objects.get(name="parcele")
    with django_capture_on_commit_callbacks(execute=True):
        layer.title = "Imobile (titlu nou)"
        layer.save()
    assert "Imobile (titlu nou)" in (ows_dir / "public.map").read_text()
    with django_capture_on_commit_callbacks(execute=True):
        layer.access = Layer.Access.RESTRICTED
        layer.save()
        layer.allowed_groups.set([Group.objects.get(name="urbanism")])
    assert 'NAME "parcele"' not in (ows_dir / "public.map").read_text()


def test_each_audience_gets_its_own_mapfile(ows_dir, officer, django_user_model):
    citizen = django_user_model.objects.create_user("cetatean", password="x-parola-lunga-1")
    public = mapfile_for_user(citizen)
    assert public.name == "public.map"
    officer_map = mapfile_for_user(officer)
    assert officer_map != public
    assert 'NAME "cladiri"' in officer_map.read_text()
    assert 'NAME "cladiri"' not in public.read_text()
    config = mapserver_config(ows_dir).read_text()
    assert 'MS_MAP_NO_PATH "1"' in config
    assert (ows_dir / "proj" / "epsg").read_text().startswith("<3844> +proj=sterea")
