"""Prepare the OGC services: the MapServer database role, the mapfiles, the orthophoto."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from layers import orthophoto
from layers.models import UAT
from layers.publishing import services


class Command(BaseCommand):
    help = "Create/refresh the OWS database role and regenerate the MapServer mapfiles."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--skip-role", action="store_true", help="the role exists (managed database)"
        )

    def handle(self, *args, skip_role: bool, **options) -> None:
        if not skip_role:
            services.ensure_ows_role()
        path = orthophoto.demo_orthophoto_path()
        if not path.exists() and UAT.objects.exists():
            orthophoto.paint_demo_orthophoto(path)
            self.stdout.write(f"Demo orthophoto painted: {path}")
        for mapfile in services.republish_all():
            self.stdout.write(f"Mapfile written: {mapfile}")
