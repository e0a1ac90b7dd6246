"""OGC service benchmark: the public /ows path vs the raw FastCGI pool vs CGI.

Runs nginx + Django (the access check) + a MapServer FastCGI pool on loopback against the
database in DATABASE_URL (the demo county, or the 1,000,000-parcel one), and drives them
with wrk. Every figure is measured in the same run for three paths:
  public  nginx -> auth_request (Django, cached briefly) -> FastCGI pool
  raw     nginx -> FastCGI pool (no access layer)
  cgi     nginx -> fcgiwrap -> one mapserv process per request (the floor)

Usage:  DATABASE_URL=postgis://postgres@127.0.0.1:PORT/gisapp_bench \\
        .venv/bin/python bench/bench_ows.py [--seconds 10] [--workers 2] [--only NAME,...]
        [--instructions N]
Needs the Debian packages wrk and fcgiwrap (and valgrind for --instructions: one more
FastCGI mapserv, under callgrind, counts MapServer's instructions per request of each
kind; a shared machine blurs wall-clock figures, not those).
"""

from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisapp.settings")
os.environ.setdefault("GISAPP_VAR_DIR", str(ROOT / "var"))

import django  # noqa: E402

django.setup()

import requests  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from pyproj import Transformer  # noqa: E402

from layers.publishing import services  # noqa: E402
from layers.publishing.mapfile import mapserver_config  # noqa: E402
from layers.publishing.stack import (  # noqa: E402
    MapServerPool,
    Nginx,
    free_port,
    raw_location,
    wait_for_port,
)

LUA = """
local urls = {}
for line in io.lines(os.getenv("URLS_FILE")) do urls[#urls + 1] = line end
local counter = 0
setup = function(thread) thread:set("offset", math.random(#urls)) end
request = function()
  counter = counter + 1
  return wrk.format("GET", urls[((counter + (offset or 0)) % #urls) + 1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %.2f %.2f %.2f %d\\n", summary.requests,
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def sample_points(n: int, seed: int = 1) -> list[tuple[float, float]]:
    """Points inside random intravilan parcels (where maps are busiest)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM layers_parcel")
        top = cursor.fetchone()[0]
        rng = random.Random(seed)
        ids = [rng.randint(1, top) for _ in range(n * 3)]
        cursor.execute(
            "SELECT ST_X(ST_PointOnSurface(geom)), ST_Y(ST_PointOnSurface(geom)) "
            "FROM layers_parcel WHERE id = ANY(%s) AND intravilan LIMIT %s",
            [ids, n],
        )
        return cursor.fetchall()


def tile_urls(points, zoom: int = 18) -> list[str]:
    to_merc = Transformer.from_crs(3844, 3857, always_xy=True)
    size = 2 * math.pi * 6378137 / 2**zoom
    urls = []
    for x, y in points:
        mx, my = to_merc.transform(x, y)
        tx, ty = math.floor(mx / size), math.floor(my / size)
        bbox = f"{tx * size},{ty * size},{(tx + 1) * size},{(ty + 1) * size}"
        urls.append(
            "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=parcele&STYLES=&CRS=EPSG:3857"
            f"&BBOX={bbox}&WIDTH=256&HEIGHT=256&FORMAT=image/png&TRANSPARENT=TRUE"
        )
    return urls


def map_urls(points, scale: int) -> list[str]:
    # 1024 x 768 px at 96 dpi: metres per pixel = scale * 0.0254 / 96
    half_w = 512 * scale * 0.0254 / 96
    half_h = 384 * scale * 0.0254 / 96
    return [
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&STYLES=&CRS=EPSG:3844"
        "&LAYERS=pug_utr,restrictii,zona_drumului,parcele,drumuri_judetene"
        f"&BBOX={y - half_h},{x - half_w},{y + half_h},{x + half_w}&WIDTH=1024&HEIGHT=768"
        "&FORMAT=image/png"
        for x, y in points
    ]


def gfi_urls(points, info_format: str = "application/json") -> list[str]:
    return [
        "SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS=parcele&QUERY_LAYERS=parcele"
        f"&STYLES=&CRS=EPSG:3844&BBOX={y - 15},{x - 15},{y + 15},{x + 15}&WIDTH=256&HEIGHT=256"
        f"&I=128&J=128&INFO_FORMAT={info_format}"
        for x, y in points
    ]


def wfs_urls(points) -> list[str]:
    # about 1,000 parcels: a square of ~900 m around a point inside a locality
    return [
        "SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=parcele&COUNT=1000"
        f"&BBOX={y - 450},{x - 450},{y + 450},{x + 450},urn:ogc:def:crs:EPSG::3844"
        "&OUTPUTFORMAT=application/json"
        for x, y in points
    ]


CAPS = ["SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities"]


def run_wrk(base: str, path: str, queries: list[str], concurrency: int, seconds: int, tmp: Path):
    urls = tmp / "urls.txt"
    urls.write_text("".join(f"{path}?{q}\n" for q in queries))
    script = tmp / "bench.lua"
    script.write_text(LUA)
    out = subprocess.run(
        [
            "wrk",
            "-t",
            str(concurrency),
            "-c",
            str(concurrency),
            "-d",
            f"{seconds}s",
            "--timeout",
            "30s",
            "-s",
            str(script),
            base,
        ],
        env={**os.environ, "URLS_FILE": str(urls)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT"))
    _, count, rps, p50, p95, errors = line.split()
    return {
        "requests": int(count),
        "rps": float(rps),
        "p50": float(p50),
        "p95": float(p95),
        "errors": int(errors),
    }


class CallgrindMapserv:
    """One FastCGI mapserv under valgrind's callgrind: MapServer's own instructions per
    request, which a shared, busy machine does not blur the way it blurs wall-clock time."""

    def __init__(self, port: int, config: Path, tmp: Path):
        self.out = tmp / "callgrind"
        self.out.mkdir()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(16)
        self.sock.set_inheritable(True)
        self.proc = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={self.out}/cg.%p",
                settings.MAPSERV_BIN,
            ],
            stdin=self.sock.fileno(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "MAPSERVER_CONFIG_FILE": str(config),
                "PROJ_DATA": str(config.parent / "proj"),
                "PROJ_LIB": str(config.parent / "proj"),
            },
            start_new_session=True,
        )

    def _control(self, flag: str) -> None:
        subprocess.run(["callgrind_control", flag, str(self.proc.pid)], capture_output=True)

    def per_request(self, base: str, path: str, queries: list[str], count: int) -> float:
        """Millions of instructions per request, over `count` requests after a warm-up."""
        for query in queries[:3]:  # connections, caches
            requests.get(f"{base}{path}?{query}", timeout=300)
        self._control("-z")
        for i in range(count):
            requests.get(f"{base}{path}?{queries[i % len(queries)]}", timeout=300)
        self._control("-d")
        time.sleep(0.5)
        dump = max(self.out.glob("cg.*"), key=lambda p: p.stat().st_mtime)
        for line in dump.read_text(errors="replace").splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split()[1]) / count / 1e6
        raise RuntimeError(f"no totals in {dump}")

    def stop(self) -> None:
        os.killpg(self.proc.pid, 9)
        self.proc.wait()
        self.sock.close()


