"""An import killed half-way leaves the database exactly as it was.

The import runs as a real `manage.py import_cadastru` process against the test database.
The test holds a row lock on a parcel the import must update, so the import stops inside
its transaction after staging, history rows and inserts; the process is then killed
with SIGKILL and the lock released. Nothing of it may ever become visible.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from django.db import connection, transaction

from import_cadastru.models import ImportRun
from layers.models import Parcel, ParcelVersion

from .conftest import fingerprint

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgis://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _blocked_import_backend() -> int | None:
    with connection.cursor() as cursor:
        # pg_stat_activity is a snapshot per transaction, and the test runs in one
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
            "AND query LIKE %s",
            ["%UPDATE layers_parcel p%"],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _exited(process) -> None:
    if process.poll() is not None:
        out, err = process.communicate()
        raise AssertionError(f"the import ended early ({process.returncode}): {out!r} {err!r}")


def _backend_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is None


def test_killed_import_changes_nothing(data, tmp_path):
    # a batch with a new parcel and a change to demo parcel 50001
    house = (data / "imobil_60101_doua_folosinte.cgxml").read_text(encoding="utf-8")
    archive = tmp_path / "lot.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("60101.cgxml", house)
        zf.writestr("50001.cgxml", house.replace("60101", "50001"))
    before = fingerprint()
    runs_before = ImportRun.objects.count()
    env = {**os.environ, "DATABASE_URL": _database_url()}
    process = None
    try:
        with transaction.atomic():  # a savepoint: its row lock ends with it
            Parcel.objects.select_for_update().get(uat__siruta=900001, cadastral_number="50001")
            process = subprocess.Popen(
                [sys.executable, str(ROOT / "manage.py"), "import_cadastru", str(archive)],
                env=env,
                cwd=ROOT,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            backend = _wait_for(
                lambda: _blocked_import_backend() or _exited(process),
                60,
                "the import to reach its UPDATE",
            )
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
            transaction.set_rollback(True)
        # the lock is released: the orphaned backend finds its client gone and aborts
        _wait_for(lambda: _backend_gone(backend), 30, "the killed import's backend to end")
    finally:
        if process and process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    assert fingerprint() == before
    assert not Parcel.objects.filter(cadastral_number="60101").exists()
    assert Parcel.objects.get(uat__siruta=900001, cadastral_number="50001").version == 1
    assert not ParcelVersion.objects.exists()
    assert ImportRun.objects.count() == runs_before  # not even a run record
