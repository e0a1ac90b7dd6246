"""The paths taken for speed: forced on small files, an initial load into an empty parcel
table, overlaps found with an STRtree, vector layers read by worker processes; and
unchanged geometries left out of staging by their fingerprint."""

from __future__ import annotations

import pytest
import shapely
from django.db import IntegrityError, connection, transaction

from import_cadastru import vector_import
from import_cadastru.models import ImportRun
from import_cadastru.writers import parcels as parcel_writer
from import_cadastru.writers import validation
from layers.models import Parcel
from tests.import_cadastru import vector_files as vf
from tests.import_cadastru.conftest import fingerprint

pytestmark = pytest.mark.django_db


def _schema(table: str = "layers_parcel") -> tuple[list, list]:
    """Every index and constraint definition of a table, by name."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s ORDER BY 1", [table]
        )
        indexes = cursor.fetchall()
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid), convalidated, condeferrable, "
            "condeferred FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY 1",
            [table],
        )
        return indexes, cursor.fetchall()


def test_initial_load_rebuilds_indexes_and_constraints_once(cli, tmp_path, monkeypatch):
    monkeypatch.setattr(parcel_writer, "INITIAL_LOAD_MIN", 1)
    before = _schema()
    assert any("USING gist" in d for _, d in before[0])
    assert {"layers_parcel_geom_valid", "layers_parcel_uat_cadnr_uniq"} <= {c[0] for c in before[1]}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE layers_parcel CASCADE")  # rolled back with the test
    result = cli(vf.write_parcels(tmp_path / "p.gpkg"))
    assert "create: 3" in result.out, result.out + result.err
    # every index and constraint is back, as it was, and validated
    assert _schema() == before
    assert (
        Parcel.objects.filter(
            geom__intersects=shapely.box(370150, 482660, 370160, 482670).wkt
        ).count()
        == 1
    )
    # and enforced again: the same key cannot be inserted twice
    parcel = Parcel.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Parcel.objects.create(
            uat_id=parcel.uat_id, cadastral_number=parcel.cadastral_number, geom=parcel.geom
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


def _parcel_wkt(cad: str, siruta: int = 900001) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsText(p.geom) FROM layers_parcel p JOIN layers_uat u ON u.id = p.uat_id "
            "WHERE p.cadastral_number = %s AND u.siruta = %s",
            [cad, siruta],
        )
        return cursor.fetchone()[0]


def test_unchanged_geometries_are_not_staged_again(cli, tmp_path):
    path = vf.write_parcels(tmp_path / "p.gpkg")
    assert "create: 3" in cli(path).out
    before = fingerprint()
    result = cli(path)
    assert "neschimbate: 3" in result.out, result.out + result.err
    assert fingerprint() == before
    run = ImportRun.objects.latest("pk")
    assert run.report["stats"]["geometries_already_stored"] == 3


def test_geometries_swapped_between_parcels_are_fetched_again(cli, tmp_path):
    """Both geometries are already stored, but under the other key: the reader leaves
    them out, the writer sees the md5 differ from the key's and has them read again."""
    first = vf.write_parcels(tmp_path / "p.gpkg")
    assert "create: 3" in cli(first).out
    a, b = _parcel_wkt("61001"), _parcel_wkt("61002")
    geoms = vf.parcel_geoms()
    geoms[0], geoms[1] = geoms[1], geoms[0]
    result = cli(vf.write_parcels(tmp_path / "swapped.gpkg", geoms=geoms))
    assert "actualizate: 2" in result.out and "neschimbate: 1" in result.out, result.out
    assert (_parcel_wkt("61001"), _parcel_wkt("61002")) == (b, a)
    run = ImportRun.objects.latest("pk")
    assert run.report["stats"]["geometries_already_stored"] == 1
    assert Parcel.objects.get(cadastral_number="61001").version == 2


def test_stored_geometry_under_another_uat_is_a_new_parcel_with_its_geometry(cli, tmp_path):
    first = vf.write_parcels(tmp_path / "p.gpkg")
    assert "create: 3" in cli(first).out
    fields = {
        "NR_CAD": vf._obj([p[0] for p in vf.PARCELS]),
        "SIRUTA": vf.np.array([900001, 900001, 900010], dtype=vf.np.int32),
    }
    result = cli(vf.write_parcels(tmp_path / "moved.gpkg", fields=fields))
    assert "create: 1" in result.out and "neschimbate: 2" in result.out, result.out
    assert _parcel_wkt("61003", 900010) == _parcel_wkt("61003", 900001)
