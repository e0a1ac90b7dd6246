"""Backup and restore drill into an empty cluster, and read-replica routing against a
second local PostgreSQL instance."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _source_url() -> str:
    db = connection.settings_dict
    return (
        f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
            )
        ]
        return {t: conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}


def _hashes(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def _create_db(base: str, name: str) -> str:
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def test_restore_drill_into_an_empty_cluster(second_cluster, tmp_path):
    media = tmp_path / "media"
    (media / "dosare" / "2026").mkdir(parents=True)
    (media / "dosare" / "2026" / "dosar-1-v1.pdf").write_bytes(b"%PDF-1.7\n" + os.urandom(4096))
    (media / "atasamente").mkdir()
    (media / "atasamente" / "plan.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(2048))
    backup = tmp_path / "backup"
    env = {**os.environ, "DATABASE_URL": _source_url(), "DJANGO_MEDIA_ROOT": str(media)}
    subprocess.run(
        [str(ROOT / "scripts" / "backup.sh"), str(backup)],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    target = _create_db(second_cluster, "drill")
    restored_media = tmp_path / "restored-media"
    result = subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), str(backup), target, str(restored_media)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert _counts(target) == _counts(_source_url())
    assert _hashes(restored_media) == _hashes(media)
    with psycopg.connect(target) as conn:
        area = conn.execute("SELECT round(SUM(ST_Area(geom))::numeric, 2) FROM layers_parcel")
        restored_area = area.fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT round(SUM(ST_Area(geom))::numeric, 2) FROM layers_parcel")
        assert cursor.fetchone()[0] == restored_area
    # a second restore into the now non-empty database is refused
    again = subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), str(backup), target, str(restored_media)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert again.returncode == 2 and "non-empty" in again.stderr


def test_a_corrupted_backup_is_refused(second_cluster, tmp_path):
    backup = tmp_path / "backup"
    env = {
        **os.environ,
        "DATABASE_URL": _source_url(),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "empty"),
    }
    subprocess.run(
        [str(ROOT / "scripts" / "backup.sh"), str(backup)],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    dump = backup / "db.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    target = _create_db(second_cluster, "corrupt")
    result = subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), str(backup), target, str(tmp_path / "m")],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode != 0
    assert _counts(target) == {"spatial_ref_sys": 0} or _counts(target) == {}


PROBE = """
import json
from django.db import connections, transaction
from layers.analysis import analyse
from layers.models import UAT, Parcel
parcel = Parcel.objects.order_by("pk").first()
result = {
    "read_db": Parcel.objects.all().db,
    "count": Parcel.objects.count(),
    "analysis_area": analyse(parcel.geom)["subject"]["area_m2"],
}
with transaction.atomic():
    uat = UAT.objects.create(siruta=999_777, name="Scriere", kind="comuna", county="T",
                             geom=UAT.objects.order_by("pk").first().geom)
    result["read_in_write_tx"] = UAT.objects.filter(siruta=999_777).exists()
    transaction.set_rollback(True)
print("RESULT" + json.dumps(result))
"""


def test_spatial_reads_go_to_the_replica_and_writes_to_the_primary(second_cluster, tmp_path):
    # Seed the second instance as a replica of the spatial tables, then make it differ.
    backup = tmp_path / "snapshot"
    env = {
        **os.environ,
        "DATABASE_URL": _source_url(),
        "DJANGO_MEDIA_ROOT": str(tmp_path / "empty"),
    }
    subprocess.run(
        [str(ROOT / "scripts" / "backup.sh"), str(backup)],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    replica = _create_db(second_cluster, "replica")
    subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), str(backup), replica, str(tmp_path / "rm")],
        check=True,
        capture_output=True,
        timeout=600,
    )
    with psycopg.connect(replica) as conn:
        conn.execute("SET session_replication_role = replica")  # as a replica: no FK checks
        conn.execute(
            "DELETE FROM layers_parcel WHERE id IN (SELECT id FROM layers_parcel "
            "ORDER BY id DESC LIMIT 7)"
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM layers_parcel")
        primary_count = cursor.fetchone()[0]
    env = {
        **os.environ,
        "DATABASE_URL": _source_url().replace("postgresql://", "postgis://"),
        "DATABASE_REPLICA_URL": replica.replace("postgresql://", "postgis://"),
    }
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    ).stdout
    result = json.loads(out.split("RESULT", 1)[1])
    assert result["read_db"] == "replica"
    assert result["count"] == primary_count - 7  # read from the replica
    assert result["analysis_area"] > 0
    assert result["read_in_write_tx"] is True  # inside a write transaction: the primary
