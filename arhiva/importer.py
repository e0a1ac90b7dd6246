"""Bulk import of scanned dossiers: a zip or a folder of PDF/TIFF files with a CSV of
metadata, one row per act.

Each row is checked, its file made searchable (OCR) and stored, its pages indexed and the
act linked to parcels. A bad row is reported with its line number and reason and the
others are imported; an act already archived with the same file (natural key kind + year +
number, and the file's SHA-256) is left as it is, so importing the same batch again
changes nothing. Progress is a callback, so the command line and the job share this code.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arhiva import linking, ocr
from arhiva.models import (
    ArchiveDocument,
    ArchiveImport,
    ArchivePage,
    DocumentKind,
    RetentionClass,
)
from arhiva.safety import BatchRefused, checked_members, read_member
from layers.models import UAT
from registratura.models import RegistryEntry

log = logging.getLogger(__name__)
Progress = Callable[[int, int, str], None]

REQUIRED = ("fisier", "an", "tip_act", "numar_act")
MAX_CSV_BYTES = 20 * 1024 * 1024
_CEDILLA = str.maketrans("şţŞŢ", "șțȘȚ")
_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]{0,39}$")
_CADASTRAL = re.compile(r"^[0-9A-Za-z-]{1,30}$")
_ENTRY = re.compile(r"^([A-Z][A-Z0-9]{0,11})-(\d{1,9})/(\d{4})$")


class RowError(Exception):
    """One row cannot be imported; the message says why, in the officer's words."""


@dataclass
class RowMeta:
    line: int
    file: str
    kind: DocumentKind
    year: int
    number: str
    date: dt.date | None
    address: str
    uat: UAT | None
    cadastral_numbers: list[str]
    retention: RetentionClass
    registry_entry: RegistryEntry | None = None


@dataclass
class Outcome:
    rows: int = 0
    imported: int = 0
    unchanged: int = 0
    pages: int = 0
    errors: list[dict] = field(default_factory=list)


def normalise_text(text: str) -> str:
    """Comma-below ș ț (Tesseract and old files write the cedilla forms), no NULs."""
    return text.translate(_CEDILLA).replace("\x00", "")


def _fold_header(name: str) -> str:
    """A CSV header as a column key: "Număr act" → "numar_act"."""
    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace(" ", "_")


# --- the batch: a zip or a folder -------------------------------------------------------


class Batch:
    """The files of an import, whatever holds them; `stage` gives a local path."""

    def __init__(self, source: Path):
        self.source = source
        self._zip: zipfile.ZipFile | None = None
        self._members: dict[str, zipfile.ZipInfo] = {}
        if source.is_dir():
            self.names = sorted(
                str(p.relative_to(source)) for p in source.rglob("*") if p.is_file()
            )
        elif source.is_file() and zipfile.is_zipfile(source):
            self._members = checked_members(source)
            self._zip = zipfile.ZipFile(source)
            self.names = sorted(self._members)
        else:
            raise BatchRefused(_("sursa trebuie să fie o arhivă .zip sau un director"))

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()

    def csv_name(self) -> str:
        found = [n for n in self.names if n.lower().endswith(".csv")]
        if len(found) != 1:
            raise BatchRefused(
                _("lotul trebuie să conțină exact un fișier CSV cu metadatele (găsite: %(found)s)")
                % {"found": len(found)}
            )
        return found[0]

    def read_text(self, name: str) -> str:
        if self._zip is not None:
            info = self._members[name]
            if info.file_size > MAX_CSV_BYTES:
                raise BatchRefused(_("fișierul CSV este prea mare"))
            data = self._zip.read(info)
        else:
            data = self._local(name).read_bytes()[: MAX_CSV_BYTES + 1]
        if len(data) > MAX_CSV_BYTES:
            raise BatchRefused(_("fișierul CSV este prea mare"))
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BatchRefused(_("fișierul CSV nu este UTF-8")) from None

    def _local(self, name: str) -> Path:
        path = (self.source / name).resolve()
        if not path.is_relative_to(self.source.resolve()) or path.is_symlink():
            raise RowError(_("calea „%(name)s” iese din director") % {"name": name})
        return path

    def find(self, name: str, folder: str) -> str:
        """The batch member a CSV row names (relative to the CSV's folder)."""
        candidate = str(Path(folder) / name) if folder else name
        if candidate in self.names:
            return candidate
        raise RowError(_("fișierul „%(name)s” nu există în lot") % {"name": name})

    @contextmanager
    def stage(self, name: str, tmp: Path) -> Iterator[Path]:
        if self._zip is None:
            yield self._local(name)
            return
        target = tmp / "scan"
        read_member(self._zip, self._members[name], target)
        try:
            yield target
        finally:
            target.unlink(missing_ok=True)


# --- rows ---------------------------------------------------------------------------------


