"""Registers of numbered documents (registratură): a gap-free number per register and year.

One numbering mechanism for the whole institution: the permit module numbers its requests
and acts here, and the register of documents numbers front-desk entries and answers in the
same registers. An entry says what it was given to (`reference`). The tables keep their
original `permits_*` names: the models moved from `permits` without moving data.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Register(models.Model):
    """A numbering register, e.g. incoming urbanism requests or issued certificates."""

    code = models.SlugField(_("cod"), max_length=30, unique=True)
    name = models.CharField(_("denumire"), max_length=200)
    prefix = models.CharField(
        _("prefix afișat"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z][A-Z0-9]{0,11}$", _("Majuscule și cifre."))],
        help_text=_("ex. „CU” în „CU-12/2025”"),
    )

    class Meta:
        verbose_name = _("registru")
        verbose_name_plural = _("registre")
        ordering = ["code"]
        db_table = "permits_register"

    def __str__(self) -> str:
        return self.name


class RegisterCounter(models.Model):
    """The last number given in a register in one calendar year (Europe/Bucharest).

    Updated under SELECT ... FOR UPDATE in the transaction that uses the number, so a
    rollback gives the number back and nothing is ever skipped or given twice.
    """

    register = models.ForeignKey(
        Register, models.PROTECT, related_name="counters", verbose_name=_("registru")
    )
    year = models.PositiveSmallIntegerField(_("an"))
    last_number = models.PositiveIntegerField(_("ultimul număr"), default=0)
    last_at = models.DateTimeField(_("ultima înregistrare"), null=True, blank=True)

    class Meta:
        verbose_name = _("contor de registru")
        verbose_name_plural = _("contoare de registru")
        db_table = "permits_registercounter"
        constraints = [
            models.UniqueConstraint(fields=["register", "year"], name="permits_counter_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.register.code} {self.year}: {self.last_number}"


class RegistryEntry(models.Model):
    """One number given in a register; never deleted, never given again."""

    register = models.ForeignKey(
        Register, models.PROTECT, related_name="entries", verbose_name=_("registru")
    )
    year = models.PositiveSmallIntegerField(_("an"))
    number = models.PositiveIntegerField(_("număr"))
    registered_at = models.DateTimeField(_("data înregistrării"))
    reference = models.CharField(_("document"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("înregistrat de"),
    )

    class Meta:
        verbose_name = _("înregistrare")
        verbose_name_plural = _("înregistrări")
        ordering = ["register_id", "year", "number"]
        db_table = "permits_registryentry"
        constraints = [
            models.UniqueConstraint(
                fields=["register", "year", "number"], name="permits_registryentry_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The number as written on documents and used to track a request: 'U-12/2025'."""
        return f"{self.register.prefix}-{self.number}/{self.year}"
