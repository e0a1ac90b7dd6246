"""The production configuration: `check --deploy`, and the production mode serving for
real (gunicorn, the job worker, the MapServer pool, nginx with static files)."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.db import connection

from layers.publishing.stack import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=secrets.token_urlsafe(60), **extra)
    return env


def test_check_deploy_passes_with_production_settings():
    result = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "check", "--deploy", "--fail-level", "WARNING"],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.django_db
def test_production_mode_serves_pages_static_files_and_ows(tmp_path):
    db = connection.settings_dict
    port = free_port()
    env = _env(
        DATABASE_URL=f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT']}/"
        f"{db['NAME']}",
        DJANGO_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        OWS_DIR=str(tmp_path / "ows"),
        GISAPP_VAR_DIR=str(tmp_path / "var"),
        MAPSERVER_WORKERS="1",
        WEB_CONCURRENCY="1",
    )
    (tmp_path / "var").mkdir()
    stack = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "runstack", "--production", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(port, timeout=120)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        health = None
        while time.monotonic() < deadline:
            try:  # the first requests can be slow while workers warm up on a busy machine
                health = requests.get(f"{base}/healthz/", timeout=10)
            except requests.RequestException:
                continue
            if health.status_code == 200:
                break
            time.sleep(0.5)
        assert health is not None, "the production stack never answered /healthz/"
        assert health.json() == {"status": "ok"}
        login = requests.get(f"{base}/admin/login/", timeout=10)
        assert login.status_code == 200 and "csrfmiddlewaretoken" in login.text
        css = requests.get(f"{base}/static/admin/css/base.css", timeout=10)
        assert css.status_code == 200 and css.headers["Server"].startswith("nginx")
        assert "gunicorn" not in css.headers.get("Server", "")
        caps = requests.get(
            f"{base}/ows", params={"SERVICE": "WMS", "REQUEST": "GetCapabilities"}, timeout=30
        )
        assert "<Name>parcele</Name>" in caps.text
        assert "Traceback" not in requests.get(f"{base}/nu-exista/", timeout=10).text
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
