"""The layer registry: what is published (web map, WMS/WFS, map extracts) and how it looks.

The MapServer mapfiles are generated from these rows (layers.publishing.mapfile), one per
audience, so a layer restricted to some groups does not even exist for the others.
"""

from __future__ import annotations

from django.contrib.auth.models import Group as AuthGroup
from django.contrib.postgres.fields import ArrayField
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

LAYER_NAME_VALIDATOR = RegexValidator(
    r"^[a-z][a-z0-9_]{1,39}$", _("Litere mici, cifre și _, începând cu o literă.")
)
COLOR_VALIDATOR = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Culoare în forma #rrggbb."))
IDENTIFIER_VALIDATOR = RegexValidator(r"^[a-z_][a-z0-9_]*$", _("Nume de coloană invalid."))


class Layer(models.Model):
    """A published layer. `name` is its stable public name in WMS/WFS and the web map."""

    class Group(models.TextChoices):
        CADASTRU = "cadastru", _("Cadastru")
        DRUMURI = "drumuri", _("Drumuri județene")
        URBANISM = "urbanism", _("Urbanism")
        RESTRICTII = "restrictii", _("Restricții")
        FUNDAL = "fundal", _("Fundal")

    class SourceKind(models.TextChoices):
        VIEW = "view", _("vedere / tabel PostGIS (schema ows)")
        RASTER = "raster", _("fișier raster (GeoTIFF)")
        WMS = "wms", _("strat WMS extern")

    class GeometryType(models.TextChoices):
        POLYGON = "polygon", _("poligon")
        LINE = "line", _("linie")
        POINT = "point", _("punct")
        RASTER = "raster", _("raster")

    class Access(models.TextChoices):
        PUBLIC = "public", _("public")
        RESTRICTED = "restricted", _("doar grupurile indicate")

    name = models.CharField(
        _("nume"), max_length=40, unique=True, validators=[LAYER_NAME_VALIDATOR]
    )
    title = models.CharField(_("titlu"), max_length=120)
    abstract = models.TextField(_("descriere"), blank=True)
    group = models.CharField(_("grup"), max_length=12, choices=Group.choices)
    order = models.PositiveSmallIntegerField(_("ordine (de jos în sus)"), default=100)
    source_kind = models.CharField(_("tip sursă"), max_length=6, choices=SourceKind.choices)
    source = models.CharField(
        _("sursă"),
        max_length=500,
        help_text=_("vedere din schema ows, cale de fișier raster sau URL WMS"),
    )
    source_layer = models.CharField(_("strat WMS extern"), max_length=120, blank=True)
    geometry_type = models.CharField(_("geometrie"), max_length=8, choices=GeometryType.choices)
    min_scale = models.PositiveIntegerField(_("scară minimă (1:N)"), null=True, blank=True)
    max_scale = models.PositiveIntegerField(_("scară maximă (1:N)"), null=True, blank=True)
    label_attribute = models.CharField(
        _("atribut etichetă"), max_length=63, blank=True, validators=[IDENTIFIER_VALIDATOR]
    )
    label_max_scale = models.PositiveIntegerField(
        _("etichete până la scara 1:N"), null=True, blank=True
    )
    queryable_attributes = ArrayField(
        models.CharField(max_length=63, validators=[IDENTIFIER_VALIDATOR]),
        verbose_name=_("atribute publicate"),
        default=list,
        blank=True,
    )
    access = models.CharField(
        _("acces"), max_length=10, choices=Access.choices, default=Access.PUBLIC
    )
    allowed_groups = models.ManyToManyField(
        AuthGroup, blank=True, verbose_name=_("grupuri cu acces"), related_name="layers"
    )
    enabled = models.BooleanField(_("publicat"), default=True)

    class Meta:
        verbose_name = _("strat")
        verbose_name_plural = _("straturi")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return f"{self.title} ({self.name})"


class StyleClass(models.Model):
    """One symbol class of a layer; `filter_attribute = filter_value` selects its features."""

    layer = models.ForeignKey(Layer, models.CASCADE, related_name="classes")
    name = models.CharField(_("denumire (legendă)"), max_length=120)
    order = models.PositiveSmallIntegerField(_("ordine"), default=0)
    filter_attribute = models.CharField(
        _("atribut filtru"), max_length=63, blank=True, validators=[IDENTIFIER_VALIDATOR]
    )
    filter_value = models.CharField(_("valoare filtru"), max_length=120, blank=True)
    fill_color = models.CharField(
        _("culoare umplere"), max_length=7, blank=True, validators=[COLOR_VALIDATOR]
    )
    fill_opacity = models.PositiveSmallIntegerField(_("opacitate umplere (%)"), default=100)
    stroke_color = models.CharField(
        _("culoare contur"), max_length=7, blank=True, validators=[COLOR_VALIDATOR]
    )
    stroke_width = models.DecimalField(
        _("grosime contur (px)"), max_digits=4, decimal_places=1, default=1
    )
    label_color = models.CharField(
        _("culoare etichetă"), max_length=7, blank=True, validators=[COLOR_VALIDATOR]
    )
    label_size = models.PositiveSmallIntegerField(_("mărime etichetă (pt)"), default=8)

    class Meta:
        verbose_name = _("clasă de simbolizare")
        verbose_name_plural = _("clase de simbolizare")
        ordering = ["layer_id", "order", "pk"]

    def __str__(self) -> str:
        return f"{self.layer.name}: {self.name}"