def sanity(base: str, path: str, query: str, expect: str) -> None:
    response = requests.get(f"{base}{path}?{query}", timeout=60)
    kind = response.headers.get("Content-Type", "")
    if not kind.startswith(expect):
        raise SystemExit(f"{path} answered {kind}: {response.text[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", default="", help="comma-separated request names to run")
    parser.add_argument(
        "--instructions",
        type=int,
        default=0,
        metavar="N",
        help="also count MapServer's instructions per request (callgrind, N requests a kind)",
    )
    args = parser.parse_args()
    if args.instructions and not shutil.which("callgrind_control"):
        raise SystemExit("--instructions needs valgrind: apt-get install valgrind")
    for tool in ("wrk", "fcgiwrap", "nginx"):
        if not (shutil.which(tool) or Path(f"/usr/sbin/{tool}").exists()):
            raise SystemExit(f"{tool} is needed: apt-get install {tool}")

    tmp = Path(tempfile.mkdtemp(prefix="bench-ows-"))
    ows_dir = tmp / "ows"
    settings.OWS_DIR = str(ows_dir)
    services.ensure_ows_role()
    public_map = services.publish(services.public_layers(), "public")
    config = mapserver_config(ows_dir)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM layers_parcel")
        parcels = cursor.fetchone()[0]

    listen, django_port, fcgi, cgi = free_port(), free_port(), free_port(), free_port()
    base = f"http://127.0.0.1:{listen}"
    pool = MapServerPool(port=fcgi, workers=args.workers, config_file=config).start()
    fcgiwrap = subprocess.Popen(
        ["/usr/sbin/fcgiwrap", "-c", str(args.workers), "-s", f"tcp:127.0.0.1:{cgi}"],
        start_new_session=True,
    )
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:"
        f"{db['PORT']}/{db['NAME']}",
        "OWS_DIR": str(ows_dir),
        "DJANGO_DEBUG": "false",
        "DJANGO_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
    }
    django_proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "runserver",
            f"127.0.0.1:{django_port}",
            "--noreload",
            "--skip-checks",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    cgi_extra = (
        "\n            fastcgi_param SCRIPT_FILENAME /usr/bin/mapserv;"
        f"\n            fastcgi_param MAPSERVER_CONFIG_FILE {config};"
        f"\n            fastcgi_param PROJ_DATA {ows_dir / 'proj'};"
    )
    extra = raw_location("/ows-raw", public_map) + raw_location(
        "/ows-cgi", public_map, fcgi=f"127.0.0.1:{cgi}", extra=cgi_extra
    )
    callgrind = None
    if args.instructions:
        callgrind_port = free_port()
        callgrind = CallgrindMapserv(callgrind_port, config, tmp)
        extra += raw_location("/ows-callgrind", public_map, fcgi=f"127.0.0.1:{callgrind_port}")
    nginx = Nginx(
        run_dir=tmp / "run",
        listen_port=listen,
        django_port=django_port,
        fcgi_port=fcgi,
        workers=1,
        extra_locations=extra,
    )
    try:
        wait_for_port(django_port, 60)
        wait_for_port(cgi, 20)
        nginx.start()
        points = sample_points(200)
        suites = [
            ("tiles 256x256", tile_urls(points), "image/png", (1, 4)),
            ("map 1:500", map_urls(points, 500), "image/png", (1, 4)),
            ("map 1:2000", map_urls(points, 2000), "image/png", (1, 4)),
            ("map 1:10000", map_urls(points, 10000), "image/png", (1, 4)),
            ("GetCapabilities", CAPS, "text/xml", (1,)),
            ("GetFeatureInfo", gfi_urls(points), "application/json", (1,)),
            ("GetFeatureInfo HTML", gfi_urls(points, "text/html"), "text/html", (1,)),
            ("WFS 1000 GeoJSON", wfs_urls(points[:40]), "application/json", (1,)),
        ]
        print(f"# {parcels} parcels, {args.workers} MapServer workers, {args.seconds} s a run")
        print(
            f"{'request':18} {'conc':>4} | {'path':6} {'req/s':>8} {'p50 ms':>8} "
            f"{'p95 ms':>8} {'errors':>6} | public/raw"
        )
        wanted = {w.strip().lower() for w in args.only.split(",") if w.strip()}
        for name, queries, expect, levels in suites:
            if wanted and not any(w in name.lower() for w in wanted):
                continue
            for path in ("/ows", "/ows-raw", "/ows-cgi"):
                sanity(base, path, queries[0], expect)
            for concurrency in levels:
                results = {}
                for label, path in (("public", "/ows"), ("raw", "/ows-raw"), ("cgi", "/ows-cgi")):
                    seconds = args.seconds if label != "cgi" else max(3, args.seconds // 2)
                    results[label] = run_wrk(base, path, queries, concurrency, seconds, tmp)
                ratio = results["public"]["rps"] / results["raw"]["rps"]
                for label, r in results.items():
                    print(
                        f"{name:18} {concurrency:>4} | {label:6} {r['rps']:8.1f} "
                        f"{r['p50']:8.1f} {r['p95']:8.1f} {r['errors']:6d} |"
                        + (f" {ratio:.2f}" if label == "public" else "")
                    )
                time.sleep(0.5)
            if callgrind is not None:
                millions = callgrind.per_request(base, "/ows-callgrind", queries, args.instructions)
                print(f"{name:18}      | MapServer {millions:.2f} M instructions per request")
    finally:
        if callgrind is not None:
            callgrind.stop()
        nginx.stop()
        os.killpg(django_proc.pid, 9)
        os.killpg(fcgiwrap.pid, 9)  # fcgiwrap -c N forks children
        pool.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
