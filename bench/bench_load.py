"""Load test of the production-like stack with a mixed workload (locust, loopback only).

Starts `manage.py runstack --production` (gunicorn, the job worker, the MapServer FastCGI
pool, nginx) on the database in DATABASE_URL (the 1,000,000-parcel county, gisapp_bench)
and runs, for --duration seconds with --users concurrent users:
  citizen   parcel status lookups (GET /api/map/parcels/<siruta>/<number>/)
  officer   map tiles: WMS GetMap 256x256 PNG at 1:500 .. 1:50 000, with the session of an
            officer (restricted layers included)
  qgis      WFS 2.0 GetFeature paging (COUNT/STARTINDEX) over a BBOX, as QGIS does
  dossier   an officer asks for a fresh GIS dossier (POST .../reassemble/) and waits until
            the worker has stored it (a small share of the users)
and prints throughput, p50/p95 per request kind, error rate and the load average, then
where the time went: CPU per stack component (gunicorn, job worker with its OCR
children, mapserv, nginx, PostgreSQL backends of this database, locust, the rest of the
machine) and, from nginx's and gunicorn's access logs, per request kind the time as nginx
saw it, the upstream's share (its queue included) and gunicorn's own handling time.

Usage:  .venv/bin/pip install -e '.[bench]'   # locust
        DATABASE_URL=postgis://postgres@127.0.0.1:PORT/gisapp_bench \\
        .venv/bin/python bench/bench_load.py [--duration 300] [--users 50] \\
            [--web-workers N] [--threads N] [--mapserver-workers N]  # default: production's

It writes to that database only a citizen account (bench.cetatean) and a few permit
applications filed by it for the dossier share, and never changes parcels. The database
must be migrated to the current code (a copy made with CREATE DATABASE ... TEMPLATE
gisapp_bench and migrated leaves the shared one alone).
"""

from __future__ import annotations

try:
    from gevent import monkey
except ImportError:  # pragma: no cover
    raise SystemExit("Needs locust: .venv/bin/pip install -e '.[bench]'") from None

monkey.patch_all()  # before anything imports ssl or socket (locust runs on gevent)

import argparse  # noqa: E402
import contextlib  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import psutil  # noqa: E402
import psycopg  # noqa: E402
import requests  # noqa: E402
from locust import HttpUser, between, task  # noqa: E402
from locust.env import Environment  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"parcel lookup": 100.0, "WMS tile": 150.0}  # p95 targets in ms
SCALES = (500, 1000, 2000, 5000, 10_000, 25_000, 50_000)
TILE_LAYERS = "ortofoto,intravilan,pug_utr,parcele,cladiri,drumuri_judetene"
OFFICER = ("demo.officer", "demo-parola-2024")
DPI_M = 0.0254 / 96  # metres per pixel at 1:1 (OGC 0.28 mm would do as well)


def minimal_pdf() -> bytes:
    """A one-page PDF the attachment checks accept (the tests' own fixture)."""
    sys.path.insert(0, str(ROOT))
    from tests.permits.files import pdf

    return pdf()


class Sample:
    """Parcels (by reference and position) drawn once from the database."""

    parcels: list[tuple[int, str, float, float]] = []
    applications: list[str] = []
    logged_in = 0  # officers whose login (on_start) is done


def _db_url(url: str) -> str:
    return url.replace("postgis://", "postgresql://", 1)


def sample_parcels(database_url: str, count: int) -> list[tuple[int, str, float, float]]:
    with psycopg.connect(_db_url(database_url)) as conn:
        rows = conn.execute(
            "SELECT u.siruta, p.cadastral_number, ST_X(c), ST_Y(c) FROM ("
            "  SELECT uat_id, cadastral_number, ST_PointOnSurface(geom) AS c"
            "  FROM layers_parcel TABLESAMPLE SYSTEM (1) LIMIT %s) p"
            " JOIN layers_uat u ON u.id = p.uat_id",
            [count],
        ).fetchall()
    return [(int(s), str(n), float(x), float(y)) for s, n, x, y in rows]


def _login(session, base: str) -> str:
    """Officer session through the admin login form; returns the CSRF token."""
    page = session.get(f"{base}/admin/login/", name="login")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    session.post(
        f"{base}/admin/login/",
        data={
            "username": OFFICER[0],
            "password": OFFICER[1],
            "csrfmiddlewaretoken": token,
            "next": "/admin/",
        },
        headers={"Referer": f"{base}/admin/login/"},
        name="login",
    )
    return session.cookies.get("csrftoken", token)


