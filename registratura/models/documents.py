"""The register of documents: every incoming and outgoing document is a numbered entry of a
register (the register book), with who sent it, what it is about, who handles it and by
when. Legal deadlines are data of the document kind, never constants in code."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registratura.models.registry import RegistryEntry


class Department(models.Model):
    """A department (compartiment) documents are assigned to."""

    code = models.SlugField(_("cod"), max_length=40, unique=True)
    name = models.CharField(_("denumire"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True, help_text=_("pentru memento-uri"))
    active = models.BooleanField(_("activ"), default=True)

    class Meta:
        verbose_name = _("compartiment")
        verbose_name_plural = _("compartimente")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DocumentKind(models.Model):
    """A kind of document with its legal deadline (calendar days from registration).

    Kinds that the permit module registers online carry the permit kind's code and
    deadline (created on first use from the permit kind's data)."""

    code = models.SlugField(_("cod"), max_length=40, unique=True)
    name = models.CharField(_("denumire"), max_length=200)
    legal_basis = models.CharField(_("temei legal"), max_length=255, blank=True)
    deadline_days = models.PositiveSmallIntegerField(
        _("termen de soluționare (zile calendaristice)"),
        null=True,
        blank=True,
        help_text=_("gol: fără termen legal"),
    )
    extended_deadline_days = models.PositiveSmallIntegerField(
        _("termen prelungit (zile)"), null=True, blank=True
    )
    department = models.ForeignKey(
        Department,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("compartiment implicit"),
    )
    notes = models.TextField(_("observații"), blank=True)
    order = models.PositiveSmallIntegerField(_("ordine"), default=100)
    active = models.BooleanField(_("activ"), default=True)

    class Meta:
        verbose_name = _("tip de document")
        verbose_name_plural = _("tipuri de documente")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


def _scan_path(instance: Document, filename: str) -> str:
    """Stored under a name of our own (never the client's), by year."""
    return f"registratura/{instance.entry.year}/{instance.entry_id}{PurePath(filename).suffix}"


class Document(models.Model):
    """One line of the register book: a numbered incoming or outgoing document."""

    class Direction(models.TextChoices):
        INCOMING = "intrare", _("intrare")
        OUTGOING = "iesire", _("ieșire")

    class Channel(models.TextChoices):
        DESK = "ghiseu", _("ghișeu")
        POST = "posta", _("poștă")
        EMAIL = "email", _("e-mail")
        ONLINE = "online", _("online")

    class Status(models.TextChoices):
        REGISTERED = "inregistrat", _("înregistrat")
        ASSIGNED = "repartizat", _("repartizat")
        RESOLVED = "solutionat", _("soluționat")
        FILED = "clasat", _("clasat")
        SENT = "expediat", _("expediat")

    OPEN = (Status.REGISTERED, Status.ASSIGNED)

    entry = models.OneToOneField(
        RegistryEntry,
        models.PROTECT,
        related_name="document",
        verbose_name=_("număr de înregistrare"),
    )
    direction = models.CharField(_("sens"), max_length=7, choices=Direction.choices)
    channel = models.CharField(_("canal"), max_length=6, choices=Channel.choices)
    kind = models.ForeignKey(
        DocumentKind,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("tip de document"),
    )
    # Personal data: shown to officers only.
    correspondent_name = models.CharField(_("expeditor / destinatar"), max_length=200)
    correspondent_address = models.CharField(_("adresă"), max_length=300, blank=True)
    correspondent_contact = models.CharField(
        _("contact (e-mail, telefon)"), max_length=200, blank=True
    )
    subject = models.CharField(_("conținut pe scurt"), max_length=500)
    pages = models.PositiveSmallIntegerField(_("număr de file"), null=True, blank=True)
    department = models.ForeignKey(
        Department,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("compartiment"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("funcționar"),
    )
    assigned_at = models.DateTimeField(_("repartizat la"), null=True, blank=True)
    due_date = models.DateField(_("termen"), null=True, blank=True)
    status = models.CharField(
        _("stare"), max_length=11, choices=Status.choices, default=Status.REGISTERED
    )
    resolved_at = models.DateTimeField(_("soluționat la"), null=True, blank=True)
    in_reply_to = models.ForeignKey(
        "self",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("răspuns la"),
    )
    file = models.FileField(_("document scanat"), upload_to=_scan_path, blank=True)
    file_name = models.CharField(_("nume fișier"), max_length=150, blank=True)
    file_type = models.CharField(_("tip fișier"), max_length=40, blank=True)
    file_size = models.PositiveIntegerField(_("mărime (octeți)"), null=True, blank=True)
    file_sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    notes = models.TextField(_("observații"), blank=True)
    # SHA-256 of the tracking key handed to the sender of an incoming request (on the
    # receipt at the desk; the portal's key for an online request): with the number, it
    # shows the request's state and the acts answering it, never anyone's personal data.
    access_key_hash = models.CharField(
        _("cheie de urmărire (hash)"), max_length=64, blank=True, editable=False
    )
    last_reminded_on = models.DateField(_("ultimul memento"), null=True, blank=True)
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("înregistrat de"),
    )

    class Meta:
        verbose_name = _("document înregistrat")
        verbose_name_plural = _("registrul de documente")
        ordering = ["-entry__registered_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "due_date"], name="registratura_doc_status_due"),
            models.Index(fields=["department", "status"], name="registratura_doc_dept"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction="iesire") | Q(in_reply_to__isnull=True),
                name="registratura_doc_reply_is_outgoing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entry.label} {self.subject[:60]}"

    @property
    def label(self) -> str:
        return self.entry.label

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN
