"""The real serving stack for OGC tests: nginx + Django + a MapServer FastCGI pool.

It runs against the test database (whose demo county is committed by the session set-up);
MapServer reads it through the OWS role, exactly as in production.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection

from layers import orthophoto
from layers.publishing import services
from layers.publishing.mapfile import mapserver_config
from layers.publishing.stack import MapServerPool, Nginx, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]


class OwsStack:
    def __init__(self, base: str, ows_dir: Path):
        self.base = base
        self.url = f"{base}/ows"
        self.ows_dir = ows_dir

    def get(self, auth=None, **params) -> requests.Response:
        return requests.get(self.url, params=params, auth=auth, timeout=60)


@pytest.fixture(scope="session")
def ows(django_db_setup, django_db_blocker, tmp_path_factory):
    ows_dir = tmp_path_factory.mktemp("ows")
    run_dir = tmp_path_factory.mktemp("run")
    listen, django_port, fcgi = free_port(), free_port(), free_port()
    base = f"http://127.0.0.1:{listen}"
    old = settings.OWS_DIR, settings.OWS_ONLINE_RESOURCE
    settings.OWS_DIR, settings.OWS_ONLINE_RESOURCE = str(ows_dir), f"{base}/ows?"
    with django_db_blocker.unblock():
        services.ensure_ows_role()
        if not orthophoto.demo_orthophoto_path().exists():
            orthophoto.paint_demo_orthophoto(orthophoto.demo_orthophoto_path())
        services.republish_all()
        db = connection.settings_dict
    database_url = (
        f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        OWS_DIR=str(ows_dir),
        OWS_ONLINE_RESOURCE=f"{base}/ows?",
        DJANGO_DEBUG="false",
        # plain http on loopback: no https redirect, cookies without the Secure flag
        DJANGO_SSL_REDIRECT="false",
        DJANGO_SECURE_COOKIES="false",
        DJANGO_HSTS_SECONDS="0",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
    )
    pool = MapServerPool(port=fcgi, workers=2, config_file=mapserver_config(ows_dir)).start()
    django = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            f"127.0.0.1:{django_port}",
            "--noreload",
            "--skip-checks",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(run_dir / "django.log").open("w"),
    )
    nginx = Nginx(
        run_dir=run_dir,
        listen_port=listen,
        django_port=django_port,
        fcgi_port=fcgi,
        auth_cache_seconds=0,
    )
    try:
        wait_for_port(django_port, timeout=60)
        nginx.start()
        yield OwsStack(base, ows_dir)
    finally:
        nginx.stop()
        django.kill()
        django.wait()
        pool.stop()
        settings.OWS_DIR, settings.OWS_ONLINE_RESOURCE = old
