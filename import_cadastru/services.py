"""The import run: one function shared by the command line and the background job.

`run_import` checks the inputs, stages them with COPY into TEMP tables, writes them with
set-based SQL and validates the result, all in one transaction: an import applies
completely or not at all (a killed process commits nothing). Progress is reported
through a callback, so the terminal shows a bar and the job updates its record.
"""

from __future__ import annotations

import getpass
import hashlib
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from import_cadastru.models import ImportRun
from import_cadastru.parallel import ordered_map
from import_cadastru.readers import cgxml
from import_cadastru.readers.errors import InputRefused
from import_cadastru.readers.safety import (
    Limits,
    Member,
    check_file,
    forget_checked_zips,
    is_zip,
    zip_members,
)
from import_cadastru.readers.vector import data_paths
from import_cadastru.report import Report
from import_cadastru.staging import copy_lines
from import_cadastru.writers import parcels as parcel_writer
from import_cadastru.writers import validation
from import_cadastru.writers.geometry import storage_crs
from layers.models import UAT, Intravilan
from layers.signals import announce_cadastre_change

Progress = Callable[[str, int, int], None]

CGXML_SUFFIXES = (".cgxml", ".xml")
VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".dxf")
LOCK_KEY = 0x1C_AD_A5_7E  # pg_advisory_xact_lock key: one import at a time
CHUNK_FILES = 500  # CGXML files per worker task
PARALLEL_MIN_FILES = 2_000  # below this, parsing in-process is faster than a pool
IMPORT_WORK_MEM = getattr(settings, "IMPORT_CADASTRU_WORK_MEM", "512MB")


def _noop(stage: str, done: int, total: int) -> None:
    pass


def limits_from_settings() -> Limits:
    """Limits, overridable with IMPORT_CADASTRU_<FIELD> settings (e.g. in tests)."""
    defaults = Limits()
    return Limits(
        **{
            name: getattr(settings, f"IMPORT_CADASTRU_{name.upper()}", getattr(defaults, name))
            for name in defaults.__dataclass_fields__
        }
    )


@dataclass
class ImportRequest:
    """What to import and how; the command-line options and the upload form map here."""

    paths: list[Path]
    target: str | None = None  # None: cgxml for CGXML inputs, parcels for vector files
    uat_siruta: int | None = None
    srs: str | None = None
    dry_run: bool = False
    layer: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    encoding: str | None = None
    swap_axes: bool = False
    skip_bad_files: bool = False
    workers: int = 0  # 0: automatic
    overlap_tolerance: float = 1.0  # m²
    area_tolerance: float = 0.05  # fraction of the legal area
    limits: Limits = field(default_factory=limits_from_settings)

    def options(self) -> dict[str, Any]:
        """JSON-ready options for the run record."""
        return {
            "target": self.target,
            "uat": self.uat_siruta,
            "srs": self.srs,
            "layer": self.layer,
            "fields": self.fields,
            "values": self.values,
            "encoding": self.encoding,
            "swap_axes": self.swap_axes,
            "skip_bad_files": self.skip_bad_files,
            "overlap_tolerance": self.overlap_tolerance,
            "area_tolerance": self.area_tolerance,
        }


# --- inputs -------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_files(paths: list[Path], limits: Limits) -> tuple[list[dict], str]:
    """Size and hash of every input (refusing missing, empty and oversized files)."""
    files = []
    combined = hashlib.sha256()
    for path in paths:
        size = check_file(path, limits)
        digest = _sha256(path)
        combined.update(digest.encode())
        files.append({"name": path.name, "size": size, "sha256": digest})
    return files, combined.hexdigest()


def detect_kind(paths: list[Path], limits: Limits) -> str:
    """'cgxml' or 'vector', from names and (for zips) member names; never mixed."""
    kinds = set()
    for path in paths:
        suffix = path.suffix.lower()
        if suffix in CGXML_SUFFIXES:
            kinds.add("cgxml")
        elif is_zip(path):
            names = [m.filename.lower() for m in zip_members(path, limits)]
            if any(n.endswith(CGXML_SUFFIXES) for n in names):
                kinds.add("cgxml")
            elif any(n.endswith(VECTOR_SUFFIXES) for n in names):
                kinds.add("vector")
            else:
                raise InputRefused(
                    "arhiva nu conține fișiere CGXML sau vectoriale recunoscute",
                    source=path.name,
                )
        elif suffix in VECTOR_SUFFIXES:
            kinds.add("vector")
        else:
            raise InputRefused(
                f"tip de fișier nepermis „{suffix or '(fără extensie)'}” (permise: .cgxml, "
                ".xml, .zip, .shp, .gpkg, .geojson, .dxf)",
                source=path.name,
            )
    if len(kinds) > 1:
        raise InputRefused("nu se pot amesteca fișiere CGXML și vectoriale în același import")
    return kinds.pop()


