"""Background jobs (procrastinate): uploaded imports run here, not in the web request."""

from __future__ import annotations

from procrastinate.contrib.django import app

from import_cadastru import services

TASK_NAME = "import_cadastru.run_import"


@app.task(queue="import_cadastru", name=TASK_NAME)
def run_import_job(run_id: int) -> None:
    """Run one uploaded import; its ImportRun holds the outcome and the report."""
    services.execute_queued_run(run_id)
