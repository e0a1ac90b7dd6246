"""Faults while a dossier is made: the job worker killed with SIGKILL in the middle of the
job (at two chosen points, and at moments spread over the whole job), and a disk that
fills up while the PDF is written. Neither may leave a half-written
PDF or a dossier row without its file, and the job can be run again to success.

The worker is a real `manage.py procrastinate worker` process on the test database. The
test stops it at a chosen point by holding a lock it needs, then kills it there.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection, transaction

from layers.models import Parcel
from permits import seed, tasks
from permits.models import Application, AssemblyRun, Dossier
from permits.services import applications as services
from permits.services.assembly import request_assembly

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgis://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _registered(parcel: Parcel) -> Application:
    application, _ = services.create_application(
        kind="cu",
        applicant={"kind": "pf", "name": "Solicitant Dosar"},
        parcels=[{"uat": parcel.uat.siruta, "cadastral_number": parcel.cadastral_number}],
        purpose="construire",
        description="Locuință P+1",
    )
    return services.submit_application(application=application)[0]


def _dossier_files(application: Application, media: Path) -> list[str]:
    folder = media / "permits" / str(application.public_id) / "dosare"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


def _job_status(run_id: int) -> str | None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT status FROM procrastinate_jobs WHERE task_name = %s "
            "AND (args->>'run_id')::int = %s ORDER BY id DESC LIMIT 1",
            [tasks.TASK_NAME, run_id],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _waiting_backend(query_like: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' AND query LIKE %s",
            [query_like],
        )
        row = cursor.fetchone()
    return row[0] if row else None


class Worker:
    """`manage.py procrastinate worker` for the permits queue, on the test database."""

    def __init__(self, tmp_path: Path, media: Path):
        env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "DJANGO_MEDIA_ROOT": str(media),
            "OWS_DIR": str(tmp_path / "ows"),
        }
        self.log = (tmp_path / f"worker-{time.monotonic_ns()}.log").open("w")
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), "procrastinate", "worker", "-q", "permits"],
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


# Where the worker is stopped: holding the application row (the worker stops at its
# first write that needs it: nothing is stored yet), or holding the dossier table (the
# PDF file is complete and its row is being inserted).
KILL_POINTS = {
    "before-store": (
        "SELECT 1 FROM permits_application WHERE id = %s FOR UPDATE",
        "%permits_application%",
    ),
    "file-written": ("LOCK TABLE permits_dossier IN SHARE MODE", '%INSERT INTO "permits_dossier"%'),
}


@pytest.mark.django_db(transaction=True, available_apps=["registratura", "permits"])
@pytest.mark.parametrize("point", sorted(KILL_POINTS))
def test_worker_killed_during_a_dossier_leaves_nothing_and_the_job_reruns(
    point, tmp_path, settings
):
    seed.seed(apps)
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    parcel = Parcel.objects.filter(intravilan=True).select_related("uat").order_by("pk").first()
    application = _registered(parcel)  # queues the assembly: run + procrastinate job
    run = application.assembly_runs.get()
    assert _job_status(run.pk) == "todo"
    lock_sql, waiting_query = KILL_POINTS[point]
    worker = Worker(tmp_path, media)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(lock_sql, [application.pk] if "%s" in lock_sql else None)
            _wait_for(lambda: _waiting_backend(waiting_query), 300, f"the worker at {point}")
            worker.kill()
        # The job died with its worker: the run is stuck, nothing was stored.
        run.refresh_from_db()
        assert run.status == AssemblyRun.Status.RUNNING
        assert _job_status(run.pk) == "doing"
        assert not Dossier.objects.filter(application=application).exists()
        files = _dossier_files(application, media)
        assert not [f for f in files if f.endswith(".part")]  # no half-written file
        if point == "before-store":
            assert files == []
        else:
            assert files == ["dosar-v1.pdf"]  # complete, but no row names it: an orphan

        # Recovery (the periodic task): the run goes back to the queue, the orphan away.
        assert tasks.retry_stalled_assemblies(seconds_since_heartbeat=0, orphans_older_than=0) == [
            run.pk
        ]
        run.refresh_from_db()
        assert run.status == AssemblyRun.Status.QUEUED and _job_status(run.pk) == "todo"
        assert _dossier_files(application, media) == []
    finally:
        worker.stop()
    worker = Worker(tmp_path, media)
    try:
        _wait_for(
            lambda: (
                AssemblyRun.objects.get(pk=run.pk).status
                in (AssemblyRun.Status.DONE, AssemblyRun.Status.FAILED)
            ),
            300,
            "the re-run",
        )
    finally:
        worker.stop()
    run.refresh_from_db()
    assert run.status == AssemblyRun.Status.DONE, run.error
    dossier = Dossier.objects.get(application=application)
    assert dossier.version == 1 and dossier.run_id == run.pk
    data = (media / dossier.file.name).read_bytes()
    assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == dossier.sha256
    assert _dossier_files(application, media) == ["dosar-v1.pdf"]
    _wait_for(lambda: _job_status(run.pk) == "succeeded", 30, "the job's success")
    with connection.cursor() as cursor:  # procrastinate's tables are not flushed by Django
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queue_name = 'permits'")
    seed.seed(apps)  # for the tests after this one in the worker


# Moments after the job starts (fractions of a measured dossier run) at which the worker
# is killed: during the analysis, the map extracts, WeasyPrint's layout or the PDF write,
# or after the commit. Wherever it falls, what is stored must be whole or nothing.
KILL_FRACTIONS = (0.05, 0.3, 0.55, 0.8, 1.1)


@pytest.mark.django_db(transaction=True, available_apps=["registratura", "permits"])
def test_worker_killed_at_any_moment_of_a_dossier_leaves_whole_or_nothing(tmp_path, settings):
    seed.seed(apps)
    media = tmp_path / "media"
    settings.MEDIA_ROOT = str(media)
    parcels = list(Parcel.objects.filter(intravilan=True).select_related("uat").order_by("pk")[:6])

    def started(run_id: int) -> float:
        _wait_for(
            lambda: AssemblyRun.objects.get(pk=run_id).status != AssemblyRun.Status.QUEUED,
            300,
            "the worker to take the job",
        )
        return time.monotonic()

    # one dossier run to the end: how long a job takes on this machine now
    first = _registered(parcels[0])
    worker = Worker(tmp_path, media)
    try:
        run = first.assembly_runs.get()
        t0 = started(run.pk)
        _wait_for(
            lambda: AssemblyRun.objects.get(pk=run.pk).status == AssemblyRun.Status.DONE,
            300,
            "the first dossier",
        )
        duration = time.monotonic() - t0
    finally:
        worker.stop()

    killed = []
    for parcel, fraction in zip(parcels[1:], KILL_FRACTIONS, strict=True):
        application = _registered(parcel)
        run = application.assembly_runs.get()
        worker = Worker(tmp_path, media)
        try:
            t0 = started(run.pk)
            time.sleep(max(0.0, t0 + fraction * duration - time.monotonic()))
            worker.kill()
        finally:
            worker.stop()
        run.refresh_from_db()
        files = _dossier_files(application, media)
        assert not [f for f in files if not f.endswith(".pdf")], files  # no temporaries
        dossier = Dossier.objects.filter(application=application).first()
        if dossier is not None:  # the kill came after the commit: the dossier is whole
            assert run.status == AssemblyRun.Status.DONE
            data = (media / dossier.file.name).read_bytes()
            assert hashlib.sha256(data).hexdigest() == dossier.sha256
            continue
        assert run.status == AssemblyRun.Status.RUNNING, (fraction, run.status, run.error)
        for name in files:  # at most a complete file whose row never committed
            path = media / "permits" / str(application.public_id) / "dosare" / name
            assert path.read_bytes().rstrip().endswith(b"%%EOF"), (fraction, name)
        killed.append((application, run))
    assert killed, f"every kill came after the commit ({duration:.2f} s per dossier)"

    stalled = tasks.retry_stalled_assemblies(seconds_since_heartbeat=0, orphans_older_than=0)
    assert sorted(stalled) == sorted(run.pk for _, run in killed)
    worker = Worker(tmp_path, media)
    try:
        for _, run in killed:
            _wait_for(
                lambda run=run: (
                    AssemblyRun.objects.get(pk=run.pk).status
                    in (AssemblyRun.Status.DONE, AssemblyRun.Status.FAILED)
                ),
                300,
                "the re-runs",
            )
    finally:
        worker.stop()
    for application, run in killed:
        run.refresh_from_db()
        assert run.status == AssemblyRun.Status.DONE, run.error
        dossier = Dossier.objects.get(application=application)
        data = (media / dossier.file.name).read_bytes()
        assert data.startswith(b"%PDF-") and hashlib.sha256(data).hexdigest() == dossier.sha256
        assert _dossier_files(application, media) == ["dosar-v1.pdf"]
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM procrastinate_jobs WHERE queue_name = 'permits'")
    seed.seed(apps)


@pytest.fixture
def small_disk(tmp_path):
    """A 2 MiB tmpfs (mounted as root), unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.django_db