# --- the run ------------------------------------------------------------------------------


def run_import(
    request: ImportRequest,
    *,
    user=None,
    requested_by: str = "",
    origin: str = ImportRun.Origin.CLI,
    run: ImportRun | None = None,
    progress: Progress = _noop,
) -> ImportRun:
    """Import the request's files; returns the saved run (status, counters, report).

    Raises InputRefused when an input is refused: nothing is written to the spatial
    tables then, and the run is recorded as failed with the reason.
    """
    if run is None:
        run = ImportRun(origin=origin, user=user)
    run.requested_by = requested_by or run.requested_by or _whoami(user)
    run.dry_run = request.dry_run
    run.options = request.options()
    run.started_at = timezone.now()
    run.status = ImportRun.Status.RUNNING
    try:
        run.files, run.file_hash = describe_files(request.paths, request.limits)
        kind = detect_kind(data_paths(request.paths), request.limits)
        if kind == "cgxml":
            if request.target not in (None, "cgxml", "parcels"):
                raise InputRefused("fișierele CGXML se importă numai ca imobile (parcele)")
            run.target = ImportRun.Target.CGXML
        else:
            run.target = request.target or ImportRun.Target.PARCELS
            if run.target == ImportRun.Target.CGXML:
                raise InputRefused("destinația cgxml cere fișiere CGXML")
        if run.pk:  # an upload: the job's record shows the run while it works
            run.save(
                update_fields=[
                    "requested_by",
                    "dry_run",
                    "options",
                    "started_at",
                    "status",
                    "files",
                    "file_hash",
                    "target",
                ]
            )
        report = Report()
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
                # the planner's cost of geometry functions triggers JIT compilation, which
                # costs more than it saves on these one-pass statements
                cursor.execute("SET LOCAL jit = off")
                # joins of a whole county's staging with its parcels stay in memory
                cursor.execute("SELECT set_config('work_mem', %s, true)", [IMPORT_WORK_MEM])
            if run.pk is None:
                run.save()  # inside the transaction: a killed import leaves no record
            if kind == "cgxml":
                applied = _import_cgxml(request, run, report, progress)
            else:
                from import_cadastru import vector_import

                applied = vector_import.import_vector(request, run, report, progress)
            _finish(run, report, applied)
            if request.dry_run:
                transaction.set_rollback(True)
            else:
                if applied.parcel_ids:
                    # after the commit: a failing listener must not undo a complete import
                    announce_cadastre_change(
                        ImportRun,
                        parcel_ids=list(applied.parcel_ids),
                        parcel_keys=list(applied.parcel_keys or ()),
                        import_run_id=run.pk,
                        context=f" after import #{run.pk}",
                    )
                run.save()
        if request.dry_run:
            run.save()  # the data was rolled back, not the record
        return run
    except InputRefused as exc:
        _fail(run, str(exc))
        raise
    except Exception as exc:
        _fail(run, f"eroare internă: {type(exc).__name__}: {exc}")
        raise
    finally:
        forget_checked_zips()


def _whoami(user) -> str:
    if user is not None and getattr(user, "is_authenticated", False):
        return user.get_username()
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # pragma: no cover - no passwd entry in containers
        return str(os.getuid())


def _fail(run: ImportRun, message: str) -> None:
    run.status = ImportRun.Status.FAILED
    run.error = message[:5000]
    run.finished_at = timezone.now()
    run.progress_stage = ""
    run.save()  # after the rollback: an UPDATE of a vanished row falls back to INSERT


