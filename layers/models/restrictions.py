"""Restriction layers: heritage, Natura 2000, flood risk, utility easements and the like."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from layers.models.base import SRID, gist_index, valid_geometry


class Restriction(models.Model):
    """An area where building needs an extra approval (aviz) from a named authority."""

    class Kind(models.TextChoices):
        MONUMENT = "monument", _("monument istoric")
        MONUMENT_PROTECTION = "zona_protectie_monument", _("zonă de protecție a monumentului")
        NATURA2000 = "natura2000", _("sit Natura 2000")
        FLOOD = "inundabil", _("zonă inundabilă")
        UTILITY_EASEMENT = "servitute_utilitati", _("culoar / servitute rețele")
        AIRPORT = "aeroport", _("zonă de servitute aeronautică")
        OTHER = "altele", _("altă restricție")

    kind = models.CharField(_("tip"), max_length=30, choices=Kind.choices)
    code = models.CharField(_("cod"), max_length=60, blank=True)
    name = models.CharField(_("denumire"), max_length=255)
    legal_basis = models.CharField(_("temei legal"), max_length=255, blank=True)
    authority = models.CharField(_("autoritate avizatoare"), max_length=255, blank=True)
    approval = models.CharField(_("aviz / acord necesar"), max_length=255, blank=True)
    geom = models.MultiPolygonField(_("geometrie"), srid=SRID, spatial_index=False)

    class Meta:
        verbose_name = _("restricție")
        verbose_name_plural = _("restricții")
        ordering = ["kind", "name"]
        indexes = [gist_index("layers_restriction")]
        constraints = [valid_geometry("layers_restriction")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"