def read_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Header (folded) and rows of the metadata CSV (`;` or `,` separated)."""
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") >= first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = [_fold_header(h) for h in next(reader)]
    except StopIteration:
        raise BatchRefused(_("fișierul CSV este gol")) from None
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BatchRefused(
            _("lipsesc coloanele obligatorii: %(columns)s") % {"columns": ", ".join(missing)}
        )
    rows = []
    for values in reader:
        if not any(v.strip() for v in values):
            rows.append({})
            continue
        rows.append({h: v.strip() for h, v in zip(header, values, strict=False)})
    return header, rows


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(
        _("data actului „%(text)s” nu este o dată (ZZ.LL.AAAA sau AAAA-LL-ZZ)") % {"text": text}
    )


def parse_row(line: int, row: dict[str, str], kinds, classes) -> RowMeta:
    """Validate one CSV row into RowMeta, or raise RowError saying what is wrong."""
    for column in REQUIRED:
        if not row.get(column):
            raise RowError(_("coloana „%(column)s” este goală") % {"column": column})
    try:
        year = int(row["an"])
    except ValueError:
        raise RowError(_("anul „%(year)s” nu este un număr") % {"year": row["an"]}) from None
    this_year = timezone.localdate().year
    if not 1900 <= year <= this_year:
        raise RowError(
            _("anul %(year)s nu este între 1900 și %(this_year)s")
            % {"year": year, "this_year": this_year}
        )
    kind = kinds.get(row["tip_act"].lower())
    if kind is None:
        raise RowError(
            _("tipul de act „%(kind)s” nu există (coduri: %(codes)s)")
            % {"kind": row["tip_act"], "codes": ", ".join(sorted(kinds))}
        )
    number = row["numar_act"]
    if not _NUMBER.match(number):
        raise RowError(
            _("numărul actului „%(number)s” are caractere nepermise") % {"number": number[:40]}
        )
    date = _date(row.get("data_act", ""))
    if date and date.year != year:
        raise RowError(
            _("data actului %(date)s nu este din anul %(year)s")
            % {"date": f"{date:%d.%m.%Y}", "year": year}
        )
    uat = None
    if row.get("siruta"):
        if not row["siruta"].isdigit():
            raise RowError(
                _("codul SIRUTA „%(siruta)s” nu este numeric") % {"siruta": row["siruta"]}
            )
        uat = linking.uat_by_siruta(int(row["siruta"]))
        if uat is None:
            raise RowError(
                _("UAT cu codul SIRUTA %(siruta)s nu există") % {"siruta": row["siruta"]}
            )
    numbers = [n.strip() for n in re.split(r"[;,\s]+", row.get("nr_cadastrale", "")) if n.strip()]
    bad = [n for n in numbers if not _CADASTRAL.match(n)]
    if bad:
        raise RowError(_("număr cadastral invalid: „%(number)s”") % {"number": bad[0][:30]})
    if numbers and uat is None:
        raise RowError(_("numerele cadastrale cer codul SIRUTA al UAT-ului"))
    retention = kind.retention
    if row.get("clasa_retentie"):
        retention = classes.get(row["clasa_retentie"].upper())
        if retention is None:
            raise RowError(
                _("clasa de păstrare „%(code)s” nu există în nomenclator (%(codes)s)")
                % {"code": row["clasa_retentie"], "codes": ", ".join(sorted(classes))}
            )
    entry = None
    if row.get("nr_inregistrare"):
        found = _ENTRY.match(row["nr_inregistrare"].upper().replace(" ", ""))
        entry = (
            found
            and RegistryEntry.objects.filter(
                register__prefix=found[1], number=int(found[2]), year=int(found[3])
            ).first()
        )
        if not entry:
            raise RowError(
                _(
                    "cererea „%(number)s” nu există în registratură "
                    "(forma PREFIX-număr/an, ex. U-12/2025)"
                )
                % {"number": row["nr_inregistrare"][:40]}
            )
    return RowMeta(
        line=line,
        file=row["fisier"],
        kind=kind,
        year=year,
        number=number,
        date=date,
        address=row.get("adresa", "")[:300],
        uat=uat,
        cadastral_numbers=numbers,
        retention=retention,
        registry_entry=entry,
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def stored_path(document_year: int, sha: str) -> str:
    """Where the searchable PDF lives, relative to MEDIA_ROOT (never a user's name)."""
    return f"arhiva/{document_year}/{sha}.pdf"


# --- one row ------------------------------------------------------------------------------


def import_row(meta: RowMeta, scan: Path, *, run: ArchiveImport | None, user) -> tuple[str, int]:
    """Import one checked row from its staged file; ('imported'|'unchanged', pages)."""
    sha = sha256_of(scan)
    existing = ArchiveDocument.objects.filter(
        kind=meta.kind, year=meta.year, number=meta.number
    ).first()
    if existing is not None:
        if existing.sha256 == sha:
            return "unchanged", 0
        raise RowError(
            _("actul %(act)s există deja în arhivă cu alt fișier („%(file)s”); nu a fost înlocuit")
            % {"act": existing, "file": existing.original_name}
        )
    with open(scan, "rb") as handle:
        kind = ocr.scan_kind(handle.read(8))
    if kind is None:
        raise RowError(
            _("fișierul „%(file)s” nu este PDF sau TIFF (după conținut)") % {"file": meta.file}
        )
    relative = stored_path(meta.year, sha)
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="arhiva-") as tmp:
        try:
            result = ocr.make_searchable(scan, kind, Path(tmp) / "out.pdf")
        except ocr.OcrError as exc:
            raise RowError(f"„{meta.file}”: {exc}") from exc
        shutil.move(result.pdf, target)
    try:
        with transaction.atomic():
            document = ArchiveDocument.objects.create(
                kind=meta.kind,
                year=meta.year,
                number=meta.number,
                act_date=meta.date,
                address=meta.address,
                uat=meta.uat,
                cadastral_numbers=meta.cadastral_numbers,
                retention=meta.retention,
                original_name=Path(meta.file).name[:255],
                sha256=sha,
                pdf=relative,
                page_count=len(result.pages),
                imported_by=run,
                registry_entry=meta.registry_entry,
            )
            ArchivePage.objects.bulk_create(
                ArchivePage(document=document, number=n, text=normalise_text(text))
                for n, text in enumerate(result.pages, start=1)
            )
            linking.link_document(document, user=user)
    except IntegrityError:
        # the same act imported meanwhile by another run: it is there now
        return "unchanged", 0
    return "imported", len(result.pages)