class Citizen(HttpUser):
    weight = 20
    wait_time = between(0.5, 2.0)

    @task
    def parcel_status(self) -> None:
        siruta, number, _, _ = random.choice(Sample.parcels)
        self.client.get(f"/api/map/parcels/{siruta}/{number}/", name="parcel lookup")


class Officer(HttpUser):
    weight = 20
    wait_time = between(0.5, 2.0)

    def on_start(self) -> None:
        _login(self.client, self.host)
        Sample.logged_in += 1

    @task
    def tile(self) -> None:
        _, _, x, y = random.choice(Sample.parcels)
        half = 256 * random.choice(SCALES) * DPI_M / 2
        # WMS 1.3.0 in EPSG:3844: northing first
        bbox = f"{y - half},{x - half},{y + half},{x + half}"
        with self.client.get(
            "/ows",
            params={
                "SERVICE": "WMS",
                "VERSION": "1.3.0",
                "REQUEST": "GetMap",
                "LAYERS": TILE_LAYERS,
                "STYLES": "",
                "CRS": "EPSG:3844",
                "BBOX": bbox,
                "WIDTH": 256,
                "HEIGHT": 256,
                "FORMAT": "image/png",
                "TRANSPARENT": "TRUE",
            },
            name="WMS tile",
            catch_response=True,
        ) as response:
            if response.headers.get("Content-Type") != "image/png":
                response.failure(response.text[:600])


class Qgis(HttpUser):
    weight = 8
    wait_time = between(0.5, 2.0)

    @task
    def page_through(self) -> None:
        _, _, x, y = random.choice(Sample.parcels)
        half = 300.0
        for page in range(3):
            with self.client.get(
                "/ows",
                params={
                    "SERVICE": "WFS",
                    "VERSION": "2.0.0",
                    "REQUEST": "GetFeature",
                    "TYPENAMES": "parcele",
                    "BBOX": f"{y - half},{x - half},{y + half},{x + half},"
                    "urn:ogc:def:crs:EPSG::3844",
                    "COUNT": 100,
                    "STARTINDEX": 100 * page,
                },
                name="WFS page",
                catch_response=True,
            ) as response:
                if "FeatureCollection" not in response.text[:2000]:
                    response.failure(response.text[:600])


class DossierOfficer(HttpUser):
    weight = 2
    wait_time = between(5, 15)

    def on_start(self) -> None:
        self.csrf = _login(self.client, self.host)
        Sample.logged_in += 1

    @task
    def dossier(self) -> None:
        public_id = random.choice(Sample.applications)
        url = f"/api/permits/applications/{public_id}/"
        started = time.perf_counter()
        asked = self.client.post(
            f"{url}reassemble/",
            headers={"X-CSRFToken": self.csrf, "Referer": self.host + "/"},
            name="dossier request",
        )
        if asked.status_code != 202:
            return
        while time.perf_counter() - started < 300:
            gevent.sleep(1)
            state = self.client.get(url, name="dossier poll").json()["assembly"]
            if state["status"] in ("done", "failed"):
                self.environment.events.request.fire(
                    request_type="JOB",
                    name="dossier (queued to stored)",
                    response_time=(time.perf_counter() - started) * 1000,
                    response_length=0,
                    exception=None if state["status"] == "done" else Exception(state["error"]),
                    context={},
                )
                return


CITIZEN = ("bench.cetatean", "bench-parola-lunga-2024")


def ensure_citizen(database_url: str) -> None:
    """A citizen account for filing the bench applications (an account needs no e-mail
    verification code)."""
    code = (
        "from django.contrib.auth import get_user_model; U = get_user_model(); "
        f"u, _ = U.objects.get_or_create(username={CITIZEN[0]!r}); "
        f"u.set_password({CITIZEN[1]!r}); u.save()"
    )
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", code],
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
    )


