"""What can be requested: kinds of application with their legal deadline, the act they end
in, its validity and the documents to attach. Data, seeded from DOMAIN.md and edited in
the admin when the law changes (permits.seed)."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from registratura.models import Register


class ApplicationKind(models.Model):
    """A kind of request (CU, AC, AD, road approvals, general requests)."""

    class Family(models.TextChoices):
        URBANISM = "urbanism", _("urbanism")
        ROADS = "drumuri", _("drumuri județene")
        GENERAL = "general", _("cereri generale")

    code = models.SlugField(_("cod"), max_length=40, unique=True)
    name = models.CharField(_("denumire"), max_length=200)
    act_name = models.CharField(_("actul emis"), max_length=200, blank=True)
    family = models.CharField(_("domeniu"), max_length=10, choices=Family.choices)
    legal_basis = models.CharField(_("temei legal"), max_length=255, blank=True)
    deadline_days = models.PositiveSmallIntegerField(
        _("termen de soluționare (zile calendaristice)"), null=True, blank=True
    )
    extended_deadline_days = models.PositiveSmallIntegerField(
        _("termen pentru cazuri complexe (zile)"), null=True, blank=True
    )
    register = models.ForeignKey(
        Register,
        models.PROTECT,
        related_name="application_kinds",
        verbose_name=_("registru de intrare"),
    )
    act_register = models.ForeignKey(
        Register,
        models.PROTECT,
        related_name="act_kinds",
        null=True,
        blank=True,
        verbose_name=_("registrul actelor emise"),
    )
    officer_group = models.CharField(
        _("grupul funcționarilor"),
        max_length=40,
        blank=True,
        help_text=_("gol: orice funcționar"),
    )
    needs_subject = models.BooleanField(_("cere imobil sau amplasament"), default=False)
    asks_purpose = models.BooleanField(_("cere scopul (CU)"), default=False)
    asks_building = models.BooleanField(_("cere indicatorii construcției propuse"), default=False)
    asks_access = models.BooleanField(_("cere punctul de acces la drum"), default=False)
    builds_dossier = models.BooleanField(_("se asamblează dosarul GIS"), default=False)
    anonymous_allowed = models.BooleanField(_("se poate depune fără cont"), default=True)
    validity_months_min = models.PositiveSmallIntegerField(
        _("valabilitate minimă (luni)"), null=True, blank=True
    )
    validity_months_max = models.PositiveSmallIntegerField(
        _("valabilitate maximă (luni)"), null=True, blank=True
    )
    validity_months_default = models.PositiveSmallIntegerField(
        _("valabilitate implicită (luni)"), null=True, blank=True
    )
    extension_months_max = models.PositiveSmallIntegerField(
        _("prelungire maximă (luni, o singură dată)"), null=True, blank=True
    )
    extension_notice_days = models.PositiveSmallIntegerField(
        _("prelungirea se cere cu cel puțin (zile înainte de expirare)"), null=True, blank=True
    )
    completion_resets_clock = models.BooleanField(
        _("completarea repornește termenul de la zero"),
        default=False,
        help_text=_("altfel termenul continuă cu zilele rămase"),
    )
    prerequisite = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("necesită un act valabil de tipul"),
    )
    notes = models.TextField(_("observații"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordine"), default=100)
    active = models.BooleanField(_("activ"), default=True)

    class Meta:
        verbose_name = _("tip de cerere")
        verbose_name_plural = _("tipuri de cereri")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class RequiredDocument(models.Model):
    """A document the applicant attaches to a kind of request."""

    kind = models.ForeignKey(
        ApplicationKind, models.CASCADE, related_name="documents", verbose_name=_("tip de cerere")
    )
    code = models.SlugField(_("cod"), max_length=40)
    name = models.CharField(_("denumire"), max_length=255)
    mandatory = models.BooleanField(_("obligatoriu"), default=True)
    order = models.PositiveSmallIntegerField(
        _("ordine"), default=0, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )

    class Meta:
        verbose_name = _("document necesar")
        verbose_name_plural = _("documente necesare")
        ordering = ["kind_id", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "code"], name="permits_requireddoc_uniq")
        ]

    def __str__(self) -> str:
        return self.name
