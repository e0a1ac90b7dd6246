"""Cadastre: UATs and their intravilan, parcels (imobile), land-use sub-parcels, buildings
and the protected register of owners and rights."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from layers.models.base import SRID, GeometryMD5, ST_Area, gist_index, valid_geometry


class UAT(models.Model):
    """Unitate administrativ-teritorială: municipality, town or commune, keyed by SIRUTA."""

    class Kind(models.TextChoices):
        MUNICIPIU = "municipiu", _("municipiu")
        ORAS = "oras", _("oraș")
        COMUNA = "comuna", _("comună")

    siruta = models.PositiveIntegerField(_("cod SIRUTA"), unique=True)
    name = models.CharField(_("denumire"), max_length=120)
    kind = models.CharField(_("tip"), max_length=10, choices=Kind.choices)
    county = models.CharField(_("județ"), max_length=60)
    geom = models.MultiPolygonField(_("limită"), srid=SRID, spatial_index=False)

    class Meta:
        verbose_name = _("UAT")
        verbose_name_plural = _("UAT-uri")
        ordering = ["name"]
        indexes = [gist_index("layers_uat")]
        constraints = [valid_geometry("layers_uat")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name} ({self.siruta})"


class Intravilan(models.Model):
    """A built-up area (intravilan) of a UAT, usually one per component locality."""

    uat = models.ForeignKey(UAT, models.CASCADE, related_name="intravilane", verbose_name="UAT")
    locality = models.CharField(_("localitate"), max_length=120)
    locality_siruta = models.PositiveIntegerField(_("SIRUTA localitate"), null=True, blank=True)
    geom = models.MultiPolygonField(_("geometrie"), srid=SRID, spatial_index=False)

    class Meta:
        verbose_name = _("intravilan")
        verbose_name_plural = _("intravilane")
        indexes = [gist_index("layers_intravilan")]
        constraints = [valid_geometry("layers_intravilan")]

    def __str__(self) -> str:
        return f"Intravilan {self.locality}"


class Parcel(models.Model):
    """An immovable (imobil) as registered in e-Terra: one cadastral number in one UAT."""

    uat = models.ForeignKey(UAT, models.PROTECT, related_name="parcels", verbose_name="UAT")
    cadastral_number = models.CharField(_("număr cadastral"), max_length=30)
    land_book_number = models.CharField(_("număr carte funciară"), max_length=30, blank=True)
    eterra_id = models.BigIntegerField(_("identificator e-Terra"), null=True, blank=True)
    address = models.CharField(_("adresă"), max_length=255, blank=True)
    intravilan = models.BooleanField(_("în intravilan"), default=False)
    legal_area = models.DecimalField(
        _("suprafață din acte (m²)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    measured_area = models.GeneratedField(
        verbose_name=_("suprafață măsurată (m²)"),
        expression=ST_Area(F("geom")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    geom = models.MultiPolygonField(_("geometrie"), srid=SRID, spatial_index=False)
    # Kept by the database, so it always describes the stored geometry, however changed.
    geom_md5 = models.GeneratedField(
        verbose_name=_("amprenta geometriei (md5 WKB)"),
        expression=GeometryMD5(F("geom")),
        output_field=models.CharField(max_length=32),
        db_persist=True,
    )
    # Provenance. layers imports no other app, so the import run is referenced by value.
    source = models.CharField(_("sursă"), max_length=40, blank=True)
    import_ref = models.CharField(_("referință import"), max_length=64, blank=True)
    imported_at = models.DateTimeField(_("importat la"), null=True, blank=True)
    # History: the current state is version `version`, valid since `valid_from`; earlier
    # states are ParcelVersion rows.
    version = models.PositiveIntegerField(_("versiune"), default=1, db_default=1)
    valid_from = models.DateTimeField(_("valabil de la"), null=True, blank=True)

    class Meta:
        verbose_name = _("imobil (parcelă)")
        verbose_name_plural = _("imobile (parcele)")
        ordering = ["uat_id", "cadastral_number"]
        indexes = [gist_index("layers_parcel")]
        constraints = [
            valid_geometry("layers_parcel"),
            models.UniqueConstraint(
                fields=["uat", "cadastral_number"], name="layers_parcel_uat_cadnr_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadastral_number} / {self.uat_id}"


class LandUse(models.Model):
    """A use-category sub-parcel of an immovable (e-Terra `Parcel` record)."""

    class Category(models.TextChoices):
        A = "A", _("arabil")
        P = "P", _("pășune")
        F = "F", _("fâneață")
        V = "V", _("vie")
        L = "L", _("livadă")
        PD = "PD", _("pădure")
        HR = "HR", _("ape curgătoare")
        HB = "HB", _("ape stătătoare")
        CC = "CC", _("curți-construcții")
        DR = "DR", _("drum")
        CF = "CF", _("căi ferate")
        N = "N", _("neproductiv")

    parcel = models.ForeignKey(
        Parcel, models.CASCADE, related_name="land_uses", verbose_name=_("imobil")
    )
    category = models.CharField(_("categorie de folosință"), max_length=2, choices=Category.choices)
    area = models.DecimalField(_("suprafață (m²)"), max_digits=14, decimal_places=2)
    intravilan = models.BooleanField(_("în intravilan"), default=False)
    land_plot = models.CharField(_("tarla"), max_length=30, blank=True)
    plot_number = models.CharField(_("parcela"), max_length=30, blank=True)
    title_number = models.CharField(_("titlu de proprietate"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("folosință")
        verbose_name_plural = _("folosințe")

    def __str__(self) -> str:
        return f"{self.category} {self.area} m²"


class Building(models.Model):
    """A building (construcție) of an immovable, numbered C1, C2, ... within it."""

    class Destination(models.TextChoices):
        CL = "CL", _("locuință")
        CA = "CA", _("anexă")
        CAS = "CAS", _("administrativ / social-cultural")
        CIE = "CIE", _("industrial / edilitar")

    parcel = models.ForeignKey(
        Parcel, models.CASCADE, related_name="buildings", verbose_name=_("imobil")
    )
    number = models.PositiveSmallIntegerField(_("număr (C)"))
    destination = models.CharField(_("destinație"), max_length=3, choices=Destination.choices)
    levels = models.PositiveSmallIntegerField(_("număr niveluri"), default=1)
    legal_area = models.DecimalField(
        _("suprafață construită la sol din acte (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
    )
    built_area = models.GeneratedField(
        verbose_name=_("suprafață construită la sol (m²)"),
        expression=ST_Area(F("geom")),
        output_field=models.FloatField(),
        db_persist=True,
    )
    geom = models.MultiPolygonField(_("amprentă"), srid=SRID, spatial_index=False)

    class Meta:
        verbose_name = _("construcție")
        verbose_name_plural = _("construcții")
        ordering = ["parcel_id", "number"]
        indexes = [gist_index("layers_building")]
        constraints = [
            valid_geometry("layers_building"),
            models.UniqueConstraint(fields=["parcel", "number"], name="layers_building_nr_uniq"),
        ]

    @property
    def label(self) -> str:
        return f"C{self.number}"

    def __str__(self) -> str:
        return f"{self.label} / {self.parcel}"


class PropertyRight(models.Model):
    """An owner or other right holder of an immovable: personal data (GDPR).

    Never published: no public view, layer, serializer or template reads this model.
    """

    class HolderKind(models.TextChoices):
        PERSON = "pf", _("persoană fizică")
        COMPANY = "pj", _("persoană juridică")
        PUBLIC = "pub", _("domeniu public / privat al statului sau UAT")

    class RightKind(models.TextChoices):
        OWNERSHIP = "proprietate", _("drept de proprietate")
        SUPERFICIES = "superficie", _("drept de superficie")
        USUFRUCT = "uzufruct", _("drept de uzufruct")
        ADMINISTRATION = "administrare", _("drept de administrare")
        CONCESSION = "concesiune", _("drept de concesiune")
        MORTGAGE = "ipoteca", _("ipotecă")

    parcel = models.ForeignKey(
        Parcel, models.CASCADE, related_name="rights", verbose_name=_("imobil")
    )
    holder_kind = models.CharField(_("tip titular"), max_length=3, choices=HolderKind.choices)
    holder_name = models.CharField(_("nume titular"), max_length=200)
    holder_id_code = models.CharField(_("CNP / CUI"), max_length=20, blank=True)
    # In a condominium the right bears on one individual unit (U.I., an apartment) of
    # the building, not on the whole immovable: its identifier in the land book.
    unit = models.CharField(
        _("unitate individuală"), max_length=40, blank=True, default="", db_default=""
    )
    right_kind = models.CharField(_("drept"), max_length=20, choices=RightKind.choices)
    share = models.CharField(_("cotă"), max_length=20, default="1/1")
    deed = models.CharField(_("act"), max_length=255, blank=True)
    registered_on = models.DateField(_("data înscrierii"), null=True, blank=True)

    class Meta:
        verbose_name = _("titular de drept")
        verbose_name_plural = _("titulari de drepturi")

    def __str__(self) -> str:
        return f"{self.get_right_kind_display()} – {self.parcel}"
