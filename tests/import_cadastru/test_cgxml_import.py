"""CGXML imports end to end against PostGIS: geometry, attributes, history, idempotence."""

from __future__ import annotations

import zipfile

import pytest
from django.db import connection

from import_cadastru.models import ImportRun
from import_cadastru.readers import cgxml
from layers.models import Building, Parcel, ParcelVersion, PropertyRight
from layers.signals import cadastre_changed

pytestmark = pytest.mark.django_db

HOUSE = "imobil_60101_doua_folosinte.cgxml"
BLOCK = "bloc_60102_apartamente.cgxml"
FIELD = "extravilan_60201_empty.cgxml"


def _wkt(parcel: Parcel) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsText(ST_Normalize(geom)) FROM layers_parcel WHERE id = %s", [parcel.pk]
        )
        return cursor.fetchone()[0]


def test_house_plot_with_two_uses_two_buildings_and_owners(cli, data):
    result = cli(data / HOUSE)
    assert result.code == 0, result.out + result.err
    assert "create: 1, actualizate: 0, neschimbate: 0, respinse: 0" in result.out
    parcel = Parcel.objects.get(uat__siruta=900001, cadastral_number="60101")
    # rebuilt from Points ordered by NO although the file lists them 3, 1, 4, 2
    assert parcel.measured_area == pytest.approx(1000.0)
    assert _wkt(parcel) == (
        "MULTIPOLYGON(((370100 482600,370100 482625,370140 482625,370140 482600,370100 482600)))"
    )
    assert parcel.eterra_id == 260101
    assert parcel.land_book_number == "60101"  # PAPERLBNO is _empty
    assert parcel.address == "Strada Ștefan cel Mare nr. 5, Mureșeni"  # comma-below ș
    assert parcel.intravilan is True
    assert parcel.legal_area == 1000
    assert parcel.version == 1 and parcel.valid_from is not None
    uses = sorted((u.category, float(u.area)) for u in parcel.land_uses.all())
    assert uses == [("A", 400.0), ("CC", 600.0)]
    buildings = list(parcel.buildings.order_by("number"))
    assert [(b.label, b.destination, b.levels) for b in buildings] == [
        ("C1", "CL", 2),
        ("C2", "CA", 1),
    ]
    assert buildings[0].built_area == pytest.approx(120.0)
    assert buildings[1].legal_area is None  # LEGALAREA _empty
    rights = sorted(parcel.rights.values_list("holder_name", "share", "right_kind", "holder_kind"))
    # one registration linked to the land and both buildings: two rights, not six
    assert rights == [
        ("Țurcanu Șerban", "1/2", "proprietate", "pf"),
        ("Țurcanu Ștefania", "1/2", "proprietate", "pf"),
    ]
    right = parcel.rights.first()
    assert "nr. 1234 din 2015-06-12" in right.deed
    assert str(right.registered_on) == "2015-06-20"
    run = ImportRun.objects.get()
    assert run.axis_order == cgxml.AXIS_EN
    assert run.status == ImportRun.Status.SUCCESS and run.created == 1