def _finish(run: ImportRun, report: Report, applied: parcel_writer.Applied) -> None:
    report.counts.update(
        created=applied.created,
        updated=applied.updated,
        unchanged=applied.unchanged,
        rejected=applied.rejected,
    )
    if applied.created == applied.updated == 0:
        same, rejected = applied.unchanged, applied.rejected
        if same and not rejected:
            message = f"toate cele {same} obiecte sunt deja în baza de date, identice."
        elif same:
            message = f"{same} obiecte identice cu baza de date, {rejected} respinse."
        elif rejected:
            message = f"toate cele {rejected} obiecte au fost respinse."
        else:
            message = "fișierele nu conțin obiecte de importat."
        report.messages.insert(0, f"Nicio modificare: {message}")
    previous = (
        ImportRun.objects.filter(
            file_hash=run.file_hash,
            status__in=[ImportRun.Status.SUCCESS, ImportRun.Status.WARNINGS],
            dry_run=False,
        )
        .exclude(pk=run.pk)
        .order_by("-finished_at")
        .first()
    )
    if previous:
        when = timezone.localtime(previous.finished_at).strftime("%d.%m.%Y %H:%M")
        report.messages.append(
            f"Aceleași fișiere au mai fost importate (importul #{previous.pk}, {when})."
        )
    if run.dry_run:
        report.messages.append("Simulare: nicio modificare nu a fost salvată.")
    run.created = applied.created
    run.updated = applied.updated
    run.unchanged = applied.unchanged
    run.rejected = applied.rejected
    run.warnings = report.warnings
    run.report = report.as_json()
    run.status = (
        ImportRun.Status.WARNINGS
        if report.warnings or applied.rejected
        else ImportRun.Status.SUCCESS
    )
    run.finished_at = timezone.now()
    run.progress_stage = ""


# --- CGXML --------------------------------------------------------------------------------


def _context_rows(default_siruta: int | None) -> tuple[list, dict, int | None]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, siruta, name, ST_AsBinary(geom) FROM layers_uat")
        uats = [(pk, siruta, name, bytes(wkb)) for pk, siruta, name, wkb in cursor.fetchall()]
    if not uats:
        raise InputRefused("nu există UAT-uri în baza de date: încărcați întâi limitele UAT")
    if default_siruta is not None and not UAT.objects.filter(siruta=default_siruta).exists():
        raise InputRefused(f"UAT-ul {default_siruta} nu există în baza de date")
    localities = dict(
        Intravilan.objects.exclude(locality_siruta=None).values_list("locality_siruta", "locality")
    )
    return uats, localities, default_siruta


def cgxml_tasks(request: ImportRequest, report: Report) -> tuple[list[cgxml.Task], int]:
    """Split the inputs into tasks of at most CHUNK_FILES files; returns (tasks, files)."""
    tasks = []
    index = 0
    for path in request.paths:
        if path.suffix.lower() in CGXML_SUFFIXES and not is_zip(path):
            tasks.append(
                cgxml.Task(
                    str(path),
                    None,
                    index * cgxml.SEQ_STRIDE,
                    request.skip_bad_files,
                    request.limits,
                )
            )
            index += 1
            continue
        members = []
        for info in zip_members(path, request.limits):
            if info.filename.lower().endswith(CGXML_SUFFIXES):
                members.append(Member.of(info))
            else:
                report.add(
                    "attribute", f"{path.name}/{info.filename}", "", "fișier ignorat din arhivă"
                )
        for start in range(0, len(members), CHUNK_FILES):
            chunk = tuple(members[start : start + CHUNK_FILES])
            tasks.append(
                cgxml.Task(
                    str(path),
                    chunk,
                    index * cgxml.SEQ_STRIDE,
                    request.skip_bad_files,
                    request.limits,
                )
            )
            index += len(chunk)
    return tasks, index


def _parsed(request: ImportRequest, tasks: list[cgxml.Task], files: int) -> Iterator:
    uats, localities, default = _context_rows(request.uat_siruta)
    workers = request.workers or (min(2, os.cpu_count() or 1) if files >= PARALLEL_MIN_FILES else 1)
    if workers <= 1:
        ctx = cgxml.build_context(uats, localities, default)
        try:
            for task in tasks:
                yield task, cgxml.process_task(task, ctx)
        finally:
            cgxml.close_archive()
        return
    yield from ordered_map(
        cgxml.process_task,
        tasks,
        workers=workers,
        initializer=cgxml.init_worker,
        initargs=(uats, localities, default),
    )


