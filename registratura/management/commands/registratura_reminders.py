"""Send the reminders of registered documents due in the next days (also run daily by the
job worker: registratura.tasks)."""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand

from registratura.services.reminders import DEFAULT_DAYS, send_reminders


class Command(BaseCommand):
    help = "E-mail officers the open documents due in the next days (and overdue ones)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--days", type=int, default=DEFAULT_DAYS, help="days ahead (3)")
        parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (tests)")

    def handle(self, *args, days: int, today: date | None, **options) -> None:
        run = send_reminders(today=today, days=days)
        self.stdout.write(f"{run.sent} e-mailuri trimise pentru {run.documents} documente.")
        if run.without_recipient:
            self.stdout.write(
                "Fără destinatar (nerepartizate, compartiment fără e-mail): "
                + ", ".join(run.without_recipient)
            )
