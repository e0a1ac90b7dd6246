"""The GIS dossier of an application: the background run that assembles it and every PDF
version it produced (immutable, with its SHA-256)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from permits.models.applications import Application


class AssemblyRun(models.Model):
    """One assembly job (analysis, map extracts, PDF): what the application shows as
    progress while the procrastinate worker runs it."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("în așteptare")
        RUNNING = "running", _("în lucru")
        DONE = "done", _("finalizat")
        FAILED = "failed", _("eșuat")

    class Reason(models.TextChoices):
        REGISTRATION = "registration", _("înregistrarea cererii")
        REQUEST = "request", _("la cerere")
        CADASTRE = "cadastre", _("modificarea cadastrului")

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="assembly_runs", verbose_name=_("cerere")
    )
    status = models.CharField(
        _("stare"), max_length=8, choices=Status.choices, default=Status.QUEUED
    )
    reason = models.CharField(_("motiv"), max_length=12, choices=Reason.choices)
    progress = models.PositiveSmallIntegerField(_("progres (%)"), default=0)
    step = models.CharField(_("etapa"), max_length=120, blank=True)
    warnings = models.JSONField(_("avertismente"), default=list, blank=True)
    error = models.TextField(_("eroare"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("solicitat de"),
    )
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)
    started_at = models.DateTimeField(_("început la"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminat la"), null=True, blank=True)
    timings = models.JSONField(_("durate (s)"), default=dict, blank=True)

    class Meta:
        verbose_name = _("asamblare dosar")
        verbose_name_plural = _("asamblări dosar")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.application} – {self.get_status_display()}"


def dossier_path(instance: Dossier, filename: str) -> str:
    return f"permits/{instance.application.public_id}/dosare/dosar-v{instance.version}.pdf"


class ImmutableError(Exception):
    """A stored dossier is never changed: regenerate, which makes a new version."""


class Dossier(models.Model):
    """A generated PDF dossier; version n+1 never replaces version n."""

    application = models.ForeignKey(
        Application, models.PROTECT, related_name="dossiers", verbose_name=_("cerere")
    )
    version = models.PositiveIntegerField(_("versiune"))
    file = models.FileField(_("fișier PDF"), upload_to=dossier_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("dimensiune (octeți)"))
    pages = models.PositiveIntegerField(_("pagini"))
    run = models.OneToOneField(
        AssemblyRun,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="dossier",
        verbose_name=_("asamblare"),
    )
    analysis = models.JSONField(_("analiza folosită"))
    created_at = models.DateTimeField(_("generat la"), auto_now_add=True)

    class Meta:
        verbose_name = _("dosar GIS")
        verbose_name_plural = _("dosare GIS")
        ordering = ["application_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["application", "version"], name="permits_dossier_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.application} v{self.version}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise ImmutableError("Un dosar generat nu se modifică; generați o versiune nouă.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableError("Un dosar generat nu se șterge.")
