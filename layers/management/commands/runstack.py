"""Serve the whole application: nginx in front, Django, and the MapServer FastCGI pool."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from layers.publishing import services
from layers.publishing.mapfile import mapserver_config
from layers.publishing.stack import MapServerPool, Nginx, free_port


class Command(BaseCommand):
    help = "Run nginx (:PORT), Django and a MapServer FastCGI pool until interrupted."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=settings.MAPSERVER_WORKERS)

    def handle(self, *args, port: int, workers: int, **options) -> None:
        # SIGTERM (systemd, timeout, docker stop) unwinds through `finally` like Ctrl-C.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        services.republish_all()
        django_port, fcgi_port = free_port(), free_port()
        pool = MapServerPool(
            port=fcgi_port, workers=workers, config_file=mapserver_config(services.ows_dir())
        ).start()
        nginx = Nginx(
            run_dir=Path(settings.VAR_DIR) / "run",
            listen_port=port,
            django_port=django_port,
            fcgi_port=fcgi_port,
        )
        try:
            nginx.start()
            self.stdout.write(
                f"Serving http://127.0.0.1:{port}/ (OGC: http://127.0.0.1:{port}/ows, "
                f"{workers} MapServer workers)"
            )
            call_command("runserver", f"127.0.0.1:{django_port}", use_reloader=False)
        finally:
            nginx.stop()
            pool.stop()
