"""Fixtures for the import tests: data files, a fingerprint of the spatial tables and a
command runner that returns the exit code."""

from __future__ import annotations

import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

DATA = Path(__file__).resolve().parents[1] / "data" / "cadastru"

SPATIAL_TABLES = (
    "layers_uat",
    "layers_intravilan",
    "layers_parcel",
    "layers_landuse",
    "layers_building",
    "layers_propertyright",
    "layers_parcelversion",
    "layers_countyroad",
    "layers_roadzone",
    "layers_urbanplan",
    "layers_zone",
    "layers_restriction",
)


def fingerprint() -> dict[str, tuple[int, str]]:
    """Row count and content hash of every spatial table: equal means untouched."""
    out = {}
    with connection.cursor() as cursor:
        for table in SPATIAL_TABLES:
            cursor.execute(
                f"SELECT count(*), md5(COALESCE(string_agg(t::text, '|' ORDER BY t.id), '')) "
                f"FROM {table} t"
            )
            out[table] = cursor.fetchone()
    return out


@pytest.fixture(autouse=True)
def _only_this_apps_signal_receivers():
    """Receivers of cadastre_changed in other apps (permits) are not under test here:
    these tests check that imports send the signal, with their own receiver."""
    from layers.signals import cadastre_changed

    with cadastre_changed.lock:
        saved = list(cadastre_changed.receivers)
        cadastre_changed.receivers.clear()
        cadastre_changed.sender_receivers_cache.clear()
    yield
    with cadastre_changed.lock:
        cadastre_changed.receivers[:] = saved
        cadastre_changed.sender_receivers_cache.clear()


@pytest.fixture
def data() -> Path:
    return DATA


@pytest.fixture
def untouched():
    """Assert, at the end of the test, that no spatial table changed."""
    before = fingerprint()
    yield
    assert fingerprint() == before


@pytest.fixture
def lot_zip(tmp_path) -> Path:
    """The three-file batch of tests/data/cadastru/lot as a zip."""
    path = tmp_path / "lot_poiana.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in sorted((DATA / "lot").glob("*.cgxml")):
            archive.write(member, f"lot/{member.name}")
    return path


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


def run_command(*args, **options) -> Result:
    """call_command(import_cadastru) returning the exit code the shell would see."""
    from import_cadastru.management.commands.import_cadastru import Command

    command = Command()
    out, err = StringIO(), StringIO()
    try:
        call_command(command, *[str(a) for a in args], stdout=out, stderr=err, **options)
    except CommandError as exc:
        return Result(exc.returncode, out.getvalue(), str(exc))
    return Result(command.exit_code, out.getvalue(), err.getvalue())


@pytest.fixture
def cli():
    return run_command
