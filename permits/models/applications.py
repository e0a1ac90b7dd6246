"""Applications (cereri), their applicant (personal data), subject parcels, attachments,
the legal history of events and the act issued at the end."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.indexes import GistIndex
from django.core.validators import MinValueValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from permits.models.kinds import ApplicationKind, RequiredDocument
from permits.workflow import ApplicationWorkflow, State
from registratura.models import RegistryEntry

SRID: int = settings.SRID


class Applicant(models.Model):
    """Who asks: personal data (GDPR). Only officers ever see it; no public output,
    tracking answer, log line or history table holds it."""

    class Kind(models.TextChoices):
        PERSON = "pf", _("persoană fizică")
        COMPANY = "pj", _("persoană juridică")

    kind = models.CharField(_("tip"), max_length=2, choices=Kind.choices, default=Kind.PERSON)
    name = models.CharField(_("nume / denumire"), max_length=200)
    id_code = models.CharField(_("CNP / CUI"), max_length=20, blank=True)
    representative = models.CharField(_("reprezentant"), max_length=200, blank=True)
    address = models.CharField(_("domiciliu / sediu"), max_length=300, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telefon"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)

    class Meta:
        verbose_name = _("solicitant")
        verbose_name_plural = _("solicitanți")

    def __str__(self) -> str:
        return f"{_('solicitant')} #{self.pk}"


class Purpose(models.TextChoices):
    """Why a certificat de urbanism is asked for (Ordin 839/2009, form F.1)."""

    CONSTRUIRE = "construire", _("construire")
    DESFIINTARE = "desfiintare", _("desființare")
    NOTARIAL = "notarial", _("vânzare / dezmembrare / alipire")
    CONCESIONARE = "concesionare", _("concesionare")
    ALTELE = "altele", _("alte scopuri")


class Application(ApplicationWorkflow):
    """A request from the moment it is drafted until it is decided or withdrawn."""

    public_id = models.UUIDField(_("identificator public"), default=uuid.uuid4, unique=True)
    kind = models.ForeignKey(
        ApplicationKind, models.PROTECT, related_name="applications", verbose_name=_("tip")
    )
    purpose = models.CharField(_("scop"), max_length=20, choices=Purpose.choices, blank=True)
    purpose_detail = models.CharField(_("scop (detaliere)"), max_length=300, blank=True)
    description = models.TextField(_("obiectul cererii"), blank=True)
    location = models.CharField(_("amplasament (adresă)"), max_length=300, blank=True)
    applicant = models.OneToOneField(
        Applicant, models.PROTECT, related_name="application", verbose_name=_("solicitant")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="permit_applications",
        verbose_name=_("cont solicitant"),
    )
    access_key_hash = models.CharField(_("cheie de acces (hash)"), max_length=64, editable=False)
    footprint = models.MultiPolygonField(
        _("amprenta propusă"), srid=SRID, null=True, blank=True, spatial_index=False
    )
    access_point = models.PointField(
        _("punctul de acces la drum"), srid=SRID, null=True, blank=True, spatial_index=False
    )
    built_area = models.DecimalField(
        _("suprafață construită propusă (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    floor_area = models.DecimalField(
        _("suprafață desfășurată propusă (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    height = models.DecimalField(
        _("înălțime propusă (m)"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    levels = models.PositiveSmallIntegerField(_("niveluri propuse"), null=True, blank=True)
    proposed_use = models.CharField(_("funcțiunea propusă"), max_length=200, blank=True)
    traffic_generating = models.BooleanField(_("obiectiv generator de trafic"), default=False)
    registration = models.OneToOneField(
        RegistryEntry,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="application",
        verbose_name=_("număr de înregistrare"),
    )
    created_at = models.DateTimeField(_("creată la"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modificată la"), auto_now=True)
    submitted_at = models.DateTimeField(_("depusă la"), null=True, blank=True)
    analysis = models.JSONField(_("analiza spațială"), null=True, blank=True, editable=False)
    analysis_at = models.DateTimeField(_("analiză făcută la"), null=True, blank=True)
    needs_reanalysis = models.BooleanField(
        _("necesită o analiză nouă"),
        default=False,
        help_text=_("cadastrul s-a schimbat după ultima analiză"),
    )
    history = HistoricalRecords(excluded_fields=["access_key_hash", "analysis"])

    class Meta:
        verbose_name = _("cerere")
        verbose_name_plural = _("cereri")
        ordering = ["-created_at"]
        indexes = [
            GistIndex(fields=["footprint"], name="permits_application_fp_gist"),
            models.Index(fields=["state", "due_date"], name="permits_app_state_due"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(footprint__isnull=True) | Q(footprint__isvalid=True),
                name="permits_application_footprint_valid",
            ),
        ]

    def __str__(self) -> str:
        label = self.registration.label if self.registration_id else _("ciornă")
        return f"{self.kind.name} {label}"

    @property
    def registration_label(self) -> str | None:
        return self.registration.label if self.registration_id else None

    @property
    def is_open(self) -> bool:
        return self.state not in (State.DRAFT, State.ISSUED, State.REJECTED, State.WITHDRAWN)


class ApplicationParcel(models.Model):
    """A parcel named in the request: kept as written (UAT + cadastral number) and linked
    to the cadastre as it was when the request was made."""

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="parcels", verbose_name=_("cerere")
    )
    siruta = models.PositiveIntegerField(_("SIRUTA UAT"))
    cadastral_number = models.CharField(_("număr cadastral"), max_length=30)
    land_book_number = models.CharField(_("număr carte funciară"), max_length=30, blank=True)
    parcel = models.ForeignKey(
        "layers.Parcel",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imobil din cadastru"),
    )

    class Meta:
        verbose_name = _("imobil al cererii")
        verbose_name_plural = _("imobilele cererii")
        ordering = ["application_id", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "siruta", "cadastral_number"],
                name="permits_appparcel_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cadastral_number} (UAT {self.siruta})"


def attachment_path(instance: Attachment, filename: str) -> str:
    """Stored under a random name: the client's file name never reaches the file system."""
    suffix = PurePath(filename).suffix.lower()[:6]
    return f"permits/{instance.application.public_id}/anexe/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    """An uploaded document (PDF, JPEG or PNG, checked by content)."""

    application = models.ForeignKey(
        Application, models.CASCADE, related_name="attachments", verbose_name=_("cerere")
    )
    document = models.ForeignKey(
        RequiredDocument,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("document"),
    )
    file = models.FileField(_("fișier"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("nume original"), max_length=200)
    content_type = models.CharField(_("tip"), max_length=40)
    size = models.PositiveBigIntegerField(_("dimensiune (octeți)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_at = models.DateTimeField(_("încărcat la"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("încărcat de"),
    )

    class Meta:
        verbose_name = _("anexă")
        verbose_name_plural = _("anexe")
        ordering = ["application_id", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.document or _('anexă')} ({self.content_type})"


class ApplicationEvent(models.Model):
    """The legal history: who did what, when and why. Written by the services only."""

    class Action(models.TextChoices):
        CREATED = "created", _("cerere creată")
        SUBMITTED = "submitted", _("cerere depusă")
        REGISTERED = "registered", _("cerere înregistrată")
        TAKEN_IN_REVIEW = "taken_in_review", _("preluată în analiză")
        COMPLETION_REQUESTED = "completion_requested", _("completare solicitată")
        COMPLETED = "completed", _("documentație completată")
        ISSUED = "issued", _("act emis")
        REJECTED = "rejected", _("cerere respinsă")
        WITHDRAWN = "withdrawn", _("cerere retrasă")
        EXTENDED = "extended", _("valabilitate prelungită")
        ATTACHED = "attached", _("document atașat")
        CADASTRE_CHANGED = "cadastre_changed", _("cadastrul s-a modificat")
        ASSEMBLY_REQUESTED = "assembly_requested", _("dosar GIS solicitat")
        DOSSIER_CREATED = "dossier_created", _("dosar GIS generat")
        ASSEMBLY_FAILED = "assembly_failed", _("generarea dosarului a eșuat")
        ACCESS_KEY_RESET = "access_key_reset", _("cheie de urmărire reemisă")

    class Role(models.TextChoices):
        APPLICANT = "solicitant", _("solicitant")
        OFFICER = "functionar", _("funcționar")
        SYSTEM = "sistem", _("sistem")

    application = models.ForeignKey(
        Application, models.PROTECT, related_name="events", verbose_name=_("cerere")
    )
    at = models.DateTimeField(_("la"))
    action = models.CharField(_("acțiune"), max_length=24, choices=Action.choices)
    from_state = models.CharField(_("din starea"), max_length=24, blank=True)
    to_state = models.CharField(_("în starea"), max_length=24, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utilizator"),
    )
    role = models.CharField(_("rol"), max_length=12, choices=Role.choices)
    reason = models.TextField(_("motiv"), blank=True)
    data = models.JSONField(_("detalii"), default=dict, blank=True)
    public = models.BooleanField(_("vizibil solicitantului"), default=True)

    class Meta:
        verbose_name = _("eveniment")
        verbose_name_plural = _("istoricul cererii")
        ordering = ["application_id", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.at:%d.%m.%Y %H:%M})"


class IssuedAct(models.Model):
    """The act issued (CU, AC, AD, acord, autorizație): its own number and its validity."""

    application = models.OneToOneField(
        Application, models.PROTECT, related_name="act", verbose_name=_("cerere")
    )
    registration = models.OneToOneField(
        RegistryEntry, models.PROTECT, related_name="act", verbose_name=_("număr act")
    )
    issued_at = models.DateTimeField(_("emis la"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("emis de")
    )
    validity_months = models.PositiveSmallIntegerField(_("valabilitate (luni)"), null=True)
    valid_until = models.DateField(_("valabil până la"), null=True, blank=True)
    extended_until = models.DateField(_("prelungit până la"), null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("prelungiri"), default=0)
    notes = models.TextField(_("mențiuni"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("act emis")
        verbose_name_plural = _("acte emise")
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.application.kind.act_name} {self.registration.label}"

    @property
    def expires_on(self):
        return self.extended_until or self.valid_until
