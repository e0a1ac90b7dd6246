"""Benchmark of POST /api/analysis/: p95 over HTTP (gunicorn, keep-alive) against a naive
computation (load every feature of the layers the analysis reads, buildings and roads
included, intersect with shapely, no index) in one run.

Usage:  [DATABASE_URL=postgis://...gisapp_bench] .venv/bin/python bench/bench_analysis.py
        [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisapp.settings")
os.environ.setdefault("GISAPP_VAR_DIR", str(ROOT / "var"))

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
import shapely  # noqa: E402
import shapely.ops  # noqa: E402
from django.db import connection  # noqa: E402

from layers.publishing.stack import free_port, wait_for_port  # noqa: E402


def parcels(n: int, seed: int = 3) -> list[tuple[int, str, bytes]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM layers_parcel")
        top = cursor.fetchone()[0]
        rng = random.Random(seed)
        cursor.execute(
            "SELECT u.siruta, p.cadastral_number, ST_AsBinary(p.geom) FROM layers_parcel p "
            "JOIN layers_uat u ON u.id = p.uat_id WHERE p.id = ANY(%s)",
            [[rng.randint(1, top) for _ in range(n)]],
        )
        return [(s, c, bytes(g)) for s, c, g in cursor.fetchall()]


def naive(subject_wkb: bytes) -> dict:
    """What the API does, the naive way: every feature of every layer the analysis reads
    into Python (UAT, intravilan, UTR zones, restrictions, road zone bands, buildings for
    the existing built area, county roads for the nearest road and its chainage), then
    shapely without any spatial index."""
    subject = shapely.from_wkb(subject_wkb)
    out = {}
    with connection.cursor() as cursor:
        for table in (
            "layers_zone",
            "layers_restriction",
            "layers_roadzone",
            "layers_intravilan",
            "layers_uat",
            "layers_building",
        ):
            cursor.execute(f"SELECT id, ST_AsBinary(geom) FROM {table}")
            hits = []
            for pk, wkb in cursor.fetchall():
                geom = shapely.from_wkb(bytes(wkb))
                if geom.intersects(subject) and not geom.touches(subject):
                    hits.append((pk, geom.intersection(subject).area))
            out[table] = hits
        cursor.execute("SELECT id, ST_AsBinary(geom) FROM layers_countyroad")
        roads = [(pk, shapely.from_wkb(bytes(wkb))) for pk, wkb in cursor.fetchall()]
    pk, axis = min(roads, key=lambda r: (r[1].distance(subject), r[0]))
    nearest = shapely.ops.nearest_points(axis, subject)[0]
    out["road"] = (pk, axis.distance(subject), axis.project(nearest))
    return out


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    sample = parcels(args.requests)
    port = free_port()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT']}/{db['NAME']}",
        "DJANGO_DEBUG": "false",
        "DJANGO_SSL_REDIRECT": "false",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "API_ANON_RATE": "100000/minute",
    }
    web = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "gisapp.wsgi:application",
            "--config",
            "gisapp/gunicorn_conf.py",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, 60)
        session = requests.Session()
        url = f"http://127.0.0.1:{port}/api/analysis/"
        for siruta, number, _ in sample[:10]:  # warm-up
            session.post(url, json={"parcels": [{"uat": siruta, "cadastral_number": number}]})
        timings = []
        for siruta, number, _ in sample:
            payload = {
                "parcels": [{"uat": siruta, "cadastral_number": number}],
                "proposed": {"built_area": 150, "height": 9, "use": "locuințe"},
            }
            started = time.perf_counter()
            response = session.post(url, json=payload, timeout=30)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.text[:300]
        naive_times = []
        for _, _, wkb in sample[:3]:  # seconds each at 1M parcels
            started = time.perf_counter()
            naive(wkb)
            naive_times.append((time.perf_counter() - started) * 1000)
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM layers_parcel")
            count = cursor.fetchone()[0]
        api_p50, api_p95 = statistics.median(timings), pct(timings, 95)
        naive_p50 = statistics.median(naive_times)
        print(f"# {count} parcels, {len(timings)} requests, gunicorn 1 worker, keep-alive")
        print(f"POST /api/analysis/   p50 {api_p50:7.1f} ms   p95 {api_p95:7.1f} ms")
        print(f"naive shapely         p50 {naive_p50:7.1f} ms   ({len(naive_times)} runs)")
        print(f"speed-up (p50)        {naive_p50 / api_p50:7.1f}x")
    finally:
        web.terminate()
        web.wait(timeout=30)


if __name__ == "__main__":
    main()
