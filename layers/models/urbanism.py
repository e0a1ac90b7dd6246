"""Urban plans (PUG/PUZ/PUD, Law 350/2001) and their reference zones (UTR) with rules."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from layers.models.base import SRID, gist_index, valid_geometry
from layers.models.cadastre import UAT


class UrbanPlan(models.Model):
    """An approved (or pending) urban plan with its council decision (HCL)."""

    class Kind(models.TextChoices):
        PUG = "PUG", _("Plan urbanistic general")
        PUZ = "PUZ", _("Plan urbanistic zonal")
        PUD = "PUD", _("Plan urbanistic de detaliu")

    class Status(models.TextChoices):
        IN_FORCE = "in_vigoare", _("în vigoare")
        EXPIRED = "expirat", _("expirat")
        DRAFT = "in_elaborare", _("în elaborare")

    uat = models.ForeignKey(UAT, models.PROTECT, related_name="urban_plans", verbose_name="UAT")
    kind = models.CharField(_("tip"), max_length=3, choices=Kind.choices)
    title = models.CharField(_("titlu"), max_length=255)
    decision_number = models.CharField(_("număr HCL"), max_length=30, blank=True)
    decision_date = models.DateField(_("data HCL"), null=True, blank=True)
    valid_until = models.DateField(_("valabil până la"), null=True, blank=True)
    status = models.CharField(
        _("stare"), max_length=12, choices=Status.choices, default=Status.IN_FORCE
    )
    document = models.FileField(_("document scanat"), upload_to="planuri/", blank=True)

    class Meta:
        verbose_name = _("plan urbanistic")
        verbose_name_plural = _("planuri urbanistice")
        ordering = ["uat_id", "kind", "title"]

    def __str__(self) -> str:
        return f"{self.kind} {self.title}"


class Zone(models.Model):
    """Unitate teritorială de referință (UTR): a zone with homogeneous planning rules."""

    plan = models.ForeignKey(
        UrbanPlan, models.CASCADE, related_name="zones", verbose_name=_("plan")
    )
    code = models.CharField(_("cod UTR"), max_length=20)
    name = models.CharField(_("denumire"), max_length=200)
    dominant_function = models.CharField(_("funcțiune dominantă"), max_length=200)
    allowed_uses = models.TextField(_("utilizări admise"), blank=True)
    conditioned_uses = models.TextField(_("utilizări admise cu condiții"), blank=True)
    forbidden_uses = models.TextField(_("utilizări interzise"), blank=True)
    pot_max = models.DecimalField(_("POT maxim (%)"), max_digits=5, decimal_places=2)
    cut_max = models.DecimalField(_("CUT maxim"), max_digits=5, decimal_places=2)
    height_max = models.DecimalField(
        _("înălțime maximă (m)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    levels_max = models.PositiveSmallIntegerField(
        _("număr maxim de niveluri supraterane"), null=True, blank=True
    )
    height_regime = models.CharField(_("regim de înălțime"), max_length=30, blank=True)
    notes = models.TextField(_("observații"), blank=True)
    geom = models.MultiPolygonField(_("geometrie"), srid=SRID, spatial_index=False)

    class Meta:
        verbose_name = _("UTR")
        verbose_name_plural = _("UTR-uri")
        ordering = ["plan_id", "code"]
        indexes = [gist_index("layers_zone")]
        constraints = [
            valid_geometry("layers_zone"),
            models.UniqueConstraint(fields=["plan", "code"], name="layers_zone_plan_code_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"
