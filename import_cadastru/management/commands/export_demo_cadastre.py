"""manage.py export_demo_cadastre: the county in the database as CGXML or GeoPackage.

Meant for the demo county (tests, end-to-end runs, benchmarks): the CGXML files carry the
owners' names, so never hand them out for real data.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from import_cadastru import export


class Command(BaseCommand):
    help = "Exportă județul din baza de date ca fișiere CGXML (zip) sau GeoPackage."

    def add_arguments(self, parser) -> None:
        parser.add_argument("out", help="fișierul de ieșire (.zip pentru CGXML, .gpkg)")
        parser.add_argument("--format", choices=["cgxml", "gpkg"], required=True)
        parser.add_argument("--uat", type=int, metavar="SIRUTA", help="doar acest UAT")
        parser.add_argument("--limit", type=int, help="cel mult atâtea imobile (CGXML)")
        parser.add_argument(
            "--files-per-zip", type=int, default=0, help="împarte CGXML în arhive de câte N fișiere"
        )
        parser.add_argument(
            "--swap-axes", action="store_true", help="CGXML cu X = nord (convenția topografică)"
        )
        parser.add_argument("--layers", help="straturi GPKG, separate prin virgulă")

    def handle(
        self, *args, out: str, format: str, uat, limit, files_per_zip, swap_axes, layers, **kw
    ) -> None:
        path = Path(out)
        if not path.parent.is_dir():
            raise CommandError(f"Directorul {path.parent} nu există.")
        started = time.perf_counter()

        def progress(stage: str, done: int, total: int) -> None:
            if self.stdout.isatty():
                sys.stderr.write(f"\r{stage}: {done}/{total}")

        if format == "gpkg":
            chosen = tuple(layers.split(",")) if layers else tuple(export._GPKG_LAYERS)
            unknown = set(chosen) - set(export._GPKG_LAYERS)
            if unknown:
                raise CommandError(f"Straturi necunoscute: {', '.join(sorted(unknown))}")
            written = export.export_gpkg(path, uat=uat, layers=chosen, progress=progress)
            detail = ", ".join(f"{k}: {v}" for k, v in written.items())
            self.stdout.write(
                f"GeoPackage {path}: {detail} ({time.perf_counter() - started:.1f} s)"
            )
        else:
            zips = export.export_cgxml(
                path,
                uat=uat,
                limit=limit,
                files_per_zip=files_per_zip,
                swap_axes=swap_axes,
                progress=progress,
            )
            self.stdout.write(
                f"CGXML: {len(zips)} arhive ({', '.join(z.name for z in zips[:5])}"
                f"{'…' if len(zips) > 5 else ''}) în {time.perf_counter() - started:.1f} s"
            )
