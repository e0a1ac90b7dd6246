"""Import scanned dossiers into the digital archive (OCR, full-text index, parcel links)."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from arhiva import importer, tasks


class Command(BaseCommand):
    help = (
        "Importă un lot de dosare scanate (arhivă .zip sau director cu fișiere PDF/TIFF și "
        "un CSV: fisier;an;tip_act;numar_act;data_act;adresa;siruta;nr_cadastrale;"
        "clasa_retentie;nr_inregistrare)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", type=Path, help="arhiva .zip sau directorul lotului")
        parser.add_argument("--user", help="utilizatorul în numele căruia se importă")
        parser.add_argument(
            "--queue", action="store_true", help="pune importul în coada de lucrări (worker)"
        )
        parser.add_argument("--report", type=Path, help="scrie erorile pe rânduri în JSON")

    def handle(self, *args, source: Path, user=None, queue=False, report=None, **options):
        if not source.exists():
            raise CommandError(f"{source} nu există")
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(f"utilizatorul {user} nu există")
        source = source.resolve()
        if queue:
            run_id = tasks.enqueue(source, user=account)
            self.stdout.write(f"Import {run_id} pus în coadă.")
            return

        def progress(done: int, total: int, status: str) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(f"  rândul {done}/{total}: {status}")

        run = importer.execute(importer.start(source, user=account), progress=progress)
        for error in run.errors:
            self.stderr.write(f"rândul {error['line']} ({error['file']}): {error['error']}")
        if report:
            report.write_text(
                json.dumps(
                    {"status": run.status, "message": run.message, "errors": run.errors},
                    ensure_ascii=False,
                    indent=2,
                )
            )
        if run.status == run.Status.FAILED:
            raise CommandError(run.message)
        self.stdout.write(run.message)
