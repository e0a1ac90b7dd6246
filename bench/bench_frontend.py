"""Benchmark of the web map in the same headless Chromium as the browser tests.

For each database (the demo county, and the 1,000,000-parcel `gisapp_bench` when it
exists) it starts the real stack (nginx + Django + MapServer pool, tests.frontend.stack),
then measures, over several page loads:
  - navigation -> first map layer drawn (and -> all visible layers drawn),
  - map click on a parcel -> parcel card/status shown,
for the citizen portal (anonymous) and, when the demo officer exists, the officers' map.
Targets: first layer <= 1.5 s, card <= 300 ms. Times come from the page's own clock
(performance.now(), window.__gisapp), so they include rendering, not Playwright overhead.

    DATABASE_URL=postgis://postgres@127.0.0.1:PORT/gisapp_frontend \
        .venv/bin/python bench/bench_frontend.py [--runs 5] [--database-url URL ...]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TARGET_FIRST_LAYER_MS = 1500
TARGET_CARD_MS = 300
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-background-networking",
]
CENTER_JS = """([x, y, r]) => new Promise((resolve) => {
  const map = window.__gisapp.map;
  const timer = setTimeout(() => resolve(false), 20000);
  map.once('rendercomplete', () => { clearTimeout(timer); resolve(true); });
  map.getView().setCenter([x, y]); map.getView().setResolution(r); map.render();
})"""


def _bench_db_url(base_url: str) -> str | None:
    """gisapp_bench on the same server, if it exists."""
    import psycopg

    prefix, _, _ = base_url.rpartition("/")
    try:
        with psycopg.connect(
            prefix.replace("postgis://", "postgresql://") + "/postgres", connect_timeout=5
        ) as conn:
            row = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = 'gisapp_bench'"
            ).fetchone()
    except psycopg.Error:
        return None
    return f"{prefix}/gisapp_bench" if row else None


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(q * (len(values) - 1)))]


def _summary(values: list[float]) -> str:
    if not values:
        return "n/a"
    return (
        f"median {statistics.median(values):6.0f} ms  p90 {_pct(values, 0.9):6.0f} ms  "
        f"min {min(values):5.0f}  max {max(values):5.0f}"
    )


def run_one(database_url: str, runs: int) -> dict:
    """Measure against one database (in its own process: settings are read once)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.frontend.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from playwright.sync_api import sync_playwright

    from layers import orthophoto
    from layers.publishing import services
    from layers.publishing.mapfile import mapserver_config
    from tests.frontend.stack import serve

    tmp = Path(tempfile.mkdtemp(prefix="bench-frontend-"))
    ows_dir, run_dir = tmp / "ows", tmp / "run"
    run_dir.mkdir(parents=True)
    settings.OWS_DIR = str(ows_dir)
    services.ensure_ows_role()
    if not orthophoto.demo_orthophoto_path().exists():
        orthophoto.paint_demo_orthophoto(orthophoto.demo_orthophoto_path())
    services.republish_all()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM layers_parcel")
        parcels = cursor.fetchone()[0]
        # parcels to click: house plots spread over the county (point on surface)
        targets = []
        for i in range(runs):
            cursor.execute(
                "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) "
                "FROM layers_parcel WHERE intravilan ORDER BY id OFFSET %s LIMIT 1",
                [(i * 7919 * max(1, parcels // 5000)) % max(1, parcels // 2)],
            )
            targets += cursor.fetchall()
    officer = get_user_model().objects.filter(username="demo.officer").exists()
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1 FROM axes_accessattempt LIMIT 1")
    except Exception:  # login throttling tables missing: officers' map not measurable
        officer = False
    connection.close()

    results: dict = {"database": database_url.rsplit("/", 1)[1], "parcels": parcels}
    with (
        serve(
            database_url=database_url,
            ows_dir=ows_dir,
            run_dir=run_dir,
            config_file=mapserver_config(ows_dir),
        ) as stack,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium"),
            args=CHROMIUM_ARGS,
        )
        pages = [("portal", "/portal/", "#parcel-status [data-testid=parcel-status]")]
        if officer:
            pages.append(("officer", "/harta/", "[data-testid=parcel-card]"))
        for name, path, card_selector in pages:
            context = browser.new_context(viewport={"width": 1280, "height": 800})
            page = context.new_page()
            if name == "officer":
                page.goto(stack.url("/cont/autentificare/?next=/harta/"))
                page.fill("#id_username", "demo.officer")
                page.fill("#id_password", "demo-parola-2024")
                page.click("form.stack-form button[type=submit]")
                page.wait_for_url("**/harta/")
            page.goto(stack.url(path))  # warm-up: assets cached, mapserv and DB warm
            page.wait_for_selector("body[data-map-ready]", state="attached", timeout=30_000)
            first, drawn, cards, walls = [], [], [], []
            for x, y in targets:
                page.goto(stack.url(path))
                page.wait_for_selector("body[data-map-ready]", state="attached", timeout=30_000)
                timing = page.evaluate(
                    "({first: window.__gisapp.firstLayerDrawn, all: window.__gisapp.firstDraw})"
                )
                first.append(timing["first"])
                drawn.append(timing["all"])
                page.evaluate(CENTER_JS, [x, y, 0.25])
                page.evaluate("delete window.__gisapp.cardShown")
                box = page.locator("#map").bounding_box()
                started = page.evaluate("performance.now()")
                page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
                page.wait_for_function("window.__gisapp.cardShown !== undefined")
                page.wait_for_selector(card_selector)
                card = page.evaluate("window.__gisapp.cardShown - window.__gisapp.identifyStart")
                wall = page.evaluate("window.__gisapp.cardShown") - started
                cards.append(card)
                walls.append(wall)
            results[name] = {
                "first_layer_ms": first,
                "all_layers_ms": drawn,
                "card_ms": cards,
                "click_to_card_ms": walls,
            }
            context.close()
        browser.close()
    return results


def report(results: dict) -> None:
    print(f"\n== {results['database']} ({results['parcels']:,} parcels)")
    for name in ("portal", "officer"):
        if name not in results:
            print(f"  {name:8s} not measured (no demo officer / login tables in this database)")
            continue
        r = results[name]
        if not r["first_layer_ms"]:
            print(f"  {name:8s} no parcel to click")
            continue
        ok_first = statistics.median(r["first_layer_ms"]) <= TARGET_FIRST_LAYER_MS
        ok_card = statistics.median(r["click_to_card_ms"]) <= TARGET_CARD_MS
        print(f"  {name}")
        print(
            f"    navigation -> first layer drawn  {_summary(r['first_layer_ms'])}"
            f"  [{'ok' if ok_first else 'OVER'} target {TARGET_FIRST_LAYER_MS} ms]"
        )
        print(f"    navigation -> all layers drawn   {_summary(r['all_layers_ms'])}")
        print(
            f"    click -> card shown              {_summary(r['click_to_card_ms'])}"
            f"  [{'ok' if ok_card else 'OVER'} target {TARGET_CARD_MS} ms]"
        )
        print(f"    (request + render only)          {_summary(r['card_ms'])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", action="append", default=[])
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.runs)))
        return
    urls = args.database_url
    if not urls:
        base = os.environ.get("DATABASE_URL")
        if not base:
            sys.exit("Set DATABASE_URL (the demo county) or pass --database-url")
        urls = [base]
        bench = _bench_db_url(base)
        if bench and bench != base:
            urls.append(bench)
    for url in urls:
        out = subprocess.run(
            [sys.executable, __file__, "--one", url, "--runs", str(args.runs)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
        )
        if out.returncode != 0:
            print(f"\n== {url.rsplit('/', 1)[1]}: failed\n{out.stderr[-3000:]}")
            continue
        report(json.loads(out.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