def make_applications(base: str, count: int) -> list[str]:
    """A few registered CU applications filed by a citizen through the API (the worker
    makes their first dossier at once)."""
    session = requests.Session()
    page = session.get(f"{base}/cont/autentificare/", timeout=60)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    session.post(
        f"{base}/cont/autentificare/",
        data={"username": CITIZEN[0], "password": CITIZEN[1], "csrfmiddlewaretoken": token},
        headers={"Referer": f"{base}/cont/autentificare/"},
        timeout=60,
    )
    headers = {"X-CSRFToken": session.cookies["csrftoken"], "Referer": f"{base}/"}
    ids, document_pdf = [], minimal_pdf()
    for siruta, number, _, _ in Sample.parcels[:count]:
        created = session.post(
            f"{base}/api/permits/applications/",
            json={
                "kind": "cu",
                "purpose": "construire",
                "description": "Bench",
                "applicant": {"kind": "pf", "name": "Bench Load", "email": "bench@example.org"},
                "parcels": [{"uat": siruta, "cadastral_number": number}],
            },
            headers=headers,
            timeout=60,
        )
        if created.status_code != 201:
            raise SystemExit(f"could not file a bench application: {created.text[:300]}")
        app_id = created.json()["id"]
        url = f"{base}/api/permits/applications/{app_id}/"
        for document in session.get(url, timeout=60).json()["missing_documents"]:
            attached = session.post(  # online filing needs the kind's mandatory documents
                f"{url}attachments/",
                data={"document": document["code"]},
                files={"file": (f"{document['code']}.pdf", document_pdf, "application/pdf")},
                headers=headers,
                timeout=60,
            )
            if attached.status_code != 201:
                raise SystemExit(f"could not attach a document: {attached.text[:300]}")
        submitted = session.post(
            f"{base}/api/permits/applications/{app_id}/submit/", headers=headers, timeout=60
        )
        if submitted.status_code != 200:
            raise SystemExit(f"could not submit a bench application: {submitted.text[:300]}")
        ids.append(app_id)
    return ids