def test_apartment_block_axis_order_detected_and_unit_rights(cli, data, tmp_path):
    result = cli(data / BLOCK)
    assert result.code == 0, result.out + result.err
    parcel = Parcel.objects.get(cadastral_number="60102", uat__siruta=900001)
    # X is the northing in this file: detected from the UAT, recorded on the run
    assert _wkt(parcel).startswith("MULTIPOLYGON(((370200 482600,")
    run = ImportRun.objects.get()
    assert run.axis_order == cgxml.AXIS_NE
    assert "ordinea axelor: X=N,Y=E" in result.out
    block = parcel.buildings.get()
    assert (block.number, block.levels, block.built_area) == (1, 5, pytest.approx(200.0))
    assert run.report["stats"]["units"] == 4
    # each owner's right bears on one apartment (IU), linked by RegistrationXEntity
    owners = dict(parcel.rights.filter(right_kind="proprietate").values_list("holder_name", "unit"))
    assert owners == {
        "Moldovan Ana": "60102-C1-U1",
        "Oprea Vasile": "60102-C1-U2",
        "Crișan Construct SRL": "60102-C1-U3",
        "Suciu Ioana": "60102-C1-U4",
    }
    ana = parcel.rights.get(holder_name="Moldovan Ana")
    assert ana.deed == "Contract de vânzare-cumpărare nr. 77 din 1998-04-02"
    assert parcel.rights.get(holder_name="Crișan Construct SRL").holder_kind == "pj"
    mortgage = parcel.rights.get(right_kind="ipoteca")
    assert mortgage.holder_kind == "pj" and mortgage.unit == "60102-C1-U2"
    assert mortgage.deed.startswith("Contract de credit ipotecar nr. 3310")
    # a right moved to another apartment is a change of the immovable
    assert cli(data / BLOCK).code == 0 and parcel.rights.count() == 5
    text = (
        (data / BLOCK)
        .read_text(encoding="utf-8")
        .replace(
            "<REGISTRATIONID>5</REGISTRATIONID><IUID>2</IUID>",
            "<REGISTRATIONID>5</REGISTRATIONID><IUID>3</IUID>",
        )
    )
    moved = tmp_path / "60102.cgxml"
    moved.write_text(text, encoding="utf-8")
    result = cli(moved)
    assert "actualizate: 1" in result.out, result.out
    assert parcel.rights.get(right_kind="ipoteca").unit == "60102-C1-U3"


def test_empty_values_and_area_difference(cli, data):
    result = cli(data / FIELD)
    assert result.code == 3, result.out  # success with warnings
    parcel = Parcel.objects.get(cadastral_number="60201", uat__siruta=900010)
    assert parcel.eterra_id is None
    assert parcel.intravilan is False
    assert parcel.address == "Tarla 12, Parcela 34, Valea Albă"
    use = parcel.land_uses.get()
    assert (use.category, use.land_plot, use.plot_number, use.title_number) == (
        "A",
        "12",
        "34",
        "1234/56",
    )
    right = parcel.rights.get()
    assert right.share == "1/1" and right.registered_on.isoformat() == "1995-03-10"
    assert right.deed.startswith("Titlu de proprietate nr. 1234/56")
    assert "Județeană" in right.deed  # cedilla ţ normalised
    run = ImportRun.objects.get()
    finding = run.report["findings"]["area_difference"]
    assert finding["count"] == 1
    assert finding["items"][0]["key"] == "60201"
    assert "5000.00" in finding["items"][0]["detail"] and "-6.0%" in finding["items"][0]["detail"]
    assert run.status == ImportRun.Status.WARNINGS


def test_multi_file_zip_with_mixed_axis_orders(cli, lot_zip):
    result = cli(lot_zip)
    assert result.code == 0, result.out + result.err
    cads = sorted(
        Parcel.objects.filter(uat__siruta=900019, cadastral_number__startswith="603").values_list(
            "cadastral_number", flat=True
        )
    )
    assert cads == ["60301", "60302", "60303"]
    run = ImportRun.objects.get()
    assert run.axis_order == f"mixt: {cgxml.AXIS_EN} în 2 fișiere, {cgxml.AXIS_NE} în 1"
    assert run.files[0]["name"] == "lot_poiana.zip" and len(run.files[0]["sha256"]) == 64
    # the three fields share edges exactly: no overlap is reported
    assert "overlap" not in run.report["findings"]
    holder = PropertyRight.objects.filter(parcel__cadastral_number="60301").get()
    assert holder.holder_kind == "pub"


def test_reimport_changes_nothing_and_says_so(cli, data, lot_zip):
    assert cli(data / HOUSE, data / BLOCK, lot_zip).code == 0
    before = _state()
    result = cli(data / HOUSE, data / BLOCK, lot_zip)
    assert result.code == 0
    assert "create: 0, actualizate: 0, neschimbate: 5, respinse: 0" in result.out
    assert "Nicio modificare" in result.out
    assert "au mai fost importate (importul #" in result.out
    assert _state() == before
    assert ParcelVersion.objects.count() == 0


def _state():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT md5(string_agg(t::text, '|' ORDER BY t.id)) FROM "
            "(SELECT p.id, p.version, p.valid_from, p.geom, b.id AS b, b.geom AS bg "
            " FROM layers_parcel p LEFT JOIN layers_building b ON b.parcel_id = p.id "
            " WHERE p.cadastral_number LIKE '60%%') t"
        )
        return cursor.fetchone()[0]


