"""Background jobs (procrastinate): the GIS dossier is assembled here, never in a request."""

from __future__ import annotations

from procrastinate.contrib.django import app

from permits.services import assembly

TASK_NAME = "permits.assemble_dossier"
QUEUE = "permits"


@app.task(queue=QUEUE, name=TASK_NAME)
def assemble_dossier(run_id: int) -> None:
    """Run one queued assembly; its AssemblyRun holds progress and outcome, and a retried
    job finds the run no longer queued and does nothing."""
    assembly.execute_run(run_id=run_id)
