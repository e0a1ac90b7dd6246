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


def _both_readers(path, target="parcels", skip_known=False):
    """(COPY text, issues, rejected) of a layer by the Arrow reader and by the raw one."""
    import pyogrio

    from import_cadastru.mapping import build_mapping
    from import_cadastru.readers import arrow_batches
    from import_cadastru.readers.batches import Slice, read_slice

    info = pyogrio.read_info(str(path))
    mapping = build_mapping(target, [str(f) for f in info["fields"]], {}, {})
    assert arrow_batches.suits(info["geometry_type"])
    layer = Slice(
        gdal_path=str(path),
        layer=str(pyogrio.list_layers(str(path))[0][0]),
        encoding=None,
        target=target,
        sources=mapping.sources,
        staged_cols=tuple(c for c, _ in parcel_writer.RAW_COLUMNS),
        name=path.name,
        seq0=0,
        start=0,
        count=int(info["features"]),
        skip_known=skip_known,
    )
    lines, issues, rejected = read_slice(layer)
    arrow = list(arrow_batches.stream(layer, 2))  # batches of two features
    return (
        ("".join(lines).encode(), issues, rejected),
        (
            b"".join(text for _n, text, _i, _r in arrow),
            [i for _n, _t, issues, _r in arrow for i in issues],
            sum(r for *_x, r in arrow),
        ),
    )


def test_arrow_reader_stages_what_the_raw_reader_stages(tmp_path):
    """The vectorised columns give exactly the per-value converters' text; a column with
    a value they cannot take goes through the converter (same rejections, same notes)."""
    geoms = [shapely.box(370100 + 40 * i, 482650, 370140 + 40 * i, 482675) for i in range(6)]
    geoms[4] = None
    fields = {
        "NR_CAD": vf._obj([" 61001 ", "61002\u3000", "_empty", "6100" * 10, None, "61006"]),
        "SIRUTA": vf.np.array([900001, 900001, 900010, 900001, 900001, 900001], dtype="int64"),
        "ADRESA": vf._obj(["Str. Ştefan\tcel Mare", "a\\b", "", "Ţarina\nnouă", None, "_empty"]),
        "NR_CF": vf._obj(["cf 1", "x" * 31, "3", "4", "5", "6"]),  # too long: a note
        "SUP_ACTE": vf.np.array([1000.005, float("nan"), 2.5, 1e13, 7.0, 0.125]),
        "INTRAVILAN": vf.np.array([1, 0, 2, 0, 1, 0], dtype="int32"),
        "ETERRA_ID": vf._obj(["12", "x", "", "C4", None, "6"]),
    }
    path = tmp_path / "odd.gpkg"
    pyogrio_write = vf.pyogrio.raw.write
    pyogrio_write(
        str(path),
        vf.np.array([None if g is None else shapely.to_wkb(g) for g in geoms], dtype=object),
        list(fields.values()),
        fields=list(fields),
        geometry_type="Polygon",
        crs="EPSG:3844",
        driver="GPKG",
    )
    raw, arrow = _both_readers(path)
    assert arrow == raw
    assert raw[2] >= 1 and any(i["kind"] == "attribute" for i in raw[1])


def test_arrow_reader_leaves_out_stored_geometries_as_the_raw_reader_does(cli, tmp_path):
    from import_cadastru.readers.batches import init_known

    path = vf.write_parcels(tmp_path / "p.gpkg")
    assert "create: 3" in cli(path).out
    with connection.cursor() as cursor:
        init_known(vector_import._stored_fingerprints(cursor))
    try:
        raw, arrow = _both_readers(path, skip_known=True)
    finally:
        init_known(None)
    assert arrow == raw
    assert raw[0].count(b"\t\\N\t") >= 3  # the three geometries left out


def _bowtie(x0: float) -> shapely.Polygon:
    """A self-intersecting ring (invalid; ST_MakeValid makes two triangles of it)."""
    return shapely.Polygon([(x0, 482650), (x0 + 40, 482675), (x0 + 40, 482650), (x0, 482675)])


def _repaired(run) -> list[str]:
    found = run.report["findings"].get("invalid_repaired") or {"items": []}
    return [item["key"] for item in found["items"]]


