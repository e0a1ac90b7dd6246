"""Exporting the demo county and importing it back changes nothing: an end-to-end check
of both the exporter and the importer's fidelity."""

from __future__ import annotations

import zipfile
from io import StringIO

import pyogrio
import pytest
from django.core.management import call_command

from layers.models import Parcel

pytestmark = pytest.mark.django_db


def test_cgxml_export_reimports_unchanged(cli, tmp_path, untouched):
    out = tmp_path / "poiana.zip"
    stdout = StringIO()
    call_command(
        "export_demo_cadastre",
        out,
        "--format",
        "cgxml",
        "--uat",
        "900019",
        "--limit",
        "400",
        "--files-per-zip",
        "150",
        stdout=stdout,
    )
    zips = sorted(tmp_path.glob("poiana_*.zip"))
    assert [z.name for z in zips] == ["poiana_0001.zip", "poiana_0002.zip", "poiana_0003.zip"]
    with zipfile.ZipFile(zips[0]) as zf:
        assert len(zf.namelist()) == 150 and zf.namelist()[0].startswith("900019/")
    result = cli(*zips)
    assert "create: 0, actualizate: 0, neschimbate: 400, respinse: 0" in result.out, result.out
    assert result.code == 0


def test_cgxml_export_with_survey_axis_order(cli, tmp_path, untouched):
    out = tmp_path / "x_nord.zip"
    call_command(
        "export_demo_cadastre",
        out,
        "--format",
        "cgxml",
        "--uat",
        "900001",
        "--limit",
        "50",
        "--swap-axes",
        stdout=StringIO(),
    )
    result = cli(out)
    assert "neschimbate: 50" in result.out and "X=N,Y=E" in result.out


def test_gpkg_export_has_every_layer_and_reimports_unchanged(cli, tmp_path, untouched):
    out = tmp_path / "judet.gpkg"
    call_command("export_demo_cadastre", out, "--format", "gpkg", stdout=StringIO())
    layers = dict(pyogrio.list_layers(out))
    assert set(layers) == {"parcele", "constructii", "drumuri", "utr", "restrictii", "intravilan"}
    assert pyogrio.read_info(out, layer="parcele")["features"] == Parcel.objects.count()
    result = cli(out, "--layer", "parcele")
    assert f"neschimbate: {Parcel.objects.count()}" in result.out, result.out + result.err
    for layer, target in [
        ("drumuri", "roads"),
        ("utr", "zones"),
        ("restrictii", "restrictions"),
        ("intravilan", "intravilan"),
        ("constructii", "buildings"),
    ]:
        result = cli(out, "--layer", layer, "--target", target)
        assert "create: 0, actualizate: 0" in result.out, (layer, result.out, result.err)
