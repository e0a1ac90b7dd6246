"""Background jobs (procrastinate): archive imports OCR for minutes, never in a request."""

from __future__ import annotations

from procrastinate.contrib.django import app

from arhiva import importer

TASK_NAME = "arhiva.run_import"
QUEUE = "arhiva"


@app.task(queue=QUEUE, name=TASK_NAME)
def run_import_job(run_id: int) -> None:
    """Run one recorded import; its ArchiveImport holds the outcome and the row errors."""
    importer.execute_queued(run_id)


def enqueue(source, *, user=None) -> int:
    """Record an import of `source` and queue it; returns the run's id."""
    run = importer.start(source, user=user)
    run_import_job.defer(run_id=run.pk)
    return run.pk
