"""Parcel history: every earlier state of an immovable, with the period it was valid."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from layers.models.base import SRID, gist_index
from layers.models.cadastre import Parcel


class ParcelVersion(models.Model):
    """A superseded version of a parcel (geometry and attributes), kept when it changes."""

    parcel = models.ForeignKey(
        Parcel, models.CASCADE, related_name="versions", verbose_name=_("imobil")
    )
    version = models.PositiveIntegerField(_("versiune"))
    land_book_number = models.CharField(_("număr carte funciară"), max_length=30, blank=True)
    eterra_id = models.BigIntegerField(_("identificator e-Terra"), null=True, blank=True)
    address = models.CharField(_("adresă"), max_length=255, blank=True)
    intravilan = models.BooleanField(_("în intravilan"), default=False)
    legal_area = models.DecimalField(
        _("suprafață din acte (m²)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    attributes = models.JSONField(_("alte atribute (folosințe, construcții)"), default=dict)
    geom = models.MultiPolygonField(_("geometrie"), srid=SRID, spatial_index=False)
    valid_from = models.DateTimeField(_("valabil de la"), null=True, blank=True)
    valid_to = models.DateTimeField(_("valabil până la"))
    source = models.CharField(_("sursă"), max_length=40, blank=True)
    import_ref = models.CharField(_("referință import"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("versiune anterioară a imobilului")
        verbose_name_plural = _("istoricul imobilelor")
        ordering = ["parcel_id", "-version"]
        indexes = [gist_index("layers_parcelversion")]
        constraints = [
            models.UniqueConstraint(fields=["parcel", "version"], name="layers_parcelversion_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.parcel} v{self.version}"
