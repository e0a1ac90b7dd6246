"""Background jobs (procrastinate): the daily reminders of documents falling due."""

from __future__ import annotations

from procrastinate.contrib.django import app

from registratura.services.reminders import send_reminders

QUEUE = "registratura"


@app.periodic(cron="0 7 * * *", periodic_id="registratura-reminders")
@app.task(queue=QUEUE, name="registratura.send_reminders", queueing_lock="registratura-reminders")
def send_due_reminders(timestamp: int) -> None:
    """Every day at 07:00 (server time) in the job worker; a missed day is not replayed,
    overdue documents are listed in the next day's e-mail anyway."""
    send_reminders()
