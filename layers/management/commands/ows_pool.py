"""Run only the MapServer FastCGI pool in the foreground (production / containers)."""

from __future__ import annotations

import signal
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from layers.publishing import services
from layers.publishing.mapfile import mapserver_config
from layers.publishing.stack import MapServerPool


def _stop(*_args) -> None:
    """First SIGTERM unwinds through `finally`; later ones must not interrupt the cleanup."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(0)


class Command(BaseCommand):
    help = "Keep N FastCGI mapserv processes on OWS_BIND (host:port) until stopped."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--bind", default=settings.OWS_BIND)
        parser.add_argument("--workers", type=int, default=settings.MAPSERVER_WORKERS)

    def handle(self, *args, bind: str, workers: int, **options) -> None:
        signal.signal(signal.SIGTERM, _stop)
        host, _, port = bind.rpartition(":")
        config = mapserver_config(services.ows_dir())
        pool = MapServerPool(port=int(port), workers=workers, config_file=config, host=host)
        pool.start()
        self.stdout.write(f"MapServer pool: {workers} workers on {bind}")
        try:
            while True:
                time.sleep(3600)
        finally:
            pool.stop()