def test_changed_parcel_keeps_its_previous_version(cli, data, tmp_path):
    assert cli(data / HOUSE).code == 0
    parcel = Parcel.objects.get(cadastral_number="60101", uat__siruta=900001)
    first_valid_from = parcel.valid_from
    old_wkt = _wkt(parcel)
    # a new measurement: the east side moves 2 m, the annex is demolished, a new owner
    text = (data / HOUSE).read_text(encoding="utf-8")
    text = text.replace("<X>370140.00</X>", "<X>370142.00</X>")
    start = text.index("<Building>\n    <BUILDINGID>2</BUILDINGID>")
    end = text.index("</Building>", start) + len("</Building>")
    text = text[:start] + text[end:]
    text = text.replace("<FIRSTNAME>Ştefania</FIRSTNAME>", "<FIRSTNAME>Elena</FIRSTNAME>")
    changed = tmp_path / "60101_v2.cgxml"
    changed.write_text(text, encoding="utf-8")

    result = cli(changed)
    assert result.code == 0, result.out + result.err
    assert "create: 0, actualizate: 1, neschimbate: 0" in result.out
    parcel.refresh_from_db()
    assert parcel.version == 2
    assert parcel.measured_area == pytest.approx(1050.0)
    assert parcel.valid_from > first_valid_from
    assert list(parcel.buildings.values_list("number", flat=True)) == [1]
    assert parcel.rights.filter(holder_name="Țurcanu Elena").exists()
    version = parcel.versions.get()
    assert version.version == 1
    assert version.valid_from == first_valid_from and version.valid_to == parcel.valid_from
    assert version.attributes["measured_area"] == 1000.0
    assert [b["number"] for b in version.attributes["buildings"]] == [1, 2]
    assert sorted(u["category"] for u in version.attributes["land_uses"]) == ["A", "CC"]
    assert "holder_name" not in str(version.attributes)  # no personal data in history
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_AsText(ST_Normalize(geom)) FROM layers_parcelversion WHERE id = %s",
            [version.pk],
        )
        assert cursor.fetchone()[0] == old_wkt
    # the history is queryable: the parcel as it was at a date
    as_of = ParcelVersion.objects.filter(
        parcel=parcel, valid_from__lte=first_valid_from, valid_to__gt=first_valid_from
    ).get()
    assert as_of.pk == version.pk


def test_cadastre_changed_signal_lists_created_and_changed_parcels(
    cli, data, django_capture_on_commit_callbacks
):
    received = []

    def receiver(sender, parcel_ids, **kwargs):
        received.append((sender, sorted(parcel_ids), kwargs.get("import_run_id")))

    cadastre_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            assert cli(data / HOUSE, data / BLOCK).code == 0
            assert received == []  # nothing is announced before the commit
        assert len(callbacks) == 1
        ids = sorted(
            Parcel.objects.filter(cadastral_number__in=["60101", "60102"]).values_list(
                "pk", flat=True
            )
        )
        assert received == [(ImportRun, ids, ImportRun.objects.get().pk)]
        received.clear()
        with django_capture_on_commit_callbacks(execute=True):
            assert cli(data / HOUSE, data / BLOCK).code == 0  # unchanged: no signal
            cli(data / HOUSE, "--dry-run")
        assert received == []
    finally:
        cadastre_changed.disconnect(receiver)


def test_failing_receiver_loses_no_import_and_others_see_changed_parcels(
    cli, data, tmp_path, django_capture_on_commit_callbacks, caplog
):
    """A listener that raises runs after the commit: the import stays, the error is
    logged and the other listeners still get the parcels, the replaced one included."""
    assert cli(data / HOUSE).code == 0
    parcel = Parcel.objects.get(cadastral_number="60101")
    # the same immovable, surveyed again: its geometry is replaced
    moved = tmp_path / "60101.cgxml"
    moved.write_text(
        (data / HOUSE).read_text(encoding="utf-8").replace("<X>370140.00<", "<X>370139.50<"),
        encoding="utf-8",
    )
    received = []

    def failing(sender, **kwargs):
        raise RuntimeError("listener down")

    def recording(sender, parcel_ids, parcel_keys, **kwargs):
        received.append((sorted(parcel_ids), sorted(parcel_keys)))

    cadastre_changed.connect(failing)
    cadastre_changed.connect(recording)
    try:
        with (
            caplog.at_level("ERROR", logger="layers.signals"),
            django_capture_on_commit_callbacks(execute=True),
        ):
            result = cli(moved, data / BLOCK)
    finally:
        cadastre_changed.disconnect(failing)
        cadastre_changed.disconnect(recording)
    assert result.code == 0, result.out + result.err
    block = Parcel.objects.get(cadastral_number="60102")
    assert received == [(sorted([parcel.pk, block.pk]), [(900001, "60101"), (900001, "60102")])]
    parcel.refresh_from_db()
    assert parcel.version == 2 and ParcelVersion.objects.filter(parcel=parcel).count() == 1
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportRun.Status.SUCCESS and (run.created, run.updated) == (1, 1)
    assert "listener down" in caplog.text and f"import #{run.pk}" in caplog.text


