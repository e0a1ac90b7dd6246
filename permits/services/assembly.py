"""Auto-assembly of the GIS dossier: spatial analysis (layers.analysis), map extracts
(layers.publishing.extracts) and the PDF (cover, analysis tables, extracts, draft act).

Runs in the procrastinate worker (permits.tasks); the AssemblyRun row is its progress and
outcome. Each finished run stores a new immutable Dossier version.
"""

from __future__ import annotations

import logging
import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.gis.geos import GEOSGeometry
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from layers import analysis as layers_analysis
from layers.models import Building, LandUse, Parcel
from permits.models import (
    Application,
    ApplicationEvent,
    ApplicationParcel,
    AssemblyRun,
    Dossier,
)
from permits.services import documents
from permits.services.applications import record_event
from permits.services.files import delete_unless_committed
from permits.workflow import OPEN_STATES

logger = logging.getLogger(__name__)
Action = ApplicationEvent.Action

# Which extracts each family of kinds gets, in order.
EXTRACT_KINDS = {
    "urbanism": ("incadrare", "situatie"),
    "drumuri": ("incadrare", "situatie", "acces"),
}
# The extract's frame on the page (mm): A4 less the margins of permits/pdf/base.html
# (210 - 20 - 16 = 174 mm of text width) and the frame's border; printed at this size the
# stated scale is exact.
FRAME_MM = (170, 130)
EXTRACT_TITLES = {
    "incadrare": "Plan de încadrare în zonă",
    "situatie": "Plan de situație",
    "acces": "Plan de situație – accesul la drumul județean",
}


@dataclass
class ExtractImage:
    """A map extract ready for the PDF (bytes served by the in-memory fetcher)."""

    key: str
    title: str
    image: bytes
    mime_type: str
    scale: int
    extent: tuple[float, float, float, float]
    dpi: int
    width_px: int
    height_px: int

    @property
    def width_mm(self) -> float:
        return round(self.width_px / self.dpi * 25.4, 2)

    @property
    def url(self) -> str:
        extension = "jpg" if self.mime_type == "image/jpeg" else "png"
        return f"{documents.RESOURCE_SCHEME}{self.key}.{extension}"


