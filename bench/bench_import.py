"""Benchmark of import_cadastru, printed as a table (run on demand, never a test).

1. A demo county of N parcels is generated in a database of its own and exported as a
   GeoPackage (parcels layer) and as CGXML files in zips (one file per parcel).
2. Parcels: the GeoPackage is imported into the emptied parcel table, then imported again
   (nothing changes); `ogr2ogr -f PostgreSQL` with default options loads the same file in
   the same run, for comparison. Peak memory is the import process's (and its workers').
3. CGXML: the zips are imported with 2 worker processes (and again, unchanged); a sample
   of the same files is loaded the naive way, one ORM save per row, for comparison.

Targets (issue 4): full import >= 1.0x ogr2ogr's throughput, re-import >= 3x faster than
the first import, peak memory < 1 GB, CGXML >= 10,000 files/s and >= 20x a per-row ORM
save. Every time is the wall time of the whole process, as an officer would see it (for
ours: Python and Django start-up included); the time spent inside the import itself
(`run_import`) is printed next to it.

Usage:  .venv/bin/python bench/bench_import.py [--parcels 1000000] [--cgxml-files 100000]
        [--orm-sample 500] [--database gisapp_import_bench] [--workdir DIR] [--keep] [--reuse]
The benchmark database is dropped and re-created (its name must contain "bench"); with
--reuse, a database and files kept by an earlier run (--keep, same --workdir) are used
again. The machine may be shared: the load average is printed with each measurement,
and the ratios compare measurements taken in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
TARGETS = {
    "ogr_ratio": 1.0,
    "reimport_speedup": 3.0,
    "peak_mb": 1024,
    "cgxml_fps": 10_000,
    "orm_ratio": 20.0,
}


def base_url() -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        return url
    port = (ROOT / "var" / "pg" / "port").read_text().strip()
    return f"postgis://postgres@127.0.0.1:{port}/gisapp"


def with_db(url: str, name: str) -> str:
    parsed = urlparse(url)
    return parsed._replace(path=f"/{name}").geturl()


def pg_conninfo(url: str) -> str:
    p = urlparse(url)
    parts = [
        f"host={p.hostname or '127.0.0.1'}",
        f"port={p.port or 5432}",
        f"dbname={p.path.lstrip('/')}",
        f"user={p.username or 'postgres'}",
    ]
    if p.password:
        parts.append(f"password={p.password}")
    return " ".join(parts)


def psql(url: str, statement: str, *, dbname: str | None = None) -> None:
    import psycopg

    conninfo = pg_conninfo(with_db(url, dbname) if dbname else url)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(statement)


def run(args: list[str], env: dict, label: str) -> tuple[float, int, str]:
    """Wall time, peak RSS (KiB, the process or any of its workers) and stdout."""
    started = time.perf_counter()
    process = subprocess.Popen(
        args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out, err = process.communicate()
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode not in (0, 3):
        sys.exit(f"{label} failed ({process.returncode}):\n{out}\n{err}")
    peak = int(out.rsplit("PEAK_RSS_KB=", 1)[1].split()[0]) if "PEAK_RSS_KB=" in out else 0
    return elapsed, max(peak, 0) or usage.ru_maxrss, out


# --- child modes (run in a subprocess so their memory is measured alone) ------------------


def child_setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisapp.settings")
    import django

    django.setup()


def child_import(paths: list[str], extra: list[str]) -> None:
    """One import, as the command runs it, printing when each stage starts."""
    child_setup_django()
    from import_cadastru.management.commands.import_cadastru import summary
    from import_cadastru.services import ImportRequest, run_import
    from layers.signals import cadastre_changed

    # the benchmark measures the import: other apps' listeners are not part of it
    cadastre_changed.receivers.clear()
    workers = int(extra[extra.index("--workers") + 1]) if "--workers" in extra else 0
    started = time.perf_counter()
    stages: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        stages.setdefault(stage, time.perf_counter() - started)

    run = run_import(
        ImportRequest(paths=[Path(p) for p in paths], workers=workers), progress=progress
    )
    stages["end"] = time.perf_counter() - started
    print(summary(run))
    print("STAGES " + ", ".join(f"{k} @{v:.1f}s" for k, v in stages.items()))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"PEAK_RSS_KB={max(own, workers_rss)}")


def child_orm(zip_path: str, sample: int) -> None:
    """The naive baseline: parse each CGXML and save it row by row with the ORM."""
    child_setup_django()
    import zipfile

    from django.contrib.gis.geos import GEOSGeometry, MultiPolygon
    from django.db import transaction

    from import_cadastru.readers import cgxml
    from layers.models import UAT, Building, LandUse, Parcel, PropertyRight

    uats = {u.siruta: u for u in UAT.objects.all()}
    with zipfile.ZipFile(zip_path) as archive:
        names = [n for n in archive.namelist() if n.endswith(".cgxml")][:sample]
        docs = [archive.read(n) for n in names]
    started = time.perf_counter()
    with transaction.atomic():
        for data in docs:
            recs = cgxml._records(cgxml.parse_xml(data, "x"))
            land, addr = recs["Land"][0], recs["Address"][0]
            lands, buildings = cgxml._points(recs["Points"])

            def poly(points):
                return MultiPolygon(GEOSGeometry(cgxml._polygon(points, False), srid=3844))

            parcel, _ = Parcel.objects.update_or_create(
                uat=uats[int(addr["SIRSUP"])],
                cadastral_number=land["CADGENNO"],
                defaults={
                    "eterra_id": cgxml._int(land.get("E2IDENTIFIER")),
                    "land_book_number": land.get("PAPERLBNO") or land["CADGENNO"],
                    "address": addr.get("DESCRIPTION") or "",
                    "intravilan": addr.get("INTRAVILAN") == "true",
                    "legal_area": cgxml._num(land.get("PARCELLEGALAREA")),
                    "geom": poly(next(iter(lands.values()))),
                },
            )
            LandUse.objects.filter(parcel=parcel).delete()
            for use in recs["Parcel"]:
                LandUse.objects.create(
                    parcel=parcel,
                    category=use["USECATEGORY"],
                    area=use["MEASUREDAREA"],
                    intravilan=use.get("INTRAVILAN") == "true",
                )
            for b in recs["Building"]:
                Building.objects.update_or_create(
                    parcel=parcel,
                    number=int(b["BUILDNO"]),
                    defaults={
                        "destination": b["BUILDINGDESTINATION"],
                        "levels": int(b.get("LEVELSNO") or 1),
                        "geom": poly(buildings[int(b["BUILDINGID"])]),
                    },
                )
            PropertyRight.objects.filter(parcel=parcel).delete()
            for person in recs["Person"]:
                PropertyRight.objects.create(
                    parcel=parcel,
                    holder_kind="pf",
                    holder_name=person.get("LASTNAME", ""),
                    right_kind="proprietate",
                )
        elapsed = time.perf_counter() - started
        transaction.set_rollback(True)
    print(json.dumps({"files": len(docs), "seconds": elapsed}))


def ogr2ogr(url: str, gpkg: Path) -> float:
    """Seconds for `ogr2ogr -f PostgreSQL` (default options: COPY, a GiST index) to load
    the same file into a fresh table."""
    psql(url, "DROP TABLE IF EXISTS bench_ogr")
    started = time.perf_counter()
    subprocess.run(
        ["ogr2ogr", "-f", "PostgreSQL", f"PG:{pg_conninfo(url)}", str(gpkg), "-nln", "bench_ogr"],
        check=True,
        capture_output=True,
    )
    elapsed = time.perf_counter() - started
    psql(url, "DROP TABLE IF EXISTS bench_ogr")
    return elapsed


def _stages(out: str) -> str:
    return out.rsplit("STAGES ", 1)[1].splitlines()[0] if "STAGES " in out else ""


def _inside(out: str) -> float:
    """Seconds spent in run_import (the child's `end` stage)."""
    stages = _stages(out)
    return float(stages.rsplit("end @", 1)[1].rstrip("s")) if "end @" in stages else 0.0


# --- the benchmark ------------------------------------------------------------------------


def generate(opts, url: str, env: dict, work: Path, note) -> None:
    """A fresh database with a demo county, exported as a GeoPackage and CGXML zips."""
    psql(url, f'DROP DATABASE IF EXISTS "{opts.database}"', dbname="postgres")
    psql(url, f'CREATE DATABASE "{opts.database}"', dbname="postgres")
    psql(url, "CREATE EXTENSION IF NOT EXISTS postgis")
    manage = [PY, str(ROOT / "manage.py")]
    run([*manage, "migrate", "-v", "0"], env, "migrate")
    elapsed, _, _ = run(
        [*manage, "generate_demo_county", "--parcels", str(opts.parcels)],
        env,
        "generate_demo_county",
    )
    note("demo county generated", f"{opts.parcels:,} parcels in {elapsed:.1f} s")
    gpkg = work / "parcele.gpkg"
    elapsed, _, _ = run(
        [*manage, "export_demo_cadastre", str(gpkg), "--format", "gpkg", "--layers", "parcele"],
        env,
        "export gpkg",
    )
    note("export GeoPackage", f"{elapsed:.1f} s, {gpkg.stat().st_size / 1e6:.0f} MB")
    if not opts.cgxml_files:
        return  # (export_demo_cadastre --limit 0 would export every parcel)
    cg = work / "cgxml.zip"
    elapsed, _, _ = run(
        [
            *manage,
            "export_demo_cadastre",
            str(cg),
            "--format",
            "cgxml",
            "--limit",
            str(opts.cgxml_files),
            "--files-per-zip",
            "10000",
        ],
        env,
        "export cgxml",
    )
    zips = sorted(str(p) for p in work.glob("cgxml_*.zip"))
    note("export CGXML", f"{opts.cgxml_files:,} files in {len(zips)} zips, {elapsed:.1f} s")


def cgxml(url: str, env: dict, me: list, zips: list, files: int, sample: int, note) -> list:
    """CGXML zips imported with 2 workers (and again, unchanged), and a per-row ORM save
    of a sample of the same files; returns the target checks."""
    psql(url, "TRUNCATE layers_parcel CASCADE")
    cg_first, cg_peak, out = run([*me, *zips, "--workers", "2"], env, "CGXML import")
    assert f"create: {files}" in out, out
    print("  CGXML import " + _stages(out), flush=True)
    cg_inside = _inside(out)
    cg_again, _, out = run([*me, *zips, "--workers", "2"], env, "CGXML re-import")
    assert f"neschimbate: {files}" in out, out
    cg_again_inside = _inside(out)
    _, _, out = run([PY, __file__, "--child-orm", zips[0], str(sample)], env, "ORM")
    orm = json.loads(out.strip().splitlines()[-1])
    orm_fps = orm["files"] / orm["seconds"]
    note(
        "CGXML import, 2 workers",
        f"{cg_first:.1f} s = {files / cg_first:,.0f} files/s, peak {cg_peak / 1024:.0f} MB "
        f"(in run_import {cg_inside:.1f} s = {files / max(cg_inside, 1e-9):,.0f} files/s)",
    )
    note(
        "CGXML import, unchanged",
        f"{cg_again:.1f} s = {files / cg_again:,.0f} files/s "
        f"(in run_import {cg_again_inside:.1f} s)",
    )
    note(
        "CGXML per-row ORM sample",
        f"{orm['files']} files in {orm['seconds']:.1f} s = {orm_fps:,.0f} files/s",
    )
    return [
        ("CGXML files/s (2 workers)", files / cg_first, TARGETS["cgxml_fps"], "x"),
        ("CGXML speed-up over per-row ORM", files / cg_first / orm_fps, TARGETS["orm_ratio"], "x"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--cgxml-files", type=int, default=100_000)
    parser.add_argument("--orm-sample", type=int, default=500)
    parser.add_argument("--database", default="gisapp_import_bench")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--keep", action="store_true", help="keep the database and files")
    parser.add_argument("--reuse", action="store_true", help="use a kept database and files")
    opts = parser.parse_args()
    if "bench" not in opts.database:
        sys.exit("the benchmark database name must contain 'bench' (it is dropped)")
    url = with_db(base_url(), opts.database)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "GISAPP_VAR_DIR": os.environ.get("GISAPP_VAR_DIR", str(ROOT / "var")),
    }
    work = Path(opts.workdir or tempfile.mkdtemp(prefix="bench_import_"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[tuple[str, str]] = []

    def note(label: str, value: str) -> None:
        rows.append((label, value))
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"  {label}: {value}   [load {load}]", flush=True)

    print(f"database {opts.database}, files in {work}", flush=True)
    manage = [PY, str(ROOT / "manage.py")]
    gpkg = work / "parcele.gpkg"
    if opts.reuse and gpkg.exists():
        run([*manage, "migrate", "-v", "0"], env, "migrate")
    else:
        generate(opts, url, env, work, note)
    zips = sorted(str(p) for p in work.glob("cgxml_*.zip"))

    # parcels from GeoPackage: ours (first, again) and ogr2ogr on the same file
    psql(url, "TRUNCATE layers_parcel CASCADE")
    # ogr2ogr before and after ours: the machine's load drifts, the mean is compared
    ogr_before = ogr2ogr(url, gpkg)
    me = [PY, __file__, "--child-import"]
    first, peak1, out = run([*me, str(gpkg)], env, "first import")
    assert f"create: {opts.parcels}" in out, out
    print("  first import " + _stages(out), flush=True)
    first_inside = _inside(out)
    again, peak2, out = run([*me, str(gpkg)], env, "re-import")
    assert f"neschimbate: {opts.parcels}" in out, out
    print("  re-import " + _stages(out), flush=True)
    again_inside = _inside(out)
    ogr_after = ogr2ogr(url, gpkg)
    ogr = (ogr_before + ogr_after) / 2
    n = opts.parcels
    note(
        "GPKG import, first",
        f"{first:.1f} s = {n / first:,.0f} parcels/s, peak {peak1 / 1024:.0f} MB "
        f"(in run_import {first_inside:.1f} s)",
    )
    note(
        "GPKG import, unchanged",
        f"{again:.1f} s = {n / again:,.0f} parcels/s, peak {peak2 / 1024:.0f} MB "
        f"(in run_import {again_inside:.1f} s)",
    )
    note(
        "ogr2ogr -f PostgreSQL",
        f"{ogr:.1f} s = {n / ogr:,.0f} features/s (before ours {ogr_before:.1f} s, "
        f"after {ogr_after:.1f} s)",
    )

    # CGXML: ours with 2 workers, and the per-row ORM baseline (--cgxml-files 0: skipped)
    files = opts.cgxml_files if zips else 0
    checks = [
        ("GPKG first import / ogr2ogr throughput", ogr / first, TARGETS["ogr_ratio"], "x"),
        ("re-import speed-up over first import", first / again, TARGETS["reimport_speedup"], "x"),
        ("peak memory of the import (MB)", max(peak1, peak2) / 1024, TARGETS["peak_mb"], "<"),
    ]
    if files:
        checks += cgxml(url, env, me, zips, files, opts.orm_sample, note)
    print("\nTarget                                   measured        target   met")
    for label, value, target, kind in checks:
        met = value < target if kind == "<" else value >= target
        print(f"{label:<40} {value:>10,.2f} {target:>12,.2f}   {'yes' if met else 'NO'}")
    print("load average at the end: " + " / ".join(f"{x:.1f}" for x in os.getloadavg()))
    if not opts.keep:
        psql(url, f'DROP DATABASE IF EXISTS "{opts.database}"', dbname="postgres")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-import":
        paths = [a for a in sys.argv[2:] if not a.startswith("--") and not a.isdigit()]
        extra = [a for a in sys.argv[2:] if a not in paths]
        child_import(paths, extra)
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-orm":
        child_orm(sys.argv[2], int(sys.argv[3]))
    else:
        main()