# --- the run --------------------------------------------------------------------------------


def import_batch(
    source: Path,
    *,
    user=None,
    run: ArchiveImport | None = None,
    progress: Progress | None = None,
) -> Outcome:
    """Import every row of the batch at `source`; BatchRefused when the batch as a whole
    is unusable (hostile zip, no CSV, missing columns)."""
    outcome = Outcome()
    batch = Batch(source)
    try:
        csv_name = batch.csv_name()
        folder = str(Path(csv_name).parent) if "/" in csv_name else ""
        _header, rows = read_rows(batch.read_text(csv_name))
        kinds = {k.code: k for k in DocumentKind.objects.select_related("retention")}
        classes = {c.code.upper(): c for c in RetentionClass.objects.all()}
        outcome.rows = sum(1 for r in rows if r)
        with tempfile.TemporaryDirectory(prefix="arhiva-batch-") as tmp:
            for index, row in enumerate(rows):
                line = index + 2  # the header is line 1
                if not row:
                    continue
                try:
                    meta = parse_row(line, row, kinds, classes)
                    name = batch.find(meta.file, folder)
                    with batch.stage(name, Path(tmp)) as scan:
                        status, pages = import_row(meta, scan, run=run, user=user)
                except RowError as exc:
                    outcome.errors.append(
                        {"line": line, "file": row.get("fisier", "")[:200], "error": str(exc)}
                    )
                    status, pages = "failed", 0
                if status == "imported":
                    outcome.imported += 1
                    outcome.pages += pages
                elif status == "unchanged":
                    outcome.unchanged += 1
                if progress:
                    progress(index + 1, len(rows), status)
    finally:
        batch.close()
    return outcome


def execute(run: ArchiveImport, *, progress: Progress | None = None) -> ArchiveImport:
    """Run a recorded import and store its outcome on the record."""
    run.status, run.started_at = ArchiveImport.Status.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        outcome = import_batch(Path(run.source), user=run.user, run=run, progress=progress)
    except BatchRefused as exc:
        run.status, run.message = ArchiveImport.Status.FAILED, str(exc)
    else:
        run.rows, run.imported, run.unchanged = outcome.rows, outcome.imported, outcome.unchanged
        run.failed, run.pages, run.errors = len(outcome.errors), outcome.pages, outcome.errors
        run.status = (
            ArchiveImport.Status.WARNINGS if outcome.errors else ArchiveImport.Status.SUCCESS
        )
        run.message = _(
            "%(imported)s acte importate (%(pages)s pagini), %(unchanged)s neschimbate, "
            "%(failed)s rânduri cu erori"
        ) % {
            "imported": outcome.imported,
            "pages": outcome.pages,
            "unchanged": outcome.unchanged,
            "failed": len(outcome.errors),
        }
    run.finished_at = timezone.now()
    run.save()
    log.info("Archive import %s: %s", run.pk, run.message)
    return run


def start(source: Path, *, user=None) -> ArchiveImport:
    """Record an import of `source` (a zip or a folder on the server), ready to execute."""
    digest = sha256_of(source) if source.is_file() else ""
    return ArchiveImport.objects.create(source=str(source), source_sha256=digest, user=user)


def execute_queued(run_id: int) -> None:
    """The job's entry point: a run already picked up (retried job) is left alone."""
    claimed = ArchiveImport.objects.filter(pk=run_id, status=ArchiveImport.Status.QUEUED).update(
        status=ArchiveImport.Status.RUNNING
    )
    if claimed:
        execute(ArchiveImport.objects.get(pk=run_id))
