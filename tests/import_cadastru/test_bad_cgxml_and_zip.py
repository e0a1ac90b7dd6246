"""Hostile or broken CGXML and zip inputs: a clear message, exit code 2, nothing changed."""

from __future__ import annotations

import stat
import time
import zipfile

import pytest

from import_cadastru.models import ImportRun

pytestmark = pytest.mark.django_db

GOOD = "extravilan_60201_empty.cgxml"


def _refused(result, *fragments: str) -> None:
    assert result.code == 2, (result.code, result.out, result.err)
    assert "Import refuzat, nimic nu a fost modificat" in result.err
    for fragment in fragments:
        assert fragment in result.err, result.err
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportRun.Status.FAILED and run.error


def test_external_entity_doctype_is_refused(cli, data, untouched):
    result = cli(data / "rele" / "xxe_entitate_externa.cgxml")
    _refused(result, "DOCTYPE")
    assert "root:" not in result.err  # /etc/passwd was never read


def test_billion_laughs_is_refused_quickly(cli, data, untouched):
    started = time.monotonic()
    result = cli(data / "rele" / "billion_laughs.cgxml")
    _refused(result, "DOCTYPE")
    assert time.monotonic() - started < 5


def test_doctype_inside_a_zip_refuses_the_whole_batch(cli, data, tmp_path, untouched):
    archive = tmp_path / "lot.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(data / GOOD, "bun.cgxml")
        zf.write(data / "rele" / "xxe_entitate_externa.cgxml", "rau.cgxml")
    _refused(cli(archive), "lot.zip/rau.cgxml", "DOCTYPE")


def test_truncated_xml_is_refused(cli, data, untouched):
    _refused(cli(data / "rele" / "trunchiat.cgxml"), "XML invalid sau trunchiat")


def test_xml_that_is_not_cgxml_is_refused(cli, data, untouched):
    _refused(cli(data / "rele" / "nu_este_cgxml.xml"), "nu este un fișier CGXML", "<kml>")


def test_empty_file_is_refused(cli, data, untouched):
    _refused(cli(data / "rele" / "gol.cgxml"), "fișierul este gol")


def test_unknown_file_type_is_refused(cli, tmp_path, untouched):
    path = tmp_path / "parcele.txt"
    path.write_text("60101;370100;482600\n")
    _refused(cli(path), "tip de fișier nepermis „.txt”")


def test_file_over_the_size_limit_is_refused(cli, data, settings, untouched):
    settings.IMPORT_CADASTRU_MAX_FILE_BYTES = 1000
    _refused(cli(data / GOOD), "peste limita de 1000 B")


def test_bad_file_in_batch_rejected_alone_with_skip_bad_files(cli, data, tmp_path):
    archive = tmp_path / "lot.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.write(data / GOOD, "bun.cgxml")
        zf.write(data / "rele" / "trunchiat.cgxml", "rupt.cgxml")
    result = cli(archive, "--skip-bad-files")
    assert result.code == 3
    assert "create: 1" in result.out and "Fișiere respinse: 1" in result.out
    assert "lot.zip/rupt.cgxml" in result.out


def _zip(tmp_path, members: dict[str, bytes], name="lot.zip") -> object:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as zf:
        for member, content in members.items():
            zf.writestr(member, content)
    return path


def test_zip_with_parent_directory_member_is_refused(cli, data, tmp_path, untouched):
    good = (data / GOOD).read_bytes()
    path = _zip(tmp_path, {"bun.cgxml": good, "../../etc/cron.d/x.cgxml": good})
    _refused(cli(path), "cale nepermisă", "../../etc/cron.d/x.cgxml")


def test_zip_with_absolute_member_is_refused(cli, data, tmp_path, untouched):
    path = _zip(tmp_path, {"/var/abs.cgxml": (data / GOOD).read_bytes()})
    _refused(cli(path), "cale nepermisă", "/var/abs.cgxml")


def test_zip_with_symlink_is_refused(cli, data, tmp_path, untouched):
    path = tmp_path / "lot.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(data / GOOD, "bun.cgxml")
        link = zipfile.ZipInfo("passwd.cgxml")
        link.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(link, "/etc/passwd")
    _refused(cli(path), "legătură simbolică", "passwd.cgxml")


def test_zip_bomb_is_refused_before_reading(cli, data, tmp_path, untouched):
    path = tmp_path / "bomba.zip"
    zeros = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.write(data / GOOD, "bun.cgxml")
        with zf.open("bomba.cgxml", "w", force_zip64=True) as member:
            for _ in range(64):
                member.write(zeros)
    assert path.stat().st_size < 1_000_000
    _refused(cli(path), "arhivă-bombă refuzată", "bomba.cgxml")


def test_zip_bomb_by_total_size_is_refused(cli, data, tmp_path, settings, untouched):
    settings.IMPORT_CADASTRU_MAX_TOTAL_BYTES = 10_000
    good = (data / GOOD).read_bytes()
    path = _zip(tmp_path, {f"{n}.cgxml": good for n in range(10)})
    _refused(cli(path), "dezarhivat (zip bomb?)")


def test_zip_with_too_many_members_is_refused(cli, data, tmp_path, settings, untouched):
    settings.IMPORT_CADASTRU_MAX_MEMBERS = 10
    good = (data / GOOD).read_bytes()
    path = _zip(tmp_path, {f"{n}.cgxml": good for n in range(11)})
    _refused(cli(path), "arhiva are 11 fișiere, peste limita de 10")


def test_corrupt_zip_is_refused(cli, tmp_path, untouched):
    path = tmp_path / "rupt.zip"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    _refused(cli(path), "arhiva zip este coruptă")


def test_refused_import_is_recorded_as_failed(cli, data):
    cli(data / "rele" / "trunchiat.cgxml")
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED
    assert "trunchiat.cgxml" in run.error and run.finished_at is not None
    assert run.files and run.files[0]["name"] == "trunchiat.cgxml"


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_damaged_member_of_a_batch_is_refused(cli, data, tmp_path, untouched, method):
    """Batch members are read straight from their offsets: a member whose bytes do not
    match its CRC is refused, as zipfile would refuse it."""
    path = tmp_path / "lot.zip"
    text = (data / "imobil_60101_doua_folosinte.cgxml").read_bytes()
    with zipfile.ZipFile(path, "w", method) as archive:
        archive.writestr("a/60101.cgxml", text)
    with zipfile.ZipFile(path) as archive:
        info = archive.infolist()[0]
        start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    raw = bytearray(path.read_bytes())
    raw[start + info.compress_size // 2] ^= 0x20  # a byte inside the member's data
    path.write_bytes(bytes(raw))
    result = cli(path)
    assert result.code != 0 and "deteriorat" in result.err + result.out