def test_disk_full_while_writing_a_dossier(small_disk, settings):
    seed.seed(apps)
    settings.MEDIA_ROOT = str(small_disk)
    parcel = Parcel.objects.filter(intravilan=True).select_related("uat").order_by("pk").first()
    application = _registered(parcel)
    run = application.assembly_runs.get(status=AssemblyRun.Status.QUEUED)
    # Leave 32 KiB: the PDF starts to be written and the disk fills up under it.
    filler = small_disk / "filler"
    stat = os.statvfs(small_disk)
    filler.write_bytes(b"\0" * (stat.f_bavail * stat.f_frsize - 32 * 1024))

    tasks.assemble_dossier(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == AssemblyRun.Status.FAILED
    assert "Spațiu insuficient" in run.error, run.error
    assert not Dossier.objects.filter(application=application).exists()
    assert _dossier_files(application, small_disk) == []  # no partial PDF, no temporary
    filler.unlink()

    # With space again, the officer regenerates and it succeeds.
    again = request_assembly(application=application, reason="request")
    tasks.assemble_dossier(run_id=again.pk)
    again.refresh_from_db()
    assert again.status == AssemblyRun.Status.DONE, again.error
    dossier = Dossier.objects.get(application=application)
    data = (small_disk / dossier.file.name).read_bytes()
    assert hashlib.sha256(data).hexdigest() == dossier.sha256
    assert _dossier_files(application, small_disk) == ["dosar-v1.pdf"]