# Queueing ---------------------------------------------------------------------------------
def request_assembly(*, application: Application, reason: str, user=None) -> AssemblyRun:
    """Queue an assembly after the current transaction commits; an already queued run of
    the same application is reused rather than duplicated."""
    queued = application.assembly_runs.filter(status=AssemblyRun.Status.QUEUED).first()
    if queued is not None:
        return queued
    run = AssemblyRun.objects.create(
        application=application,
        reason=reason,
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    record_event(
        application=application,
        action=Action.ASSEMBLY_REQUESTED,
        user=user,
        as_officer=user is not None and user.is_authenticated,
        system=user is None or not user.is_authenticated,
        data={"run": run.pk, "reason": reason},
        public=False,
    )
    from permits.tasks import assemble_dossier

    transaction.on_commit(lambda: assemble_dossier.defer(run_id=run.pk))
    return run


@transaction.atomic
def flag_cadastre_change(
    *, parcel_ids: list[int] = (), parcel_keys: list[tuple[int, str]] = ()
) -> list[int]:
    """Open applications on changed parcels need a fresh analysis: flag them, record it
    and queue a new dossier. A request names its parcels by id (linked when filed), by
    key (UAT SIRUTA, cadastral number: the only trace of a parcel an import deleted, whose
    link is then gone) or by a drawn footprint that meets a changed parcel."""
    parcel_ids = sorted({int(pk) for pk in parcel_ids})
    keys = sorted({(int(siruta), str(number)) for siruta, number in parcel_keys})
    if not parcel_ids and not keys:
        return []
    touching = Q(parcels__parcel_id__in=parcel_ids)
    if keys:
        named = ApplicationParcel.objects.filter(
            siruta__in={s for s, _ in keys}, cadastral_number__in={n for _, n in keys}
        ).values_list("application_id", "siruta", "cadastral_number")
        touching |= Q(pk__in=[pk for pk, s, n in named if (s, n) in set(keys)])
    changed = Parcel.objects.filter(pk__in=parcel_ids)
    if parcel_ids and changed.exists():
        touching |= Q(footprint__isnull=False, footprint__intersects=_union_of(changed))
    ids_query = Application.objects.filter(state__in=OPEN_STATES).filter(touching).values("pk")
    open_apps = (
        Application.objects.filter(pk__in=ids_query, state__in=OPEN_STATES)
        .select_related("kind")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    data: dict[str, Any] = {"parcels": parcel_ids[:50]}
    if keys:
        data["cadastral_numbers"] = [f"{n} (UAT {s})" for s, n in keys[:50]]
    ids = []
    for application in open_apps:
        ids.append(application.pk)
        Application.objects.filter(pk=application.pk).update(needs_reanalysis=True)
        record_event(
            application=application,
            action=Action.CADASTRE_CHANGED,
            system=True,
            data=data,
            public=False,
        )
        if application.kind.builds_dossier:
            request_assembly(application=application, reason=AssemblyRun.Reason.CADASTRE)
    return ids


def _union_of(parcels) -> GEOSGeometry | None:
    union = None
    for geom in parcels.values_list("geom", flat=True):
        union = geom if union is None else union.union(geom)
    return union


# The run --------------------------------------------------------------------------------
def _claim(run_id: int) -> bool:
    """Mark a queued run as running; False if it already ran (a retried job)."""
    return bool(
        AssemblyRun.objects.filter(pk=run_id, status=AssemblyRun.Status.QUEUED).update(
            status=AssemblyRun.Status.RUNNING, started_at=timezone.now(), progress=1
        )
    )


def _progress(run: AssemblyRun, progress: int, step: str) -> None:
    run.progress, run.step = progress, step
    AssemblyRun.objects.filter(pk=run.pk).update(progress=progress, step=step)


def subject_of(application: Application) -> GEOSGeometry:
    """The parcels named in the request (their union), else the drawn footprint."""
    parcels = [(p.siruta, p.cadastral_number) for p in application.parcels.all()]
    if parcels:
        return layers_analysis.subject_geometry(parcels)
    if application.footprint is None:
        raise layers_analysis.InvalidSubject("Cererea nu are imobil sau amplasament.")
    return application.footprint


def proposed_of(application: Application) -> dict[str, Any]:
    proposed: dict[str, Any] = {}
    for name in ("built_area", "floor_area", "height"):
        value = getattr(application, name)
        if value is not None:
            proposed[name] = float(value)
    if application.levels is not None:
        proposed["levels"] = application.levels
    if application.proposed_use:
        proposed["use"] = application.proposed_use
    if application.traffic_generating:
        proposed["traffic_generating"] = True
    if application.access_point is not None:
        proposed["access_point"] = application.access_point
    if application.footprint is not None and application.parcels.exists():
        proposed["footprint"] = application.footprint
    if application.purpose == "desfiintare" or application.kind.code == "ad":
        proposed["demolish_existing"] = True
    return proposed


def cadastre_of(application: Application) -> list[dict[str, Any]]:
    """The parcels as the cadastre has them now: areas, land uses and buildings (no owners,
    so the dossier can be shown to the applicant)."""
    rows = []
    links = ApplicationParcel.objects.filter(application=application).select_related("parcel__uat")
    for link in links:
        parcel = link.parcel
        row: dict[str, Any] = {
            "siruta": link.siruta,
            "cadastral_number": link.cadastral_number,
            "land_book_number": link.land_book_number,
            "uat": None,
            "area_m2": None,
            "legal_area_m2": None,
            "intravilan": None,
            "address": "",
            "land_uses": [],
            "buildings": [],
        }
        if parcel is not None:
            row.update(
                uat=parcel.uat.name,
                area_m2=round(parcel.measured_area or 0, 2),
                legal_area_m2=float(parcel.legal_area) if parcel.legal_area else None,
                intravilan=parcel.intravilan,
                address=parcel.address,
                land_uses=[
                    {
                        "category": u.category,
                        "label": u.get_category_display(),
                        "area_m2": float(u.area),
                        "intravilan": u.intravilan,
                    }
                    for u in LandUse.objects.filter(parcel=parcel).order_by("pk")
                ],
                buildings=[
                    {
                        "label": b.label,
                        "destination": b.get_destination_display(),
                        "levels": b.levels,
                        "area_m2": round(b.built_area or 0, 2),
                    }
                    for b in Building.objects.filter(parcel=parcel).order_by("number")
                ],
            )
        rows.append(row)
    return rows


def render_extracts(
    *, application: Application, subject: GEOSGeometry
) -> tuple[list[ExtractImage], list[str]]:
    """The map extracts of the kind's family, as JPEG (WeasyPrint embeds JPEG data as it
    is, while it re-compresses every PNG). A failed extract is a warning, not a failed
    dossier (the officer sees which one is missing and can regenerate)."""
    from layers.publishing.extracts import render_extracts as render

    kinds, specs = [], []
    for kind in EXTRACT_KINDS.get(application.kind.family, ()):
        center = None
        if kind == "acces":
            if application.access_point is None:
                continue
            center = application.access_point
        kinds.append(kind)
        specs.append(
            {
                "subject": subject,
                "kind": kind,
                "center": center,
                "image_format": "jpeg",
                "width_mm": FRAME_MM[0],
                "height_mm": FRAME_MM[1],
            }
        )
    try:
        results = render(specs) if specs else []
    except Exception as exc:  # MapServer or data trouble must not lose the dossier
        results = [exc] * len(kinds)
    images, warnings = [], []
    for kind, extract in zip(kinds, results, strict=True):
        if isinstance(extract, Exception):
            logger.warning("extract %s of application %s failed", kind, application.pk)
            warnings.append(f"{EXTRACT_TITLES[kind]}: nu a putut fi generat ({extract}).")
            continue
        images.append(
            ExtractImage(
                key=f"extract-{kind}",
                title=extract.title or EXTRACT_TITLES[kind],
                image=extract.image,
                mime_type=extract.mime_type,
                scale=extract.scale,
                extent=tuple(extract.extent),
                dpi=extract.dpi,
                width_px=extract.width_px,
                height_px=extract.height_px,
            )
        )
    return images, warnings


def build_dossier_pdf(
    *,
    application: Application,
    analysis: dict[str, Any],
    cadastre: list[dict[str, Any]],
    extracts: list[ExtractImage],
    version: int,
    generated_at: datetime,
    warnings: list[str] | None = None,
) -> documents.RenderedPdf:
    from permits.services.acts import dossier_context

    context = dossier_context(
        application=application,
        analysis=analysis,
        cadastre=cadastre,
        extracts=extracts,
        version=version,
        generated_at=generated_at,
        warnings=warnings or [],
    )
    resources = {image.url: (image.image, image.mime_type) for image in extracts}
    return documents.render_pdf(
        template="permits/pdf/dossier.html", context=context, resources=resources
    )


def execute_run(*, run_id: int) -> AssemblyRun | None:
    """Run one queued assembly to the end; None if it was not queued (already ran)."""
    if not _claim(run_id):
        return None
    run = AssemblyRun.objects.select_related("application__kind").get(pk=run_id)
    application = run.application
    timings: dict[str, float] = {}
    started = time.perf_counter()
    try:
        _progress(run, 10, "analiza spațială")
        subject = subject_of(application)
        mark = time.perf_counter()
        analysis = layers_analysis.analyse(subject, proposed=proposed_of(application))
        analysis["parcels"] = cadastre_of(application)
        timings["analysis"] = time.perf_counter() - mark

        _progress(run, 35, "extrase de plan")
        mark = time.perf_counter()
        extracts, warnings = render_extracts(application=application, subject=subject)
        timings["extracts"] = time.perf_counter() - mark

        _progress(run, 70, "document PDF")
        mark = time.perf_counter()
        generated_at = timezone.now()
        version = (application.dossiers.aggregate(v=Max("version"))["v"] or 0) + 1
        pdf = build_dossier_pdf(
            application=application,
            analysis=analysis,
            cadastre=analysis["parcels"],
            extracts=extracts,
            version=version,
            generated_at=generated_at,
            warnings=warnings,
        )
        timings["pdf"] = time.perf_counter() - mark

        _progress(run, 90, "salvare")
        dossier = _store(run=run, analysis=analysis, pdf=pdf, version=version)
        run.warnings = warnings
    except Exception as exc:
        logger.exception("assembly run %s failed", run_id)
        run.status = AssemblyRun.Status.FAILED
        run.error = f"{type(exc).__name__}: {exc}"[:2000]
        run.finished_at = timezone.now()
        run.timings = timings
        run.save(update_fields=["status", "error", "finished_at", "timings"])
        record_event(
            application=application,
            action=Action.ASSEMBLY_FAILED,
            system=True,
            reason=run.error,
            data={"run": run.pk, "trace": traceback.format_exc(limit=3)[-1500:]},
            public=False,
        )
        return run
    timings["total"] = time.perf_counter() - started
    run.status = AssemblyRun.Status.DONE
    run.progress = 100
    run.step = f"dosar v{dossier.version}"
    run.finished_at = timezone.now()
    run.timings = {k: round(v, 4) for k, v in timings.items()}
    run.save(update_fields=["status", "progress", "step", "finished_at", "timings", "warnings"])
    return run


@transaction.atomic
def _store(
    *, run: AssemblyRun, analysis: dict[str, Any], pdf: documents.RenderedPdf, version: int
) -> Dossier:
    """Save the PDF as the next version (under the application's row lock)."""
    application = Application.objects.select_for_update().get(pk=run.application_id)
    latest = application.dossiers.aggregate(v=Max("version"))["v"] or 0
    version = max(version, latest + 1)
    dossier = Dossier(
        application=application,
        version=version,
        sha256=pdf.sha256,
        size=len(pdf.data),
        pages=pdf.pages,
        run=run,
        analysis=analysis,
    )
    dossier.file.save(f"dosar-v{version}.pdf", ContentFile(pdf.data), save=False)
    delete_unless_committed(dossier.file.storage, dossier.file.name)
    dossier.save()
    application.analysis = analysis
    application.analysis_at = timezone.now()
    # Still stale if the cadastre changed again and another run is waiting.
    application.needs_reanalysis = application.assembly_runs.filter(
        status=AssemblyRun.Status.QUEUED
    ).exists()
    Application.objects.filter(pk=application.pk).update(
        analysis=application.analysis,
        analysis_at=application.analysis_at,
        needs_reanalysis=application.needs_reanalysis,
    )
    record_event(
        application=application,
        action=Action.DOSSIER_CREATED,
        system=True,
        data={"version": version, "sha256": pdf.sha256, "pages": pdf.pages},
        public=False,
    )
    return dossier
