"""Serve the whole application: nginx in front, Django, and the MapServer FastCGI pool.

Development (default): Django's runserver. `--production`: gunicorn, the background job
worker and nginx serving the collected static files, with the same commands as the
containers (gisapp.processes).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from gisapp import processes
from layers.publishing import services
from layers.publishing.mapfile import mapserver_config
from layers.publishing.stack import MapServerPool, Nginx, free_port, wait_for_port


def _local(command: list[str]) -> list[str]:
    """A production command with this virtualenv's interpreter and scripts (after a
    `nice -n N` prefix, which stays the system's)."""
    if command[0] == "nice":
        return [shutil.which("nice") or "/usr/bin/nice", *command[1:3], *_local(command[3:])]
    bin_dir = Path(sys.executable).parent
    first = sys.executable if command[0] == "python" else str(bin_dir / command[0])
    return [first, *command[1:]]


def _readable_static(root: Path) -> Path:
    """nginx workers (www-data) must read the static files; copy them where they can."""
    if os.geteuid() != 0:
        return root
    probe = subprocess.run(
        ["runuser", "-u", "www-data", "--", "test", "-r", str(root / ".")], check=False
    )
    if probe.returncode == 0:
        return root
    target = Path(tempfile.mkdtemp(prefix="gisapp-static-"))
    shutil.copytree(root, target, dirs_exist_ok=True)
    www = pwd.getpwnam("www-data")
    for path in [target, *target.rglob("*")]:
        os.chown(path, www.pw_uid, www.pw_gid)
    return target


def _stop(*_args) -> None:
    """First SIGTERM unwinds through `finally`; later ones must not interrupt the cleanup."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(0)


class Command(BaseCommand):
    help = "Run nginx (:PORT), Django and a MapServer FastCGI pool until interrupted."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=settings.MAPSERVER_WORKERS)
        parser.add_argument("--production", action="store_true", help="gunicorn + worker")
        parser.add_argument(
            "--access-log",
            action="store_true",
            help="nginx access log with request and upstream times (var/run/nginx-access.log)",
        )

    def handle(
        self, *args, port: int, workers: int, production: bool, access_log: bool, **options
    ) -> None:
        # SIGTERM (systemd, timeout, docker stop) unwinds through `finally` like Ctrl-C.
        signal.signal(signal.SIGTERM, _stop)
        services.republish_all()
        django_port, fcgi_port = free_port(), free_port()
        pool = MapServerPool(
            port=fcgi_port, workers=workers, config_file=mapserver_config(services.ows_dir())
        ).start()
        children: list[subprocess.Popen] = []
        static_root = None
        if production:
            call_command("collectstatic", interactive=False, verbosity=0)
            static_root = _readable_static(Path(settings.STATIC_ROOT))
            env = {**os.environ, "GUNICORN_BIND": f"127.0.0.1:{django_port}"}
            for command in (processes.WEB, processes.WORKER):
                children.append(subprocess.Popen(_local(command), env=env, cwd=settings.BASE_DIR))
        nginx = Nginx(
            run_dir=Path(settings.VAR_DIR) / "run",
            listen_port=port,
            django_port=django_port,
            fcgi_port=fcgi_port,
            static_root=static_root,
            access_log=access_log,
        )
        try:
            if production:
                wait_for_port(django_port, timeout=60)
            nginx.start()
            mode = "production (gunicorn)" if production else "development"
            self.stdout.write(
                f"Serving http://127.0.0.1:{port}/ in {mode} mode (OGC: /ows, /ogcapi/; "
                f"{workers} MapServer workers)"
            )
            if production:
                signal.pause()  # until SIGTERM / Ctrl-C
            else:
                call_command("runserver", f"127.0.0.1:{django_port}", use_reloader=False)
        finally:
            nginx.stop()
            for child in children:
                child.terminate()
            for child in children:
                try:
                    child.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    child.kill()
            pool.stop()
