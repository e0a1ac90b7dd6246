"""Vector imports (GPKG, zipped Shapefile, GeoJSON, DXF) into every target, and the
CRS, encoding and driver traps."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from django.contrib.gis.geos import GEOSGeometry

from import_cadastru.models import ImportRun
from layers.models import (
    Building,
    CountyRoad,
    Intravilan,
    Parcel,
    ParcelVersion,
    Restriction,
    RoadZone,
    UrbanPlan,
    Zone,
)
from layers.signals import cadastre_changed
from tests.import_cadastru import vector_files as vf

pytestmark = pytest.mark.django_db


def _refused(result, *fragments: str) -> None:
    assert result.code == 2, (result.code, result.out, result.err)
    for fragment in fragments:
        assert fragment in result.err, result.err


def _shapely(geom: GEOSGeometry):
    return shapely.from_wkb(bytes(geom.wkb))


# --- parcels ------------------------------------------------------------------------------


def test_gpkg_parcels_with_usual_field_names_then_reimport(cli, tmp_path):
    path = vf.write_parcels(tmp_path / "parcele.gpkg")
    result = cli(path)
    assert result.code == 0, result.out + result.err
    assert "create: 3" in result.out
    parcel = Parcel.objects.get(uat__siruta=900001, cadastral_number="61001")
    assert parcel.address == "Str. Ștefan cel Mare nr. 7"  # cedilla normalised
    assert parcel.legal_area == 1000 and parcel.measured_area == pytest.approx(1000.0)
    assert parcel.intravilan is True
    assert Parcel.objects.get(cadastral_number="61003").intravilan is False
    assert parcel.source == "vector:gpkg"
    run = ImportRun.objects.get()
    assert run.srs.startswith("EPSG:3844") and run.target == "parcels"
    assert run.report["stats"]["fields"]["cadastral_number"] == "field:NR_CAD"
    again = cli(path)
    assert "create: 0, actualizate: 0, neschimbate: 3" in again.out
    assert "Nicio modificare" in again.out


def test_changed_vector_parcel_is_versioned_and_unmapped_columns_kept(cli, tmp_path):
    assert cli(vf.write_parcels(tmp_path / "v1.gpkg")).code == 0
    geoms = vf.parcel_geoms()
    geoms[1] = shapely.box(370140, 482650, 370180, 482680)  # 5 m deeper
    fields = {
        "nr_cad": vf._obj([p[0] for p in vf.PARCELS]),
        "siruta": np.array([900001] * 3, dtype=np.int32),
    }
    path = vf.write_parcels(tmp_path / "v2.gpkg", geoms=geoms, fields=fields)
    result = cli(path)
    assert "create: 0, actualizate: 1, neschimbate: 2" in result.out, result.out + result.err
    parcel = Parcel.objects.get(cadastral_number="61002")
    assert parcel.version == 2 and parcel.measured_area == pytest.approx(1200.0)
    assert parcel.address == "Str. Ștefan cel Mare nr. 9"  # not in v2: kept
    old = ParcelVersion.objects.get(parcel=parcel)
    assert old.geom.area == pytest.approx(1000.0)
    # 61002 grew into nothing: still no overlap; area now differs from the deed
    run = ImportRun.objects.latest("pk")
    assert run.report["findings"]["area_difference"]["items"][0]["key"] == "61002"


def test_parcels_located_spatially_without_siruta_field(cli, tmp_path):
    fields = {"cad": vf._obj([p[0] for p in vf.PARCELS])}
    result = cli(vf.write_parcels(tmp_path / "fara_uat.gpkg", fields=fields))
    assert "create: 3" in result.out, result.err
    assert set(
        Parcel.objects.filter(cadastral_number__startswith="6100").values_list(
            "uat__siruta", flat=True
        )
    ) == {900001}


def test_shapefile_in_zip_is_read_without_extracting_and_cp1250_decoded(cli, tmp_path):
    archive = vf.shapefile_zip(tmp_path)
    work = tmp_path / "work"
    work.mkdir()
    moved = work / archive.name
    archive.rename(moved)
    result = cli(moved)
    assert result.code == 0, result.out + result.err
    assert sorted(p.name for p in work.iterdir()) == ["parcele.zip"]  # nothing extracted
    assert Parcel.objects.get(cadastral_number="61003").address == "Str. Țarinii nr. 2"


def test_shapefile_without_cpg_is_read_as_cp1250_with_a_note(cli, tmp_path):
    archive = vf.shapefile_zip(tmp_path, drop=(".cpg",))
    result = cli(archive)
    assert result.code == 3, result.out + result.err
    assert Parcel.objects.get(cadastral_number="61001").address == "Str. Ștefan cel Mare nr. 7"
    assert "citite ca CP1250" in result.out


def test_encoding_option_overrides_detection(cli, tmp_path):
    archive = vf.shapefile_zip(tmp_path, drop=(".cpg",))
    assert cli(archive, "--encoding", "cp1250").code == 0
    assert Parcel.objects.get(cadastral_number="61002").address == "Str. Ștefan cel Mare nr. 9"


def test_shapefile_without_prj_needs_srs(cli, tmp_path, untouched):
    archive = vf.shapefile_zip(tmp_path, drop=(".prj",))
    _refused(cli(archive), "nu declară sistemul de coordonate", "--srs EPSG:3844")


def test_shapefile_without_prj_with_srs_option(cli, tmp_path):
    archive = vf.shapefile_zip(tmp_path, drop=(".prj",))
    result = cli(archive, "--srs", "EPSG:3844")
    assert "create: 3" in result.out, result.err


def test_loose_shapefile_with_sidecars(cli, tmp_path):
    shp = vf.write_parcels(tmp_path / "p.shp", driver="ESRI Shapefile", encoding="cp1250")
    sidecars = [tmp_path / f"p{ext}" for ext in (".shx", ".dbf", ".prj", ".cpg")]
    result = cli(shp, *sidecars)
    assert "create: 3" in result.out, result.err


def test_incomplete_shapefile_is_refused(cli, tmp_path, untouched):
    archive = vf.shapefile_zip(tmp_path, drop=(".dbf",))
    _refused(cli(archive), "shapefile incomplet", "parcele.dbf")


# --- CRS ----------------------------------------------------------------------------------


def test_geojson_in_wgs84_is_reprojected_in_the_database(cli, tmp_path):
    site = shapely.box(370300, 482450, 370500, 482600)
    path = vf.geojson_wgs84(
        tmp_path / "natura.geojson",
        [site],
        {
            "tip": vf._obj(["Sit Natura 2000"]),
            "cod": vf._obj(["ROSCI0999"]),
            "denumire": vf._obj(["Pădurea de test"]),
        },
    )
    result = cli(path, "--target", "restrictions")
    assert result.code == 0, result.out + result.err
    stored = Restriction.objects.get(code="ROSCI0999")
    assert stored.kind == "natura2000" and stored.name == "Pădurea de test"
    assert shapely.hausdorff_distance(_shapely(stored.geom), site) < 0.01
    assert ImportRun.objects.get().srs.startswith("EPSG:4326")
    again = cli(path, "--target", "restrictions")  # keyed on kind + code
    assert "create: 0, actualizate: 0, neschimbate: 1" in again.out


def test_stereo70_coordinates_claimed_as_wgs84_are_refused(cli, tmp_path, untouched):
    ring = [[370300, 482450], [370500, 482450], [370500, 482600], [370300, 482450]]
    path = vf.geojson_text(tmp_path / "gresit.geojson", ring)
    _refused(
        cli(path, "--target", "restrictions"),
        "nu cad în România în sistemul declarat EPSG:4326",
        "Ar corespunde: EPSG:3844",
        "--srs",
    )


def test_latitude_longitude_swapped_is_detected(cli, tmp_path, untouched):
    ring = [[46.3, 23.3], [46.3, 23.31], [46.31, 23.31], [46.3, 23.3]]
    path = vf.geojson_text(tmp_path / "latlon.geojson", ring)
    _refused(cli(path, "--target", "restrictions"), "EPSG:4326", "cu axele X/Y inversate")


def test_swapped_stereo70_axes_are_refused_then_fixed_with_option(cli, tmp_path):
    path = vf.write_parcels(tmp_path / "inversat.gpkg", geoms=vf.parcel_geoms(swap=True))
    before = Parcel.objects.count()
    _refused(cli(path), "axele X/Y inversate", "--swap-axes")
    assert Parcel.objects.count() == before
    result = cli(path, "--swap-axes")
    assert "create: 3" in result.out, result.err
    assert Parcel.objects.get(cadastral_number="61001").geom.extent == pytest.approx(
        (370100, 482650, 370140, 482675)
    )


def test_srs_option_overrides_the_file_crs_with_a_note(cli, tmp_path):
    path = vf.write_parcels(tmp_path / "p.gpkg", crs="EPSG:4326")  # wrongly declared
    _refused(cli(path), "Ar corespunde: EPSG:3844")
    result = cli(path, "--srs", "EPSG:3844")
    assert "create: 3" in result.out
    assert "înlocuit cu --srs EPSG:3844" in result.out


# --- disguised and broken files -----------------------------------------------------------


@pytest.mark.parametrize("name", ["parcele.dxf", "parcele.gpkg", "parcele.shp", "p.geojson"])
def test_vrt_disguised_as_another_format_is_refused(cli, tmp_path, name, untouched):
    path = tmp_path / name
    path.write_bytes(vf.VRT)
    result = cli(path, "--srs", "EPSG:3844")
    _refused(result, "VRT")
    assert "root:" not in result.err


def test_vrt_disguised_as_shapefile_in_zip_is_refused(cli, tmp_path, untouched):
    import zipfile

    path = tmp_path / "date.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for ext in (".shp", ".shx", ".dbf"):
            zf.writestr(f"p{ext}", vf.VRT)
    _refused(cli(path, "--srs", "EPSG:3844"), "VRT")


def test_garbage_with_gpkg_extension_is_refused(cli, tmp_path, untouched):
    path = tmp_path / "p.gpkg"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    _refused(cli(path), "nu corespunde formatului GPKG")


def test_empty_layer_is_refused(cli, tmp_path, untouched):
    path = vf.write_parcels(tmp_path / "gol.gpkg", geoms=[], fields={"nr_cad": vf._obj([])})
    _refused(cli(path), "nu conține niciun obiect")


def test_several_layers_need_layer_option(cli, tmp_path):
    path = vf.write_parcels(tmp_path / "multi.gpkg")
    import pyogrio.raw

    pyogrio.raw.write(
        str(path),
        np.array([shapely.to_wkb(shapely.box(0, 0, 1, 1))], dtype=object),
        [vf._obj(["x"])],
        fields=["a"],
        layer="altceva",
        geometry_type="Polygon",
        crs="EPSG:3844",
        driver="GPKG",
        append=True,
    )
    _refused(cli(path), "mai multe straturi", "--layer")
    assert "create: 3" in cli(path, "--layer", "multi").out


def test_missing_key_field_is_refused_with_the_fields_listed(cli, tmp_path, untouched):
    path = vf.write_parcels(tmp_path / "p.gpkg", fields={"x": vf._obj(["a", "b", "c"])})
    _refused(cli(path), "câmpul pentru: număr cadastral", "--field", "câmpuri în fișier: x")


def test_second_file_refused_leaves_nothing_from_the_first(cli, tmp_path, untouched):
    good = vf.write_parcels(tmp_path / "bun.gpkg")
    ring = [[370300, 482450], [370500, 482450], [370500, 482600], [370300, 482450]]
    bad = vf.geojson_text(tmp_path / "rau.geojson", ring)
    _refused(cli(good, bad), "rau.geojson")


def test_dry_run_vector_changes_nothing(cli, tmp_path, untouched):
    result = cli(vf.write_parcels(tmp_path / "p.gpkg"), "--dry-run")
    assert "create: 3" in result.out and "[simulare]" in result.out


# --- other targets ------------------------------------------------------------------------


def test_dxf_intravilan_needs_srs_then_imports_closed_polylines(cli, tmp_path):
    outline = shapely.box(370100, 482450, 370400, 482750)
    path = vf.dxf_outlines(tmp_path / "intravilan.dxf", [("Sat Nou", outline)])
    args = ("--target", "intravilan", "--field", "locality=Layer", "--uat", "900001")
    _refused(cli(path, *args), "--srs")
    result = cli(path, *args, "--srs", "EPSG:3844")
    assert "create: 1" in result.out, result.out + result.err
    stored = Intravilan.objects.get(locality="Sat Nou")
    assert stored.uat.siruta == 900001
    assert shapely.equals(_shapely(stored.geom).geoms[0].normalize(), outline.normalize())
    assert "neschimbate: 1" in cli(path, *args, "--srs", "EPSG:3844").out


def test_roads_are_upserted_by_number_and_road_zones_rebuilt(cli, tmp_path):
    dj107 = CountyRoad.objects.get(number="DJ 107")
    moved = shapely.affinity.translate(_shapely(dj107.geom), yoff=1.0)
    new = shapely.LineString([(370000, 482700), (372800, 482700)])
    path = tmp_path / "drumuri.gpkg"
    import pyogrio.raw

    pyogrio.raw.write(
        str(path),
        np.array([shapely.to_wkb(moved), shapely.to_wkb(new)], dtype=object),
        [
            vf._obj(["DJ107", "dj 150"]),
            vf._obj(["Mureșeni – Poiana (modernizat)", "Mureșeni – Pădure"]),
        ],
        fields=["NR_DRUM", "DENUMIRE"],
        geometry_type="MultiLineString",
        crs="EPSG:3844",
        driver="GPKG",
        promote_to_multi=True,
    )
    result = cli(path, "--target", "roads")
    assert "create: 1, actualizate: 1" in result.out, result.out + result.err
    assert "Zona drumului recalculată pentru 2 drumuri" in result.out
    road = CountyRoad.objects.get(number="DJ 150")
    assert road.category == "judetean" and road.name == "Mureșeni – Pădure"
    assert RoadZone.objects.filter(road=road).count() >= 3
    dj107.refresh_from_db()
    assert dj107.name == "Mureșeni – Poiana (modernizat)"
    assert dj107.administrator.startswith("Consiliul Județean")  # unmapped: kept
    assert dj107.geom.extent[1] == pytest.approx(moved.bounds[1])


def test_zones_with_a_mapping_file(cli, tmp_path):
    plan = UrbanPlan.objects.get(uat__siruta=900001)
    centre = Zone.objects.get(plan=plan, code="C")
    new = shapely.box(370100, 482450, 370400, 482750)
    path = tmp_path / "utr.gpkg"
    import pyogrio.raw

    pyogrio.raw.write(
        str(path),
        np.array([shapely.to_wkb(_shapely(centre.geom)), shapely.to_wkb(new)], dtype=object),
        [
            vf._obj(["C", "L3"]),
            np.array([65.0, 30.0]),
            np.array([2.4, 0.6]),
            vf._obj(["Zonă centrală", "Locuințe noi"]),
        ],
        fields=["UTR", "P_O_T", "C_U_T", "DENUMIRE"],
        geometry_type="MultiPolygon",
        crs="EPSG:3844",
        driver="GPKG",
    )
    mapping = tmp_path / "utr.toml"
    mapping.write_text(
        'target = "zones"\n[fields]\ncode = "UTR"\npot_max = "P_O_T"\ncut_max = "C_U_T"\n'
        f'[values]\nplan_id = {plan.pk}\ndominant_function = "locuire"\n',
        encoding="utf-8",
    )
    result = cli(path, "--mapping", mapping)
    assert "create: 1, actualizate: 1" in result.out, result.out + result.err
    centre.refresh_from_db()
    assert centre.pot_max == 65 and centre.dominant_function == "locuire"
    assert Zone.objects.get(plan=plan, code="L3").name == "Locuințe noi"
    assert "neschimbate: 2" in cli(path, "--mapping", mapping).out


def test_zones_without_a_plan_are_refused(cli, tmp_path, untouched):
    path = tmp_path / "utr.gpkg"
    import pyogrio.raw

    pyogrio.raw.write(
        str(path),
        np.array([shapely.to_wkb(shapely.box(370100, 482450, 370400, 482750))], dtype=object),
        [vf._obj(["L3"])],
        fields=["UTR"],
        geometry_type="Polygon",
        crs="EPSG:3844",
        driver="GPKG",
    )
    _refused(cli(path, "--target", "zones"), "--set plan=ID")


def test_buildings_by_cadastral_number_and_number(
    cli, tmp_path, django_capture_on_commit_callbacks
):
    parcel = Parcel.objects.get(uat__siruta=900001, cadastral_number="50001")
    x0, _y0, _x1, y1 = parcel.geom.extent
    shed = shapely.box(x0 + 2, y1 - 8, x0 + 6, y1 - 3)
    path = tmp_path / "constructii.gpkg"
    import pyogrio.raw

    pyogrio.raw.write(
        str(path),
        np.array([shapely.to_wkb(shed), shapely.to_wkb(shed)], dtype=object),
        [
            vf._obj(["50001", "99999"]),
            np.array([900001, 900001]),
            vf._obj(["C7", "1"]),
            vf._obj(["anexă", "CL"]),
        ],
        fields=["NR_CAD", "SIRUTA", "NR_CONSTR", "DESTINATIE"],
        geometry_type="Polygon",
        crs="EPSG:3844",
        driver="GPKG",
    )
    received = []
    cadastre_changed.connect(
        lambda sender, parcel_ids, **kw: received.append(parcel_ids),
        weak=False,
        dispatch_uid="test-buildings",
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            result = cli(path, "--target", "buildings")
    finally:
        cadastre_changed.disconnect(dispatch_uid="test-buildings")
    assert result.code == 3 and "create: 1" in result.out and "respinse: 1" in result.out
    assert received == [[parcel.pk]]  # the parcel whose building changed
    building = Building.objects.get(parcel=parcel, number=7)
    assert building.destination == "CA" and building.built_area == pytest.approx(20.0)
    assert "lipsește imobilul" in result.out


def test_bad_required_value_rejects_only_that_feature(cli, tmp_path):
    path = tmp_path / "drumuri.gpkg"
    import pyogrio.raw

    lines = [shapely.LineString([(370000, 482710 + i), (372800, 482710 + i)]) for i in (0, 20)]
    pyogrio.raw.write(
        str(path),
        np.array([shapely.to_wkb(g) for g in lines], dtype=object),
        [vf._obj(["DJ 151", "strada mare"])],
        fields=["NR_DRUM"],
        geometry_type="LineString",
        crs="EPSG:3844",
        driver="GPKG",
    )
    result = cli(path, "--target", "roads")
    assert result.code == 3 and "create: 1" in result.out and "respinse: 1" in result.out
    assert "nu este un număr de drum" in result.out