def _import_cgxml(
    request: ImportRequest, run: ImportRun, report: Report, progress: Progress
) -> parcel_writer.Applied:
    tasks, files = cgxml_tasks(request, report)
    if not files:
        raise InputRefused("nu s-a găsit niciun fișier CGXML de importat")
    done = 0
    progress("citire CGXML", 0, files)
    with connection.cursor() as cursor:
        parcel_writer.create_staging(cursor, subrecords=True)
        for task, result in _parsed(request, tasks, files):
            copy_lines(cursor, parcel_writer.RAW, cgxml.PARCEL_COLUMNS, result.parcels)
            copy_lines(cursor, parcel_writer.USES, cgxml.LANDUSE_COLUMNS, result.land_uses)
            copy_lines(
                cursor, parcel_writer.BUILDINGS_RAW, cgxml.BUILDING_COLUMNS, result.buildings
            )
            copy_lines(cursor, parcel_writer.RIGHTS, cgxml.RIGHT_COLUMNS, result.rights)
            for issue in result.issues:
                report.add_issue(issue)
            report.stats.update(result.stats)
            done += 1 if task.members is None else len(task.members)
            progress("citire CGXML", done, files)
        rejected_early = report.stats.get("rejected", 0)
        run.axis_order = _axis_label(report.stats)
        run.srs = "EPSG:3844 (Stereo 70)"
        progress("scriere", 0, 4)
        parcel_writer.normalise(
            cursor,
            crs=storage_crs(),
            provided=set(parcel_writer.OPTIONAL),
            spatial_uat=False,
            shape=False,  # rebuilt from Points: always a polygon
        )
        parcel_writer.normalise_subrecords(cursor, srid=settings.SRID)
        parcel_writer.staging_findings(cursor, report)
        parcel_writer.building_findings(cursor, report)
        progress("scriere", 1, 4)
        applied = parcel_writer.apply(
            cursor, source="cgxml", ref=str(run.pk), at=run.started_at, subrecords=True
        )
        progress("validare", 2, 4)
        validation.check_parcels(
            cursor,
            report,
            overlap_tolerance=request.overlap_tolerance,
            area_tolerance=request.area_tolerance,
        )
        parcel_writer.drop_staging(cursor)
        progress("validare", 4, 4)
    applied.rejected += rejected_early
    report.stats["axis_order"] = run.axis_order
    return applied


def _axis_label(stats) -> str:
    en, ne = stats.get(cgxml.AXIS_EN, 0), stats.get(cgxml.AXIS_NE, 0)
    if en and ne:
        return f"mixt: {cgxml.AXIS_EN} în {en} fișiere, {cgxml.AXIS_NE} în {ne}"
    if ne:
        return cgxml.AXIS_NE
    return cgxml.AXIS_EN if en else ""


# --- uploads (background job) -----------------------------------------------------------


def request_from_options(paths: list[Path], options: dict[str, Any], *, dry_run: bool):
    """Rebuild an ImportRequest from a run's stored options (the upload form's values)."""
    return ImportRequest(
        paths=paths,
        target=options.get("target") or None,
        uat_siruta=options.get("uat"),
        srs=options.get("srs") or None,
        dry_run=dry_run,
        layer=options.get("layer") or None,
        fields=dict(options.get("fields") or {}),
        values=dict(options.get("values") or {}),
        encoding=options.get("encoding") or None,
        swap_axes=bool(options.get("swap_axes")),
        skip_bad_files=bool(options.get("skip_bad_files")),
        overlap_tolerance=float(options.get("overlap_tolerance", 1.0)),
        area_tolerance=float(options.get("area_tolerance", 0.05)),
    )


def execute_queued_run(run_id: int) -> ImportRun:
    """Run an uploaded import (the job's body); the uploaded files are deleted after it,
    whatever the outcome, as CGXML files carry personal data."""
    from import_cadastru.progress import DatabaseProgress

    run = ImportRun.objects.get(pk=run_id)
    if run.status != ImportRun.Status.QUEUED:
        return run  # a retried job: the run already happened
    upload = Path(run.upload_dir)
    paths = sorted(p for p in upload.iterdir() if p.is_file()) if upload.is_dir() else []
    progress = DatabaseProgress(run.pk)
    try:
        if not paths:
            raise InputRefused("fișierele încărcate nu mai există pe server")
        request = request_from_options(paths, run.options, dry_run=run.dry_run)
        return run_import(
            request, user=run.user, origin=ImportRun.Origin.WEB, run=run, progress=progress
        )
    except InputRefused as exc:
        if run.status != ImportRun.Status.FAILED:
            _fail(run, str(exc))
        return run
    finally:
        progress.close()
        if run.upload_dir:
            shutil.rmtree(run.upload_dir, ignore_errors=True)
