"""Dossier benchmark: the full GIS dossier (analysis + MapServer extracts + WeasyPrint PDF)
warm and cold, WeasyPrint alone for the same document, and dossiers per second with two
procrastinate workers.

  cold   a fresh Python process per dossier (Django set-up excluded): first template
         compile, font discovery, mapfile generation, cold caches
  warm   the same process, after one dossier
  pdf    WeasyPrint alone on each warm dossier's own HTML and images, right after it
         (what the PDF step costs)
  queue  two long-running `procrastinate worker` processes (started and warmed up by a
         dossier each, as in production), then N assembly jobs deferred at once and
         timed until the last dossier is stored

Usage:  DATABASE_URL=postgis://postgres@127.0.0.1:PORT/gisapp_permits \\
        .venv/bin/python bench/bench_dossier.py [--warm 10] [--cold 3] [--queue 30]
The database gets the demo county (5,000 parcels) if it has none. Writes dossiers under a
temporary MEDIA_ROOT; leaves the benchmark applications in the database (kind `cu`,
description "bench").
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gisapp.settings")
os.environ.setdefault("GISAPP_VAR_DIR", str(ROOT / "var"))
if "DJANGO_MEDIA_ROOT" not in os.environ:
    os.environ["DJANGO_MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-dossier-")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from layers import demo  # noqa: E402
from layers.models import Parcel  # noqa: E402
from permits.models import Application, AssemblyRun  # noqa: E402
from permits.services import applications as services  # noqa: E402
from permits.services import assembly, documents  # noqa: E402

APPLICANT = {"name": "Bench Solicitant", "email": "bench@example.org"}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    index = (len(ordered) - 1) * q
    low = int(index)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (index - low)


def show(name: str, values: list[float]) -> None:
    print(
        f"{name:<28} n={len(values):<3} p50={pct(values, 0.5) * 1000:8.0f} ms"
        f"  p95={pct(values, 0.95) * 1000:8.0f} ms  max={max(values) * 1000:8.0f} ms"
    )


def parcels(count: int) -> list[Parcel]:
    """Intravilan house plots spread over the county (deterministic)."""
    qs = Parcel.objects.filter(intravilan=True).select_related("uat").order_by("pk")
    total = qs.count()
    step = max(1, total // max(count, 1))
    return list(qs[::step][:count]) if total else []


def registered(parcel: Parcel) -> Application:
    """A registered CU; its assembly run is queued and its job deferred (on commit)."""
    application, _ = services.create_application(
        kind="cu",
        applicant=dict(APPLICANT),
        parcels=[{"uat": parcel.uat.siruta, "cadastral_number": parcel.cadastral_number}],
        purpose="construire",
        description="bench",
        built_area=120,
        floor_area=240,
        height=8,
        levels=2,
    )
    application, _ = services.submit_application(application=application)
    return application


def one_dossier(parcel: Parcel) -> tuple[float, dict]:
    application = registered(parcel)
    run = application.assembly_runs.get(status=AssemblyRun.Status.QUEUED)
    started = time.perf_counter()
    run = assembly.execute_run(run_id=run.pk)
    elapsed = time.perf_counter() - started
    if run.status != AssemblyRun.Status.DONE or run.warnings:
        raise SystemExit(f"assembly incomplete: {run.error or run.warnings}")
    return elapsed, run.timings


def cold_child(parcel_id: int) -> None:
    """Child process: one dossier, prints its time as JSON."""
    elapsed, timings = one_dossier(Parcel.objects.select_related("uat").get(pk=parcel_id))
    print(json.dumps({"elapsed": elapsed, "timings": timings}))


class CapturedDocument:
    """Records the HTML and images the dossier hands to WeasyPrint, so that WeasyPrint
    alone can be timed on exactly that document."""

    def __init__(self):
        self.last: tuple[str, dict] | None = None
        self._original = documents.html_to_pdf

    def __enter__(self) -> CapturedDocument:
        def capture(html, resources=None):
            self.last = (html, resources)
            return self._original(html, resources)

        documents.html_to_pdf = capture
        return self

    def __exit__(self, *exc_info) -> None:
        documents.html_to_pdf = self._original

    def weasyprint_alone(self) -> float:
        html, resources = self.last
        started = time.perf_counter()
        self._original(html, resources)
        return time.perf_counter() - started


def _wait_done(runs: list[int], timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    finished = [AssemblyRun.Status.DONE, AssemblyRun.Status.FAILED]
    while time.monotonic() < deadline:
        if AssemblyRun.objects.filter(pk__in=runs, status__in=finished).count() == len(runs):
            return
        time.sleep(0.05)
    raise SystemExit(f"the workers did not finish {len(runs)} dossiers in {timeout:.0f} s")


def queue_throughput(
    warmup: list[Parcel], targets: list[Parcel], workers: int
) -> tuple[int, float, float, float]:
    """Dossiers per second with `workers` long-running procrastinate workers, as in
    production: the workers are started and have each assembled a dossier (the warm-up
    also gives the start-up time), then N jobs are deferred at once and timed until the
    last run is done."""
    from permits.tasks import assemble_dossier

    warm_runs, runs = [], []
    for parcel in warmup:
        warm_runs.append(registered(parcel).assembly_runs.get(status=AssemblyRun.Status.QUEUED).pk)
    for parcel in targets:
        runs.append(registered(parcel).assembly_runs.get(status=AssemblyRun.Status.QUEUED).pk)
    with connection.cursor() as cursor:  # deferred on registration; re-deferred below
        cursor.execute(
            "DELETE FROM procrastinate_jobs WHERE queue_name = 'permits' AND status = 'todo'"
        )
    command = [sys.executable, str(ROOT / "manage.py"), "procrastinate", "worker"]
    command += ["--queues", "permits", "--concurrency", "1"]
    started = time.perf_counter()
    procs = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(workers)
    ]
    try:
        for run_id in warm_runs:
            assemble_dossier.defer(run_id=run_id)
        _wait_done(warm_runs)
        startup = time.perf_counter() - started
        pids = [proc.pid for proc in procs]
        cpu_before = sum(_cpu(pid) for pid in pids)
        started = time.perf_counter()
        with transaction.atomic():
            for run_id in runs:
                assemble_dossier.defer(run_id=run_id)
        _wait_done(runs)
        elapsed = time.perf_counter() - started
        worker_cpu = sum(_cpu(pid) for pid in pids) - cpu_before
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
    failed = AssemblyRun.objects.filter(pk__in=runs, status=AssemblyRun.Status.FAILED).count()
    return len(runs) - failed, elapsed, startup, worker_cpu / max(len(runs), 1)


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) of a running process, from /proc (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warm", type=int, default=10)
    parser.add_argument("--cold", type=int, default=3)
    parser.add_argument("--queue", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        cold_child(args.child)
        return
    if not demo.county_exists():
        print("generating the demo county (5,000 parcels)...", flush=True)
        demo.generate_county(parcels=5_000)
    from django.apps import apps

    from layers.publishing.services import ensure_ows_role
    from permits import seed

    ensure_ows_role()  # MapServer reads the extracts' layers as the OWS role
    seed.seed(apps)
    print(f"database {connection.settings_dict['NAME']}, media {os.environ['DJANGO_MEDIA_ROOT']}")
    total = args.warm + args.cold + args.queue + 2 * args.workers + 1
    targets = parcels(total)

    cold = []
    for parcel in targets[: args.cold]:
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(parcel.pk)],
            capture_output=True,
            text=True,
            check=True,
        )
        cold.append(json.loads(out.stdout.strip().splitlines()[-1])["elapsed"])
    rest = targets[args.cold :]

    one_dossier(rest[0])  # warm-up
    warm, parts, alone = [], {"analysis": [], "extracts": [], "pdf": []}, []
    with CapturedDocument() as document:
        for parcel in rest[1 : 1 + args.warm]:
            elapsed, timings = one_dossier(parcel)
            warm.append(elapsed)
            for key in parts:
                parts[key].append(timings.get(key, 0.0))
            alone.append(document.weasyprint_alone())  # the same document, right after
    rest = rest[1 + args.warm :]

    show("full dossier, cold", cold)
    show("full dossier, warm", warm)
    for key, values in parts.items():
        show(f"  of which {key}", values)
    show("WeasyPrint alone, same docs", alone)
    ratios = [w / a for w, a in zip(warm, alone, strict=True)]
    print(
        f"full / WeasyPrint alone: p50 {pct(warm, 0.5) / pct(alone, 0.5):.2f}x, "
        f"p95 {pct(warm, 0.95) / pct(alone, 0.95):.2f}x, "
        f"median of per-document ratios {pct(ratios, 0.5):.2f}x"
    )
    if args.queue:
        warmup = rest[: 2 * args.workers]
        count, elapsed, startup, cpu = queue_throughput(
            warmup, rest[2 * args.workers : 2 * args.workers + args.queue], args.workers
        )
        print(
            f"{args.workers} procrastinate workers (started, {len(warmup)} warm-up dossiers "
            f"in {startup:.1f} s): {count} dossiers in {elapsed:.1f} s "
            f"= {count / elapsed:.2f} dossiers/s; worker CPU {cpu * 1000:.0f} ms per dossier, "
            f"load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
