"""The paths taken only at scale, forced on small files: an initial load into an empty
parcel table, overlaps found with an STRtree, vector layers read by worker processes."""

from __future__ import annotations

import pytest
import shapely
from django.db import connection

from import_cadastru import vector_import
from import_cadastru.models import ImportRun
from import_cadastru.writers import parcels as parcel_writer
from import_cadastru.writers import validation
from layers.models import Parcel
from tests.import_cadastru import vector_files as vf

pytestmark = pytest.mark.django_db


def _gist_definition() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'layers_parcel' "
            "AND indexdef ILIKE '%% USING gist %%'"
        )
        return [row[0] for row in cursor.fetchall()]


def test_initial_load_builds_the_spatial_index_once(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(parcel_writer, "INITIAL_LOAD_MIN", 1)
    before = _gist_definition()
    assert before
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE layers_parcel CASCADE")  # rolled back with the test
    result = cli(vf.write_parcels(tmp_path / "p.gpkg"))
    assert "create: 3" in result.out, result.out + result.err
    assert _gist_definition() == before
    assert (
        Parcel.objects.filter(
            geom__intersects=shapely.box(370150, 482660, 370160, 482670).wkt
        ).count()
        == 1
    )


def test_overlaps_found_through_the_bounding_box_tree(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(validation, "BULK_OVERLAP_MIN", 1)
    geoms = vf.parcel_geoms()
    geoms[1] = shapely.box(370130, 482650, 370180, 482675)  # 10 m into 61001
    result = cli(vf.write_parcels(tmp_path / "p.gpkg", geoms=geoms))
    assert result.code == 3
    overlap = ImportRun.objects.get().report["findings"]["overlap"]
    assert overlap["count"] == 1
    assert (overlap["items"][0]["key"], overlap["items"][0]["other"]) == ("61001", "61002")
    assert overlap["items"][0]["area"] == 250.0


def test_vector_layer_read_by_worker_processes(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(vector_import, "SLICE", 1)
    monkeypatch.setattr(vector_import, "PARALLEL_SLICES", 3)
    fields = {
        "nr_cad": vf._obj(["61001", "bad" * 20, "61003"]),
        "siruta": vf.np.array([900001] * 3, dtype=vf.np.int32),
    }
    result = cli(vf.write_parcels(tmp_path / "p.gpkg", fields=fields))
    assert "create: 2" in result.out and "respinse: 1" in result.out, result.out + result.err
    run = ImportRun.objects.get()
    assert run.report["findings"]["rejected"]["items"][0]["source"] == "p.gpkg#1"
    assert "mai lung de 30" in run.report["findings"]["rejected"]["items"][0]["detail"]
