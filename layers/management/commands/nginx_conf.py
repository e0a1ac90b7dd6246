"""Print the nginx configuration for the containers (docker/nginx.conf is this output)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from layers.publishing.stack import Nginx


def docker_nginx_config() -> str:
    """The same configuration as the native modes, with the compose service names."""
    return Nginx(
        run_dir=Path("/var/run/nginx"),
        listen_port=8080,
        django_port=8001,
        fcgi_port=9000,
        listen_host="0.0.0.0",  # noqa: S104 - inside its container, behind the published port
        django_upstream="web:8001",
        mapserver_upstream="ows:9000",
        static_root=Path("/var/lib/gisapp/static"),
        user="www-data",
        tmp_dir=Path("/var/cache/nginx/gisapp"),
        workers=2,
    ).config()


class Command(BaseCommand):
    help = "Print the nginx configuration used by docker/compose.yaml."

    def handle(self, *args, **options) -> None:
        self.stdout.write(docker_nginx_config(), ending="")
