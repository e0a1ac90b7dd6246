"""Cadastral and vector imports: every run is a record with its counters and report."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportRun(models.Model):
    """One import (command line or upload): what was read, by whom, and what it changed.

    The report holds the validation findings (repaired geometries, overlaps, area
    differences, parcels outside their UAT, duplicates, rejections); it never holds
    personal data from the files.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("în așteptare")
        RUNNING = "running", _("în lucru")
        SUCCESS = "success", _("reușit")
        WARNINGS = "warnings", _("reușit, cu avertismente")
        FAILED = "failed", _("eșuat")

    class Target(models.TextChoices):
        CGXML = "cgxml", _("imobile CGXML (parcele, folosințe, construcții, titulari)")
        PARCELS = "parcels", _("parcele")
        BUILDINGS = "buildings", _("construcții")
        ROADS = "roads", _("drumuri județene")
        ZONES = "zones", _("UTR-uri ale unui plan urbanistic")
        RESTRICTIONS = "restrictions", _("restricții")
        INTRAVILAN = "intravilan", _("intravilan")

    class Origin(models.TextChoices):
        CLI = "cli", _("linie de comandă")
        WEB = "web", _("încărcare web")

    status = models.CharField(
        _("stare"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    origin = models.CharField(_("origine"), max_length=3, choices=Origin.choices)
    target = models.CharField(_("destinație"), max_length=12, choices=Target.choices)
    dry_run = models.BooleanField(_("simulare (fără modificări)"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utilizator"),
    )
    requested_by = models.CharField(_("solicitat de"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)
    started_at = models.DateTimeField(_("început la"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminat la"), null=True, blank=True)
    files = models.JSONField(_("fișiere (nume, dimensiune, sha256)"), default=list)
    file_hash = models.CharField(_("amprentă fișiere (sha256)"), max_length=64, blank=True)
    upload_dir = models.CharField(_("director încărcare"), max_length=255, blank=True)
    options = models.JSONField(_("opțiuni"), default=dict)
    srs = models.CharField(_("sistem de coordonate sursă"), max_length=120, blank=True)
    axis_order = models.CharField(_("ordinea axelor X/Y folosită"), max_length=40, blank=True)
    created = models.PositiveIntegerField(_("create"), default=0)
    updated = models.PositiveIntegerField(_("actualizate"), default=0)
    unchanged = models.PositiveIntegerField(_("neschimbate"), default=0)
    rejected = models.PositiveIntegerField(_("respinse"), default=0)
    warnings = models.PositiveIntegerField(_("avertismente"), default=0)
    report = models.JSONField(_("raport"), default=dict)
    error = models.TextField(_("eroare"), blank=True)
    progress_stage = models.CharField(_("etapă"), max_length=60, blank=True)
    progress_done = models.PositiveBigIntegerField(_("progres"), default=0)
    progress_total = models.PositiveBigIntegerField(_("total"), default=0)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("importuri")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["file_hash"], name="import_run_file_hash_idx")]

    def __str__(self) -> str:
        return f"Import {self.pk} ({self.get_target_display()}, {self.get_status_display()})"

    def as_json(self) -> dict:
        """The run as the JSON document shared by the report page, the API and --report."""
        return {
            "id": self.pk,
            "status": self.status,
            "status_display": str(self.get_status_display()),
            "target": self.target,
            "dry_run": self.dry_run,
            "origin": self.origin,
            "requested_by": self.requested_by,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "files": self.files,
            "file_hash": self.file_hash,
            "srs": self.srs,
            "axis_order": self.axis_order,
            "counts": {
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "rejected": self.rejected,
            },
            "warnings": self.warnings,
            "error": self.error,
            "progress": {
                "stage": self.progress_stage,
                "done": self.progress_done,
                "total": self.progress_total,
                "percent": self.progress_percent,
            },
            "options": self.options,
            "report": self.report,
        }

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.SUCCESS, self.Status.WARNINGS, self.Status.FAILED}

    @property
    def progress_percent(self) -> int:
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
