"""Build the deterministic demo county (see layers.demo)."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from layers import demo


class Command(BaseCommand):
    help = "Generate a realistic demo county (UATs, roads, parcels, PUG, restrictions)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--parcels", type=int, default=5_000, help="number of parcels")
        parser.add_argument("--seed", type=int, default=2024, help="random seed")
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--if-empty", action="store_true", help="do nothing when a county is loaded"
        )
        group.add_argument("--replace", action="store_true", help="delete all spatial data first")

    def handle(self, *args, parcels: int, seed: int, if_empty: bool, replace: bool, **kw):
        if demo.county_exists():
            if if_empty:
                self.stdout.write("A county is already loaded; nothing to do.")
                return
            if not replace:
                raise CommandError("Spatial data exists; use --replace to regenerate.")
            demo.clear_spatial_tables()
        started = time.perf_counter()

        def progress(stage: str, done: int, total: int) -> None:
            if self.stdout.isatty():
                self.stdout.write(f"\r{stage}: {done}/{total}", ending="")

        summary = demo.generate_county(parcels=parcels, seed=seed, progress=progress)
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"\nDemo county: {summary.uats} UAT, {summary.parcels} parcels, "
            f"{summary.buildings} buildings, {summary.roads} roads "
            f"({summary.road_zones} zone bands), {summary.zones} UTR, "
            f"{summary.restrictions} restrictions in {elapsed:.1f} s."
        )
