"""Import scanned dossiers into the digital archive (OCR, full-text index, parcel links)."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arhiva import importer, tasks


class Command(BaseCommand):
    @property
    def help(self) -> str:  # (in the active language; argparse takes no lazy string)
        return _(
            "Importă un lot de dosare scanate (arhivă .zip sau director cu fișiere PDF/TIFF și "
            "un CSV: fisier;an;tip_act;numar_act;data_act;adresa;siruta;nr_cadastrale;"
            "clasa_retentie;nr_inregistrare)."
        )

    def add_arguments(self, parser) -> None:
        parser.add_argument("source", type=Path, help=_("arhiva .zip sau directorul lotului"))
        parser.add_argument("--user", help=_("utilizatorul în numele căruia se importă"))
        parser.add_argument(
            "--queue", action="store_true", help=_("pune importul în coada de lucrări (worker)")
        )
        parser.add_argument("--report", type=Path, help=_("scrie erorile pe rânduri în JSON"))

    def handle(self, *args, source: Path, user=None, queue=False, report=None, **options):
        if not source.exists():
            raise CommandError(_("%(source)s nu există") % {"source": source})
        account = None
        if user:
            account = get_user_model().objects.filter(username=user).first()
            if account is None:
                raise CommandError(_("utilizatorul %(user)s nu există") % {"user": user})
        source = source.resolve()
        if queue:
            run_id = tasks.enqueue(source, user=account)
            self.stdout.write(_("Import %(run)s pus în coadă.") % {"run": run_id})
            return

        def progress(done: int, total: int, status: str) -> None:
            if options["verbosity"] > 1:
                self.stdout.write(
                    _("  rândul %(done)s/%(total)s: %(status)s")
                    % {"done": done, "total": total, "status": status}
                )

        run = importer.execute(importer.start(source, user=account), progress=progress)
        for error in run.errors:
            self.stderr.write(
                _("rândul %(line)s (%(file)s): %(error)s")
                % {"line": error["line"], "file": error["file"], "error": error["error"]}
            )
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
