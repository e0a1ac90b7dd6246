"""manage.py import_cadastru: CGXML and vector imports from the command line.

Exit codes: 0 success, 3 success with warnings (findings or rejected objects),
2 input refused (nothing changed), 1 unexpected error (nothing changed).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from import_cadastru.mapping import load_mapping_file
from import_cadastru.models import ImportRun
from import_cadastru.readers.errors import InputRefused
from import_cadastru.services import ImportRequest, run_import

EXIT_OK, EXIT_ERROR, EXIT_REFUSED, EXIT_WARNINGS = 0, 1, 2, 3
TARGETS = [t for t in ImportRun.Target.values]


def _pairs(values: list[str] | None, option: str) -> dict[str, str]:
    out = {}
    for item in values or []:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise CommandError(f"{option} așteaptă COLOANĂ=VALOARE, nu „{item}”", returncode=2)
        out[name.strip()] = value.strip()
    return out


class TerminalProgress:
    """A tqdm bar per stage, only on a terminal."""

    def __init__(self, stream) -> None:
        from tqdm import tqdm

        self._tqdm = tqdm
        self._stream = stream
        self._bar = None
        self._stage = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self._stage:
            self.close()
            self._stage = stage
            self._bar = self._tqdm(
                total=total or None,
                desc=stage,
                unit=" ob",
                leave=False,
                file=self._stream,
                dynamic_ncols=True,
            )
        if self._bar is not None:
            self._bar.n = done
            self._bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class Command(BaseCommand):
    help = (
        "Importă fișiere CGXML (.cgxml sau .zip) ori vectoriale (Shapefile în .zip, GPKG, "
        "GeoJSON, DXF) în parcele, construcții, drumuri, UTR-uri, restricții sau intravilan."
    )

    exit_code = EXIT_OK

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="fișiere de importat")
        parser.add_argument("--uat", type=int, metavar="SIRUTA", help="UAT-ul datelor")
        parser.add_argument("--target", choices=TARGETS, help="destinația (implicit: parcels)")
        parser.add_argument("--srs", metavar="EPSG:N", help="sistemul de coordonate al fișierului")
        parser.add_argument("--dry-run", action="store_true", help="validează fără să salveze")
        parser.add_argument("--report", metavar="FILE", help="scrie raportul JSON în FILE")
        parser.add_argument("--layer", help="stratul din GPKG / fișier cu mai multe straturi")
        parser.add_argument(
            "--field",
            action="append",
            metavar="COLOANĂ=CÂMP",
            help="câmpul sursă al unei coloane (repetabil)",
        )
        parser.add_argument(
            "--set",
            action="append",
            metavar="COLOANĂ=VALOARE",
            dest="values",
            help="valoare constantă a unei coloane (repetabil), ex. plan=3",
        )
        parser.add_argument("--mapping", metavar="FILE.toml", help="fișier de corespondență")
        parser.add_argument("--encoding", help="codificarea atributelor (ex. CP1250)")
        parser.add_argument("--swap-axes", action="store_true", help="inversează X/Y (vector)")
        parser.add_argument(
            "--skip-bad-files",
            action="store_true",
            help="respinge doar fișierele CGXML stricate dintr-un lot",
        )
        parser.add_argument("--workers", type=int, default=0, help="procese pentru CGXML")
        parser.add_argument("--overlap-tolerance", type=float, default=1.0, metavar="M2")
        parser.add_argument("--area-tolerance", type=float, default=5.0, metavar="PROCENT")

    def run_from_argv(self, argv) -> None:
        super().run_from_argv(argv)
        if self.exit_code:
            sys.exit(self.exit_code)

    def handle(self, *args, **opts) -> None:
        mapping = load_mapping_file(Path(opts["mapping"])) if opts["mapping"] else {}
        fields = {**mapping.get("fields", {}), **_pairs(opts["field"], "--field")}
        values = {**mapping.get("values", {}), **_pairs(opts["values"], "--set")}
        request = ImportRequest(
            paths=[Path(p) for p in opts["paths"]],
            target=opts["target"] or mapping.get("target"),
            uat_siruta=opts["uat"],
            srs=opts["srs"] or mapping.get("srs"),
            dry_run=opts["dry_run"],
            layer=opts["layer"] or mapping.get("layer"),
            fields=fields,
            values=values,
            encoding=opts["encoding"] or mapping.get("encoding"),
            swap_axes=opts["swap_axes"],
            skip_bad_files=opts["skip_bad_files"],
            workers=opts["workers"],
            overlap_tolerance=opts["overlap_tolerance"],
            area_tolerance=opts["area_tolerance"] / 100.0,
        )
        progress = TerminalProgress(sys.stderr) if self.stdout.isatty() else None
        try:
            run = run_import(request, progress=progress or (lambda *a: None))
        except InputRefused as exc:
            self.exit_code = EXIT_REFUSED
            raise CommandError(
                f"Import refuzat, nimic nu a fost modificat: {exc}", returncode=EXIT_REFUSED
            ) from None
        finally:
            if progress:
                progress.close()
        if opts["report"]:
            Path(opts["report"]).write_text(
                json.dumps(run.as_json(), ensure_ascii=False, indent=2), encoding="utf-8"
            )
        self.stdout.write(summary(run))
        self.exit_code = EXIT_WARNINGS if run.status == ImportRun.Status.WARNINGS else EXIT_OK


def summary(run: ImportRun, items: int = 5) -> str:
    lines = [
        f"Import #{run.pk} ({run.get_target_display()}): {run.get_status_display()}"
        + (" [simulare]" if run.dry_run else ""),
        f"  fișiere: {len(run.files)} (sha256 {run.file_hash[:12]}…)",
        f"  create: {run.created}, actualizate: {run.updated}, neschimbate: {run.unchanged}, "
        f"respinse: {run.rejected}",
    ]
    if run.srs:
        lines.append(f"  sistem de coordonate: {run.srs}")
    if run.axis_order:
        lines.append(f"  ordinea axelor: {run.axis_order}")
    findings = run.report.get("findings", {})
    if findings:
        lines.append(f"  avertismente: {run.warnings}")
        for entry in findings.values():
            lines.append(f"   - {entry['title']}: {entry['count']}")
            for item in entry["items"][:items]:
                where = f" ({item['source']})" if item.get("source") else ""
                lines.append(f"       {item.get('key') or '—'}{where}: {item['detail']}")
    for message in run.report.get("messages", []):
        lines.append(f"  {message}")
    return "\n".join(lines)