def test_existing_demo_parcel_updated_from_cgxml(cli, data, tmp_path):
    demo = Parcel.objects.get(uat__siruta=900001, cadastral_number="50001")
    text = (data / HOUSE).read_text(encoding="utf-8").replace("60101", "50001")
    path = tmp_path / "50001.cgxml"
    path.write_text(text, encoding="utf-8")
    result = cli(path)
    assert "actualizate: 1" in result.out
    demo.refresh_from_db()
    assert demo.version == 2 and demo.versions.count() == 1
    assert demo.versions.get().attributes["cadastral_number"] == "50001"


def test_self_intersecting_parcel_is_repaired_and_listed(cli, data, tmp_path):
    text = (data / HOUSE).read_text(encoding="utf-8")
    # swapping the order of two vertices makes a bow-tie
    text = text.replace("<NO>3</NO><X>370140.00</X>", "<NO>9</NO><X>370140.00</X>")
    text = text.replace(
        "<NO>4</NO><X>370100.00</X><Y>482625.00</Y>", "<NO>3</NO><X>370100.00</X><Y>482625.00</Y>"
    )
    path = tmp_path / "fundita.cgxml"
    path.write_text(text, encoding="utf-8")
    result = cli(path)
    assert result.code == 3
    parcel = Parcel.objects.get(cadastral_number="60101", uat__siruta=900001)
    assert parcel.geom.valid and parcel.geom.num_geom == 2  # two triangles, kept
    run = ImportRun.objects.get()
    item = run.report["findings"]["invalid_repaired"]["items"][0]
    assert item["key"] == "60101" and "Self-intersection" in item["detail"]
    assert "Geometrii invalide reparate" in result.out


def test_overlap_with_neighbour_and_parcel_outside_its_uat(cli, data, tmp_path):
    assert cli(data / HOUSE).code == 0
    text = (data / HOUSE).read_text(encoding="utf-8").replace("60101", "60109")
    text = text.replace("<X>370100.00</X>", "<X>370130.00</X>").replace(
        "<X>370140.00</X>", "<X>370170.00</X>"
    )
    # declared in UAT 900010 although it lies in 900001
    text = text.replace("<SIRSUP>900001</SIRSUP>", "<SIRSUP>900010</SIRSUP>")
    path = tmp_path / "60109.cgxml"
    path.write_text(text, encoding="utf-8")
    result = cli(path, "--overlap-tolerance", "5")
    assert result.code == 3
    run = ImportRun.objects.latest("pk")
    overlap = run.report["findings"]["overlap"]["items"][0]
    assert (overlap["key"], overlap["other"], overlap["area"]) == ("60109", "60101", 250.0)
    outside = run.report["findings"]["outside_uat"]["items"][0]
    assert outside["key"] == "60109" and outside["outside"] == pytest.approx(1000.0)
    assert Parcel.objects.get(cadastral_number="60109").uat.siruta == 900010