@pytest.mark.parametrize("initial_load", [False, True])
def test_invalid_geometry_is_repaired_and_listed_when_validity_is_left_to_the_table(
    cli, tmp_path, monkeypatch, initial_load
):
    """Geometries are taken as valid in staging and tested by the table's constraint as
    they are written; one invalid geometry sends the write back to a savepoint and
    through the repairing path: the same report as a staging test would give."""
    with connection.cursor() as cursor:
        assert parcel_writer.validity_constraint(cursor) == "layers_parcel_geom_valid"
    if initial_load:
        monkeypatch.setattr(parcel_writer, "INITIAL_LOAD_MIN", 1)
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE layers_parcel CASCADE")  # rolled back with the test
    geoms = vf.parcel_geoms()
    geoms[1] = _bowtie(370140)
    result = cli(vf.write_parcels(tmp_path / "p.gpkg", geoms=geoms))
    assert "create: 3" in result.out, result.out + result.err
    run = ImportRun.objects.get()
    assert _repaired(run) == ["61002"]
    item = run.report["findings"]["invalid_repaired"]["items"][0]
    assert "Self-intersection" in item["detail"]
    parcel = Parcel.objects.get(cadastral_number="61002")
    assert parcel.geom.valid and parcel.geom.num_geom == 2
    # a valid file: nothing listed
    result = cli(vf.write_parcels(tmp_path / "ok.gpkg"))
    assert "actualizate: 1" in result.out, result.out + result.err
    assert _repaired(ImportRun.objects.latest("pk")) == []
    assert Parcel.objects.get(cadastral_number="61002").version == 2


def test_changed_parcel_with_an_invalid_geometry_is_repaired_and_keeps_its_history(cli, tmp_path):
    assert "create: 3" in cli(vf.write_parcels(tmp_path / "p.gpkg")).out
    geoms = vf.parcel_geoms()
    geoms[2] = _bowtie(370180)
    result = cli(vf.write_parcels(tmp_path / "bad.gpkg", geoms=geoms))
    assert "actualizate: 1" in result.out and "neschimbate: 2" in result.out, result.out
    run = ImportRun.objects.latest("pk")
    assert _repaired(run) == ["61003"]
    parcel = Parcel.objects.get(cadastral_number="61003")
    assert parcel.version == 2 and parcel.geom.valid
    assert parcel.versions.count() == 1


@pytest.mark.parametrize("with_siruta", [True, False])
def test_duplicate_keys_in_a_vector_file_are_reported_and_the_first_wins(
    cli, tmp_path, with_siruta
):
    """With a SIRUTA field the Arrow reader collects the keys and the database search
    for duplicates runs only when some key repeats; without one (UAT from the geometry)
    the database searches. Either way: the same report."""
    geoms = [*vf.parcel_geoms(), shapely.box(370220, 482650, 370260, 482675)]
    fields = {"NR_CAD": vf._obj(["61001", "61002", "61001", "61004"])}
    if with_siruta:
        fields["SIRUTA"] = vf.np.array([900001] * 4, dtype=vf.np.int32)
    result = cli(vf.write_parcels(tmp_path / "dup.gpkg", geoms=geoms, fields=fields))
    assert "create: 3" in result.out and "respinse: 1" in result.out, result.out + result.err
    dup = ImportRun.objects.get().report["findings"]["duplicate"]
    assert dup["count"] == 1
    assert (dup["items"][0]["source"], dup["items"][0]["key"]) == ("dup.gpkg#2", "61001")
    assert "prima apariție: dup.gpkg#0" in dup["items"][0]["detail"]
    # the first occurrence's geometry was kept
    stored = shapely.from_wkt(_parcel_wkt("61001"))
    assert shapely.equals(stored, geoms[0])


def test_same_cadastral_number_in_two_uats_is_no_duplicate(cli, tmp_path):
    fields = {
        "NR_CAD": vf._obj(["61001", "61002", "61001"]),
        "SIRUTA": vf.np.array([900001, 900001, 900010], dtype=vf.np.int32),
    }
    result = cli(vf.write_parcels(tmp_path / "p.gpkg", fields=fields))
    assert "create: 3" in result.out and "respinse: 0" in result.out, result.out + result.err


def test_collected_keys_tell_duplicates_apart():
    import pyarrow as pa

    from import_cadastru.readers.arrow_batches import unique_keys

    assert unique_keys([])
    assert unique_keys([pa.array(["1\x1fa", None, None]), pa.array(["2\x1fa"])])
    assert not unique_keys([pa.array(["1\x1fa", None]), pa.array(["1\x1fa"])])


def test_cgxml_initial_load_fills_sub_record_tables_with_their_indexes_rebuilt(
    cli, data, monkeypatch
):
    monkeypatch.setattr(parcel_writer, "INITIAL_LOAD_MIN", 1)
    tables = ("layers_landuse", "layers_building", "layers_propertyright")
    before = {table: _schema(table) for table in tables}
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE layers_parcel CASCADE")  # rolled back with the test
    result = cli(data / "imobil_60101_doua_folosinte.cgxml")
    assert "create: 1" in result.out, result.out + result.err
    assert {table: _schema(table) for table in tables} == before
    parcel = Parcel.objects.get(cadastral_number="60101")
    assert parcel.land_uses.count() == 2
    assert sorted(parcel.buildings.values_list("number", flat=True)) == [1, 2]
    assert parcel.rights.count() == 2
    # the unique (parcel, number) constraint is enforced again
    building = parcel.buildings.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        parcel.buildings.create(
            number=building.number, destination="CA", levels=1, geom=building.geom
        )
