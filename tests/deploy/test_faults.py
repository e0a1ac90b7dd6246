"""Faults: the database restarts under load and the whole stack recovers by itself."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
import requests
from django.db import connection

from layers.publishing.stack import free_port, wait_for_port
from tests.deploy.conftest import PGBIN, _as_postgres

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _snapshot_into(second_cluster: str, tmp_path: Path, name: str) -> str:
    db = connection.settings_dict
    source = (
        f"postgresql://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    backup = tmp_path / "snapshot"
    env = {**os.environ, "DATABASE_URL": source, "DJANGO_MEDIA_ROOT": str(tmp_path / "none")}
    subprocess.run(
        [str(ROOT / "scripts" / "backup.sh"), str(backup)],
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    with psycopg.connect(f"{second_cluster}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    target = f"{second_cluster}/{name}"
    subprocess.run(
        [str(ROOT / "scripts" / "restore.sh"), str(backup), target, str(tmp_path / "media")],
        check=True,
        capture_output=True,
        timeout=600,
    )
    return target


def _probe(base: str, parcel: tuple[int, str]) -> dict[str, bool]:
    results = {}
    try:
        results["health"] = requests.get(f"{base}/healthz/", timeout=10).status_code == 200
        analysis = requests.post(
            f"{base}/api/analysis/",
            json={"parcels": [{"uat": parcel[0], "cadastral_number": parcel[1]}]},
            timeout=10,
        )
        results["analysis"] = analysis.status_code == 200
        tile = requests.get(
            f"{base}/ows",
            params={
                "SERVICE": "WMS",
                "VERSION": "1.3.0",
                "REQUEST": "GetMap",
                "LAYERS": "parcele",
                "STYLES": "",
                "CRS": "EPSG:3844",
                "BBOX": "480900,371000,481100,371200",
                "WIDTH": 256,
                "HEIGHT": 256,
                "FORMAT": "image/png",
            },
            timeout=10,
        )
        results["tile"] = tile.headers.get("Content-Type") == "image/png"
    except requests.RequestException:
        results["error"] = False
    return results


def test_database_restart_under_load_recovers_without_manual_steps(second_cluster, tmp_path):
    target = _snapshot_into(second_cluster, tmp_path, "faults")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT u.siruta, p.cadastral_number FROM layers_parcel p "
            "JOIN layers_uat u ON u.id = p.uat_id ORDER BY p.id LIMIT 1"
        )
        parcel = cursor.fetchone()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": target.replace("postgresql://", "postgis://"),
        "DJANGO_DEBUG": "false",
        "DJANGO_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "OWS_DIR": str(tmp_path / "ows"),
        "GISAPP_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "MAPSERVER_WORKERS": "2",
        "WEB_CONCURRENCY": "2",
        "API_ANON_RATE": "100000/minute",
    }
    (tmp_path / "var").mkdir()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "publish_ows"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    stack = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runstack", "--production", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_port(port, timeout=120)
        deadline = time.monotonic() + 60
        while not all(_probe(base, parcel).values()) and time.monotonic() < deadline:
            time.sleep(0.5)
        for _ in range(5):
            assert all(_probe(base, parcel).values())
        subprocess.run(
            _as_postgres(
                [
                    str(PGBIN / "pg_ctl"),
                    "-D",
                    str(second_cluster.data_dir),
                    "-l",
                    str(second_cluster.data_dir.parent / "log"),
                    "-m",
                    "fast",
                    "-w",
                    "restart",
                ]
            ),
            check=True,
            capture_output=True,
        )
        # After the restart, everything works again within seconds, with no manual step:
        # each pooled connection fails once (its first request) and is replaced.
        streak, failures, deadline = 0, 0, time.monotonic() + 60
        while streak < 20 and time.monotonic() < deadline:
            if all(_probe(base, parcel).values()):
                streak += 1
            else:
                streak, failures = 0, failures + 1
                time.sleep(0.2)
        assert streak == 20, "the stack did not recover from the database restart"
        assert failures <= 6  # at most one per MapServer worker, gunicorn worker and kind
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