def test_duplicate_in_batch_and_unknown_uat_are_rejected(cli, data, tmp_path):
    archive = tmp_path / "lot.zip"
    text = (data / FIELD).read_text(encoding="utf-8")
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a/60201.cgxml", text)
        zf.writestr("b/60201_copie.cgxml", text)
        zf.writestr(
            "c/necunoscut.cgxml", text.replace("900010", "123456").replace("60201", "60299")
        )
    result = cli(archive)
    assert result.code == 3
    assert "respinse: 2" in result.out
    run = ImportRun.objects.get()
    dup = run.report["findings"]["duplicate"]["items"][0]
    assert dup["source"] == "lot.zip/b/60201_copie.cgxml" and "a/60201.cgxml" in dup["detail"]
    assert "UAT necunoscut (SIRSUP 123456)" in str(run.report["findings"]["rejected"])
    assert Parcel.objects.filter(cadastral_number="60201").count() == 1
    assert not Parcel.objects.filter(cadastral_number="60299").exists()


def test_uat_option_filters_other_uats(cli, data):
    result = cli(data / HOUSE, data / FIELD, "--uat", "900010")
    assert "create: 1" in result.out and "respinse: 1" in result.out
    assert not Parcel.objects.filter(cadastral_number="60101").exists()


def test_dry_run_reports_without_changing_anything(cli, data, untouched):
    result = cli(data / HOUSE, data / BLOCK, "--dry-run")
    assert result.code == 0, result.err
    assert "[simulare]" in result.out and "create: 2" in result.out
    run = ImportRun.objects.get()
    assert run.dry_run and run.created == 2
    assert not Building.objects.filter(parcel__cadastral_number="60101").exists()


def test_parallel_parsing_gives_the_same_result(cli, data, tmp_path):
    archive = tmp_path / "mare.zip"
    template = (data / FIELD).read_text(encoding="utf-8")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(600):
            x0 = 372800 + (i % 20) * 50
            y0 = 482410 + (i // 20) * 12
            text = template.replace("60201", str(70000 + i))
            for old, new in (
                ("<X>372850.00</X>", f"<X>{x0}</X>"),
                ("<X>372900.00</X>", f"<X>{x0 + 50}</X>"),
                ("<Y>482650.00</Y>", f"<Y>{y0}</Y>"),
                ("<Y>482744.00</Y>", f"<Y>{y0 + 12}</Y>"),
            ):
                text = text.replace(old, new)
            zf.writestr(f"{70000 + i}.cgxml", text)
    result = cli(archive, "--workers", "2")
    assert "create: 600" in result.out, result.out + result.err
    assert (
        Parcel.objects.filter(uat__siruta=900010, cadastral_number__startswith="70").count() == 600
    )


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<FIRSTNAME>Ştefania</FIRSTNAME>", "<FIRSTNAME>Elena</FIRSTNAME>"),  # a right
        ("<MEASUREDAREA>400</MEASUREDAREA>", "<MEASUREDAREA>401</MEASUREDAREA>"),  # a use
        ("<LEVELSNO>2</LEVELSNO>", "<LEVELSNO>3</LEVELSNO>"),  # a building's attribute
        ("<X>370105.00</X>", "<X>370106.00</X>"),  # a building's vertex
    ],
)
def test_parcel_with_only_a_sub_record_changed_is_updated(cli, data, tmp_path, old, new):
    assert cli(data / HOUSE).code == 0
    text = (data / HOUSE).read_text(encoding="utf-8")
    assert old in text
    changed = tmp_path / "60101_v2.cgxml"
    changed.write_text(text.replace(old, new), encoding="utf-8")
    result = cli(changed)
    assert "create: 0, actualizate: 1, neschimbate: 0" in result.out, result.out + result.err
    assert "create: 0, actualizate: 0, neschimbate: 1" in cli(changed).out


def test_a_sub_record_repeated_in_the_file_is_a_change(cli, data, tmp_path):
    """Sub-records compare as multisets: one more identical land use is a change."""
    assert cli(data / HOUSE).code == 0
    text = (data / HOUSE).read_text(encoding="utf-8")
    start = text.index("<Parcel>\n    <PARCELID>2</PARCELID>")
    end = text.index("</Parcel>", start) + len("</Parcel>")
    changed = tmp_path / "60101_v2.cgxml"
    changed.write_text(text[:end] + text[start:end] + text[end:], encoding="utf-8")
    assert "actualizate: 1" in cli(changed).out
    parcel = Parcel.objects.get(cadastral_number="60101", uat__siruta=900001)
    assert sorted(parcel.land_uses.values_list("category", flat=True)) == ["A", "A", "CC"]
    assert "neschimbate: 1" in cli(changed).out
