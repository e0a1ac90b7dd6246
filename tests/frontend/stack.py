"""The real serving stack for the browser tests and bench/bench_frontend.py: nginx in
front of a Django runserver (with the web map's URLs) and the MapServer FastCGI pool.

It is layers.publishing.stack's stack with one change: nginx does not keep idle FastCGI
connections to `mapserv` open. A FastCGI `mapserv` serves one connection at a time, so a
kept-alive idle connection blocks its process; with a browser's six parallel GetMap
requests the other requests then wait for the keepalive timeout (seen: 50-120 s, 504s).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from layers.publishing.stack import MapServerPool, Nginx, free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = "tests.frontend.settings"


class NginxNoFcgiKeepalive(Nginx):
    def config(self) -> str:
        text = re.sub(r"(upstream mapserver \{[^}]*?)\s*keepalive \d+;", r"\1", super().config())
        text = text.replace("fastcgi_keep_conn on;", "fastcgi_keep_conn off;")
        assert "fastcgi_keep_conn on" not in text
        return text


@dataclass
class Stack:
    base: str
    run_dir: Path

    def url(self, path: str) -> str:
        return self.base + path


@contextmanager
def serve(
    *,
    database_url: str,
    ows_dir: Path,
    run_dir: Path,
    config_file: Path,
    workers: int = 2,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Stack]:
    """Run the stack on free loopback ports until the block exits."""
    listen, django_port, fcgi = free_port(), free_port(), free_port()
    base = f"http://127.0.0.1:{listen}"
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
        DJANGO_SETTINGS_MODULE=SETTINGS,
        **(extra_env or {}),
    )
    pool = MapServerPool(port=fcgi, workers=workers, config_file=config_file).start()
    django = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            f"127.0.0.1:{django_port}",
            "--noreload",
            "--skip-checks",
            "--settings",
            SETTINGS,
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=(run_dir / "django.log").open("w"),
    )
    nginx = NginxNoFcgiKeepalive(
        run_dir=run_dir,
        listen_port=listen,
        django_port=django_port,
        fcgi_port=fcgi,
        auth_cache_seconds=5,
    )
    try:
        wait_for_port(django_port, timeout=60)
        nginx.start()
        yield Stack(base=base, run_dir=run_dir)
    finally:
        nginx.stop()
        django.kill()
        django.wait()
        pool.stop()