def start_stack(database_url: str, port: int, run_dir: Path, sizes: dict) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_HSTS_SECONDS": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "OWS_DIR": str(run_dir / "ows"),
        "GISAPP_VAR_DIR": str(run_dir / "var"),
        "DJANGO_STATIC_ROOT": str(run_dir / "static"),
        "DJANGO_MEDIA_ROOT": str(run_dir / "media"),
        "API_ANON_RATE": "1000000/minute",
        "API_USER_RATE": "1000000/minute",
    }
    # Sizes: the production defaults unless asked for (the caller's environment counts too).
    env.update({name: str(value) for name, value in sizes.items() if value is not None})
    (run_dir / "var").mkdir()
    # The orthophoto lives in the project's var/ (the rest of var/ stays private to the run).
    orthophoto = ROOT / "var" / "ortofoto"
    if orthophoto.exists():
        (run_dir / "var" / "ortofoto").symlink_to(orthophoto)
    subprocess.run(  # as `./stack prod` does: the OWS role's grants and the mapfiles
        [sys.executable, str(ROOT / "manage.py"), "publish_ows"],
        env=env,
        check=True,
        capture_output=True,
    )
    return subprocess.Popen(
        [
            *[sys.executable, str(ROOT / "manage.py"), "runstack", "--production"],
            *["--port", str(port), "--access-log"],
        ],
        env=env,
        stdout=(run_dir / "stack.log").open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_healthy(base: str, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/healthz/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(1)
    raise SystemExit("the stack did not become healthy")


# --- where the time went ---------------------------------------------------------------


def _component(proc: psutil.Process) -> str:
    try:
        cmdline = " ".join(proc.cmdline())
    except psutil.Error:
        return "other"
    for needle, name in (
        ("gunicorn", "gunicorn"),
        ("procrastinate", "job worker"),
        ("mapserv", "mapserv"),
        ("nginx", "nginx"),
        ("runstack", "runstack"),
    ):
        if needle in cmdline:
            return name
    return "other"


def _cpu(proc: psutil.Process) -> float:
    """CPU seconds of a process and of its children it has reaped (a recycled gunicorn
    worker, a finished ocrmypdf)."""
    times = proc.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


class CpuMeter:
    """CPU seconds per stack component between two snapshots. PostgreSQL: the backends
    connected to the bench database (a backend that exits in between is not counted)."""

    def __init__(self, stack_pid: int, database_url: str):
        self.stack = psutil.Process(stack_pid)
        self.database_url = database_url
        self.database = database_url.rsplit("/", 1)[1].split("?")[0]

    def _backends(self) -> list[int]:
        with psycopg.connect(_db_url(self.database_url)) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                [self.database],
            ).fetchall()
        return [pid for (pid,) in rows]

    def snapshot(self) -> tuple[dict[tuple[str, int], float], float, float]:
        per_process: dict[tuple[str, int], float] = {}
        for proc in [self.stack, *self.stack.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):
                per_process[(_component(proc), proc.pid)] = _cpu(proc)
        for pid in self._backends():
            with contextlib.suppress(psutil.Error):
                per_process[("postgres", pid)] = _cpu(psutil.Process(pid))
        per_process[("locust", os.getpid())] = _cpu(psutil.Process())
        machine = psutil.cpu_times()
        busy = sum(machine) - machine.idle - getattr(machine, "iowait", 0.0)
        return per_process, busy, time.monotonic()

    def describe(self, threads: int | str | None) -> str:
        """The stack as it runs: processes per component and their niceness."""
        found: dict[str, list[int]] = {}
        for proc in self.stack.children(recursive=True):
            with contextlib.suppress(psutil.Error):
                found.setdefault(_component(proc), []).append(proc.nice())
        web = max(0, len(found.get("gunicorn", [])) - 1)  # minus the master
        return (
            f"stack: gunicorn {web} x {threads or 'the default'} threads, "
            f"{len(found.get('mapserv', []))} mapserv, job worker nice "
            f"{max(found.get('job worker', [0]))}, nginx {len(found.get('nginx', []))} processes"
        )

    @staticmethod
    def report(before, after) -> None:
        (first, busy0, t0), (last, busy1, t1) = before, after
        seconds = t1 - t0
        used: dict[str, float] = {}
        for key, value in last.items():
            used[key[0]] = used.get(key[0], 0.0) + value - first.get(key, 0.0)
        ours = sum(used.values())
        used["rest of the machine"] = max(0.0, busy1 - busy0 - ours)
        print(
            f"CPU in cores (CPU seconds per second; {os.cpu_count()} cores, busy "
            f"{(busy1 - busy0) / seconds:.2f}):"
        )
        print(
            "  "
            + ", ".join(
                f"{k} {v / seconds:.2f}" for k, v in sorted(used.items(), key=lambda kv: -kv[1])
            )
        )


def _kind(method: str, path: str) -> str | None:
    if path.startswith("/api/map/parcels/"):
        return "parcel lookup"
    if path.startswith("/ows") and "REQUEST=GetMap" in path:
        return "WMS tile"
    if path.startswith("/ows") and "REQUEST=GetFeature" in path:
        return "WFS page"
    if path.startswith("/ows-auth/"):
        return "ows auth (gunicorn)"
    if path.startswith("/api/permits/applications/"):
        return "dossier request" if method == "POST" else "dossier poll"
    return None


_NGINX_LINE = re.compile(r'"(\w+) (\S+) [^"]*" (\d{3}) \d+ rt=([\d.]+) urt=([\d.,: -]+|-) ')
_GUNICORN_LINE = re.compile(r'"(\w+) (\S+) [^"]*" \d{3} .* rt=([\d.]+)$')


def _tail(path: Path, offset: int) -> list[str]:
    if not path.exists():
        return []
    with path.open("rb") as log:
        log.seek(offset)
        return log.read().decode("utf-8", "replace").splitlines()


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000 if values else float("nan")


def server_breakdown(nginx_lines: list[str], gunicorn_lines: list[str]) -> None:
    """p50/p95 per request kind of nginx's request time, the upstream's response time
    (gunicorn or mapserv, their queue included) and gunicorn's own time (from the moment a
    thread took the request)."""
    times: dict[str, dict[str, list[float]]] = {}
    for line in nginx_lines:
        match = _NGINX_LINE.search(line)
        if not match or not (kind := _kind(match.group(1), match.group(2))):
            continue
        entry = times.setdefault(kind, {"nginx": [], "upstream": [], "gunicorn": []})
        entry["nginx"].append(float(match.group(4)))
        # several upstream answers ("0.004, 0.012": a retry, an internal redirect): the sum
        upstream = [float(v) for v in re.split(r"[,:] ?", match.group(5)) if v.strip(" -")]
        if upstream:
            entry["upstream"].append(sum(upstream))
    for line in gunicorn_lines:
        match = _GUNICORN_LINE.search(line)
        if not match or not (kind := _kind(match.group(1), match.group(2))):
            continue
        entry = times.setdefault(kind, {"nginx": [], "upstream": [], "gunicorn": []})
        entry["gunicorn"].append(float(match.group(3)))
    print("server side, ms (p50 / p95): nginx request time | upstream (queue incl.) | gunicorn")
    for kind, entry in sorted(times.items()):
        cells = [
            f"{_pct(entry[k], 0.5):6.0f} / {_pct(entry[k], 0.95):6.0f}" if entry[k] else " " * 15
            for k in ("nginx", "upstream", "gunicorn")
        ]
        print(f"  {kind:22} {cells[0]} | {cells[1]} | {cells[2]}")


def report(env: Environment, seconds: float, load: tuple[float, float, float], users: int) -> bool:
    stats = env.stats
    print(
        f"\n{seconds:.0f} s, {users} users; load average at the end "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (1/5/15 min), {os.cpu_count()} CPUs"
    )
    print(
        f"{'kind':28} {'requests':>9} {'req/s':>7} {'errors':>7} {'p50 ms':>7} {'p95 ms':>7}"
        f" {'p99 ms':>7}"
    )
    ok = True
    for name in sorted(stats.entries, key=lambda k: k[0]):
        entry = stats.entries[name]
        if entry.num_requests == 0:
            continue
        p50 = entry.get_response_time_percentile(0.5)
        p95 = entry.get_response_time_percentile(0.95)
        p99 = entry.get_response_time_percentile(0.99)
        print(
            f"{name[0]:28} {entry.num_requests:9d} {entry.num_requests / seconds:7.1f} "
            f"{entry.num_failures:7d} {p50:7.0f} {p95:7.0f} {p99:7.0f}"
        )
        target = TARGETS.get(name[0])
        if target is not None and p95 > target:
            ok = False
    total = stats.total
    rate = total.num_failures / total.num_requests if total.num_requests else 0
    print(
        f"{'all':28} {total.num_requests:9d} {total.num_requests / seconds:7.1f} "
        f"{total.num_failures:7d}   error rate {rate:.4%}"
    )
    for error in stats.errors.values():
        print(f"  error x{error.occurrences}: {error.name}: {str(error.error)[:600]}")
    print("targets (p95 ms): " + ", ".join(f"{k} <= {v:.0f}" for k, v in TARGETS.items()))
    return ok and total.num_failures == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10, help="users started per s")
    parser.add_argument("--web-workers", type=int, default=None, help="gunicorn processes")
    parser.add_argument("--threads", type=int, default=None, help="per gunicorn process")
    parser.add_argument("--mapserver-workers", type=int, default=None, help="mapserv processes")
    parser.add_argument("--applications", type=int, default=4, help="for the dossier share")
    parser.add_argument("--sample", type=int, default=5000, help="parcels drawn")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        raise SystemExit("Set DATABASE_URL to the database of the 1,000,000-parcel county.")
    Sample.parcels = sample_parcels(database_url, args.sample)
    ensure_citizen(database_url)
    run_dir = Path(tempfile.mkdtemp(prefix="gisapp-load-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    sizes = {
        "WEB_CONCURRENCY": args.web_workers,
        "GUNICORN_THREADS": args.threads,
        "MAPSERVER_WORKERS": args.mapserver_workers,
    }
    stack = start_stack(database_url, port, run_dir, sizes)
    nginx_log = run_dir / "var" / "run" / "nginx-access.log"
    stack_log = run_dir / "stack.log"
    try:
        wait_healthy(base)
        Sample.applications = make_applications(base, args.applications)
        env = Environment(user_classes=[Citizen, Officer, Qgis, DossierOfficer], host=base)
        runner = env.create_local_runner()
        runner.start(args.users, spawn_rate=args.spawn_rate)
        gevent.sleep(args.users / args.spawn_rate)  # ramp-up, not measured
        # ... nor the officers' logins (a password hash each, seconds of CPU together)
        counts = runner.user_classes_count
        officers = counts.get("Officer", 0) + counts.get("DossierOfficer", 0)
        deadline = time.monotonic() + 300
        while Sample.logged_in < officers and time.monotonic() < deadline:
            gevent.sleep(0.5)
        gevent.sleep(2)
        meter = CpuMeter(stack.pid, database_url)
        env.stats.reset_all()
        offsets = _size(nginx_log), _size(stack_log)
        cpu_before = meter.snapshot()
        started = time.monotonic()
        gevent.sleep(args.duration)
        elapsed = time.monotonic() - started
        cpu_after = meter.snapshot()
        load = os.getloadavg()
        users = runner.user_count
        runner.quit()
        ok = report(env, elapsed, load, users)
        print(meter.describe(args.threads or os.environ.get("GUNICORN_THREADS")))
        CpuMeter.report(cpu_before, cpu_after)
        server_breakdown(_tail(nginx_log, offsets[0]), _tail(stack_log, offsets[1]))
        print("targets met" if ok else "targets NOT met")
        print(f"stack log: {run_dir / 'stack.log'}")
    finally:
        os.killpg(stack.pid, signal.SIGTERM)
        try:
            stack.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)


if __name__ == "__main__":
    main()
