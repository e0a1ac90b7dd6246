"""County roads (drumuri județene), the road-zone width rules and the derived zone bands."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from layers.models.base import SRID, gist_index, valid_geometry

ROAD_NUMBER_VALIDATOR = RegexValidator(
    r"^(DJ|DN|DC|A) \d{1,3}[A-Z]?$",
    _("Numărul drumului are forma „DJ 661” sau „DJ 107A”."),
)


class RoadCategory(models.TextChoices):
    MOTORWAY = "autostrada", _("autostradă")
    NATIONAL = "national", _("drum național")
    COUNTY = "judetean", _("drum județean")
    COMMUNAL = "comunal", _("drum comunal")


class CountyRoad(models.Model):
    """A road of the county network; kilometre positions are measured along its axis."""

    number = models.CharField(
        _("număr"), max_length=12, unique=True, validators=[ROAD_NUMBER_VALIDATOR]
    )
    name = models.CharField(_("denumire / traseu"), max_length=200, blank=True)
    administrator = models.CharField(_("administrator"), max_length=200, blank=True)
    category = models.CharField(
        _("categorie"), max_length=12, choices=RoadCategory.choices, default=RoadCategory.COUNTY
    )
    km_start = models.DecimalField(
        _("kilometraj la origine (km)"), max_digits=8, decimal_places=3, default=0
    )
    geom = models.MultiLineStringField(_("ax"), srid=SRID, spatial_index=False)

    class Meta:
        verbose_name = _("drum")
        verbose_name_plural = _("drumuri")
        ordering = ["number"]
        indexes = [gist_index("layers_countyroad")]
        constraints = [valid_geometry("layers_countyroad")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}".strip()


class RoadZoneRule(models.Model):
    """Widths of the road zone for a road category, inside or outside intravilan.

    Seeded from OG 43/1997 (see DOMAIN.md); editable because the law and local street
    profiles change. All widths are in metres.
    """

    category = models.CharField(_("categorie drum"), max_length=12, choices=RoadCategory.choices)
    intravilan = models.BooleanField(_("în intravilan"))
    ampriza_half_width = models.DecimalField(
        _("semilățime ampriză (m, din ax)"), max_digits=6, decimal_places=2
    )
    safety_width = models.DecimalField(
        _("zonă de siguranță (m, dincolo de ampriză)"), max_digits=6, decimal_places=2
    )
    protection_distance = models.DecimalField(
        _("limita zonei de protecție (m, din ax)"), max_digits=6, decimal_places=2
    )
    traffic_generator_distance = models.DecimalField(
        _("distanță minimă obiective generatoare de trafic (m, de la marginea părții carosabile)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
    )
    carriageway_half_width = models.DecimalField(
        _("semilățime parte carosabilă (m)"), max_digits=6, decimal_places=2, default=3.5
    )
    legal_basis = models.CharField(_("temei legal"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("regulă zonă drum")
        verbose_name_plural = _("reguli zonă drum")
        constraints = [
            models.UniqueConstraint(
                fields=["category", "intravilan"], name="layers_roadzonerule_uniq"
            ),
        ]

    def __str__(self) -> str:
        where = _("intravilan") if self.intravilan else _("extravilan")
        return f"{self.get_category_display()} – {where}"


class RoadZone(models.Model):
    """A band of the road zone, derived from the road axis and its rule (never edited)."""

    class Band(models.TextChoices):
        AMPRIZA = "ampriza", _("ampriză")
        SIGURANTA = "siguranta", _("zonă de siguranță")
        PROTECTIE = "protectie", _("zonă de protecție")

    road = models.ForeignKey(CountyRoad, models.CASCADE, related_name="zones")
    band = models.CharField(_("bandă"), max_length=10, choices=Band.choices)
    intravilan = models.BooleanField(_("în intravilan"))
    geom = models.MultiPolygonField(_("geometrie"), srid=SRID, spatial_index=False)

    class Meta:
        verbose_name = _("zonă a drumului")
        verbose_name_plural = _("zona drumului")
        indexes = [gist_index("layers_roadzone")]
        constraints = [
            valid_geometry("layers_roadzone"),
            models.UniqueConstraint(
                fields=["road", "band", "intravilan"], name="layers_roadzone_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.road.number} – {self.get_band_display()}"
