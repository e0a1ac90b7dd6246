"""Background jobs (procrastinate): the GIS dossier is assembled here, never in a request."""

from __future__ import annotations

import json
import time
from pathlib import Path

from asgiref.sync import async_to_sync
from django.conf import settings
from procrastinate.contrib.django import app

from permits.models import AssemblyRun, Dossier
from permits.models.dossiers import dossier_path

TASK_NAME = "permits.assemble_dossier"
QUEUE = "permits"
# A worker that sent no heartbeat for this long is dead (procrastinate beats every 10 s).
STALLED_AFTER_SECONDS = 60


@app.task(queue=QUEUE, name=TASK_NAME)
def assemble_dossier(run_id: int) -> None:
    """Run one queued assembly; its AssemblyRun holds progress and outcome, and a retried
    job finds the run no longer queued and does nothing. (Imported here: the assembly
    loads WeasyPrint, which every process that loads the tasks at start-up would pay.)"""
    from permits.services import assembly

    assembly.execute_run(run_id=run_id)


def retry_stalled_assemblies(
    *,
    seconds_since_heartbeat: float = STALLED_AFTER_SECONDS,
    orphans_older_than: float = STALLED_AFTER_SECONDS,
) -> list[int]:
    """Assemblies whose worker died (killed, out of memory, host lost) stay `doing` and
    their run `running` for ever: put the run back in the queue and retry the job. The
    dead run committed nothing (the dossier row commits with the file), but it may have
    left the file of a row that never committed: files of the application's dossier
    folder that no row names, older than `orphans_older_than` (so never the file of a
    live run), are removed. Returns the run ids."""
    jobs = async_to_sync(app.job_manager.get_stalled_jobs)(
        queue=QUEUE, task_name=TASK_NAME, seconds_since_heartbeat=seconds_since_heartbeat
    )
    runs = []
    for job in jobs:
        kwargs = job.task_kwargs
        run_id = int((json.loads(kwargs) if isinstance(kwargs, str) else kwargs)["run_id"])
        run = AssemblyRun.objects.select_related("application").filter(pk=run_id).first()
        if run is not None:
            _remove_orphan_files(run, older_than=orphans_older_than)
            AssemblyRun.objects.filter(pk=run_id, status=AssemblyRun.Status.RUNNING).update(
                status=AssemblyRun.Status.QUEUED, progress=0, step="reluat (workerul s-a oprit)"
            )
        async_to_sync(app.job_manager.retry_job)(job)
        runs.append(run_id)
    return runs


def _remove_orphan_files(run: AssemblyRun, *, older_than: float) -> None:
    probe = Dossier(application=run.application, version=0)
    folder = Path(settings.MEDIA_ROOT) / Path(dossier_path(probe, "")).parent
    if not folder.is_dir():
        return
    named = {Path(name).name for name in run.application.dossiers.values_list("file", flat=True)}
    limit = time.time() - older_than
    for path in folder.iterdir():
        if path.is_file() and path.name not in named and path.stat().st_mtime <= limit:
            path.unlink(missing_ok=True)


@app.periodic(cron="* * * * *", periodic_id="permits-stalled-assemblies")
@app.task(queue=QUEUE, name="permits.retry_stalled", queueing_lock="permits.retry_stalled")
def retry_stalled(timestamp: int) -> None:
    """Every minute: assemblies of dead workers go back to the queue."""
    retry_stalled_assemblies()
