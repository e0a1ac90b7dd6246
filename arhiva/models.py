"""The digital archive: scanned dossiers of past acts made searchable (OCR, full-text
search in Romanian without diacritics), linked to parcels, kept as long as the
nomenclator arhivistic says and disposed of only by an officer's recorded decision."""

from __future__ import annotations

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from layers.models import UAT, Parcel
from registratura.models import RegistryEntry

SRID: int = settings.SRID
# The custom text search configuration (romanian stemming after unaccent), made by
# migration 0002; every to_tsvector / websearch_to_tsquery of the archive names it.
TS_CONFIG = "public.arhiva_ro"


class RetentionClass(models.Model):
    """An entry of the nomenclator arhivistic: how long a kind of record is kept.

    `years` is null for permanent records ("P"); the values are data, not code, because
    each institution's nomenclator is approved by the National Archives on its own."""

    code = models.CharField(_("indicativ"), max_length=10, unique=True)
    name = models.CharField(_("denumire"), max_length=200)
    years = models.PositiveSmallIntegerField(
        _("termen de păstrare (ani)"), null=True, blank=True, help_text=_("gol = permanent")
    )

    class Meta:
        verbose_name = _("termen de păstrare")
        verbose_name_plural = _("nomenclator arhivistic")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class DocumentKind(models.Model):
    """A kind of archived act (CU, AC, AD, acord prealabil ...) and its default retention."""

    code = models.SlugField(_("cod"), max_length=20, unique=True)
    name = models.CharField(_("denumire"), max_length=200)
    retention = models.ForeignKey(
        RetentionClass, models.PROTECT, related_name="kinds", verbose_name=_("păstrare")
    )

    class Meta:
        verbose_name = _("tip de act arhivat")
        verbose_name_plural = _("tipuri de acte arhivate")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class ArchiveImport(models.Model):
    """One bulk import (command line or job): its input, counters and per-row report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("în așteptare")
        RUNNING = "running", _("în lucru")
        SUCCESS = "success", _("reușit")
        WARNINGS = "warnings", _("reușit, cu erori pe rânduri")
        FAILED = "failed", _("eșuat")

    status = models.CharField(
        _("stare"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    source = models.CharField(_("sursă (zip sau director)"), max_length=500)
    source_sha256 = models.CharField(_("amprentă sursă"), max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("utilizator"),
    )
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)
    started_at = models.DateTimeField(_("început la"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminat la"), null=True, blank=True)
    rows = models.PositiveIntegerField(_("rânduri"), default=0)
    imported = models.PositiveIntegerField(_("importate"), default=0)
    unchanged = models.PositiveIntegerField(_("neschimbate"), default=0)
    failed = models.PositiveIntegerField(_("erori"), default=0)
    pages = models.PositiveIntegerField(_("pagini OCR"), default=0)
    errors = models.JSONField(_("erori pe rânduri"), default=list)
    message = models.TextField(_("mesaj"), blank=True)

    class Meta:
        verbose_name = _("import arhivă")
        verbose_name_plural = _("importuri arhivă")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.source} ({self.get_status_display()})"


class ArchiveDocument(models.Model):
    """An archived act (one scanned dossier) and its searchable PDF.

    The natural key is (kind, year, act number); `sha256` is the hash of the scanned
    file as received, so a re-import of the same file is recognised and changes nothing.
    """

    class Placement(models.TextChoices):
        UNPLACED = "unplaced", _("neamplasat")
        LINKED = "linked", _("legat de imobile")
        POINT = "point", _("amplasat pe hartă")

    kind = models.ForeignKey(
        DocumentKind, models.PROTECT, related_name="documents", verbose_name=_("tip act")
    )
    year = models.PositiveSmallIntegerField(_("an"))
    number = models.CharField(_("număr act"), max_length=40)
    act_date = models.DateField(_("data actului"), null=True, blank=True)
    address = models.CharField(_("adresă"), max_length=300, blank=True)
    uat = models.ForeignKey(
        UAT, models.PROTECT, null=True, blank=True, related_name="+", verbose_name="UAT"
    )
    cadastral_numbers = ArrayField(
        models.CharField(max_length=30), verbose_name=_("numere cadastrale"), default=list
    )
    retention = models.ForeignKey(
        RetentionClass, models.PROTECT, related_name="documents", verbose_name=_("păstrare")
    )
    original_name = models.CharField(_("fișier original"), max_length=255)
    sha256 = models.CharField(_("amprentă fișier original (sha256)"), max_length=64)
    pdf = models.CharField(_("PDF căutabil (cale în MEDIA_ROOT)"), max_length=255, blank=True)
    page_count = models.PositiveIntegerField(_("pagini"), default=0)
    placement = models.CharField(
        _("amplasare"), max_length=8, choices=Placement.choices, default=Placement.UNPLACED
    )
    # Placed by an officer on the map where no parcel fits (old acts, re-parcelled land).
    location = models.PointField(_("punct pe hartă"), srid=SRID, null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("amplasat de"),
    )
    placed_at = models.DateTimeField(_("amplasat la"), null=True, blank=True)
    imported_by = models.ForeignKey(
        ArchiveImport,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("import"),
    )
    created_at = models.DateTimeField(_("creat la"), auto_now_add=True)
    # The request this act answered (registratura): a citizen sees the acts of their own
    # requests, and nothing else of the archive.
    registry_entry = models.ForeignKey(
        RegistryEntry,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="archived_acts",
        verbose_name=_("cererea la care răspunde (nr. înregistrare)"),
    )
    disposal = models.ForeignKey(
        "DisposalDecision",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("decizie de eliminare"),
    )

    class Meta:
        verbose_name = _("act arhivat")
        verbose_name_plural = _("acte arhivate")
        ordering = ["-year", "kind_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "year", "number"], name="arhiva_document_natural_key"
            )
        ]
        indexes = [
            models.Index(fields=["placement"], name="arhiva_doc_placement_idx"),
            models.Index(fields=["number"], name="arhiva_doc_number_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.kind.code.upper()} nr. {self.number}/{self.year}"

    @property
    def label(self) -> str:
        return f"{self.kind.name} nr. {self.number}/{self.year}"


class ArchivePage(models.Model):
    """The OCR text of one page; the column `tsv` (generated, GIN-indexed) is added by
    migration 0003 in SQL because it depends on the custom search configuration."""

    document = models.ForeignKey(
        ArchiveDocument,
        models.CASCADE,
        related_name="pages",
        verbose_name=pgettext_lazy("arhiva", "act"),
    )
    number = models.PositiveIntegerField(_("pagina"))
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("pagină")
        verbose_name_plural = _("pagini")
        ordering = ["document_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="arhiva_page_uniq")
        ]

    def __str__(self) -> str:
        return f"{self.document} p. {self.number}"


class ParcelLink(models.Model):
    """An act concerns a parcel; how the link was made is kept (exact cadastral number,
    address match with its similarity score, or an officer's manual placement)."""

    class Method(models.TextChoices):
        EXACT = "exact", _("număr cadastral")
        ADDRESS = "address", _("potrivire de adresă")
        MANUAL = "manual", _("manual")

    document = models.ForeignKey(
        ArchiveDocument,
        models.CASCADE,
        related_name="links",
        verbose_name=pgettext_lazy("arhiva", "act"),
    )
    parcel = models.ForeignKey(Parcel, models.CASCADE, related_name="+", verbose_name=_("imobil"))
    method = models.CharField(_("metodă"), max_length=8, choices=Method.choices)
    score = models.FloatField(_("scor potrivire"), null=True, blank=True)
    matched_text = models.CharField(_("adresa potrivită"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("legat de"),
    )
    created_at = models.DateTimeField(_("legat la"), auto_now_add=True)

    class Meta:
        verbose_name = _("legătură act–imobil")
        verbose_name_plural = _("legături act–imobil")
        constraints = [
            models.UniqueConstraint(fields=["document", "parcel"], name="arhiva_link_uniq")
        ]
        indexes = [models.Index(fields=["parcel"], name="arhiva_link_parcel_idx")]

    def __str__(self) -> str:
        return f"{self.document} → {self.parcel} ({self.method})"


class DisposalDecision(models.Model):
    """An officer's decision to dispose of acts whose retention has expired: who, when,
    why. The files of its acts are removed only once this record exists; the acts' metadata
    stays as the trace of what was disposed of."""

    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        related_name="+",
        verbose_name=_("decis de"),
    )
    decided_at = models.DateTimeField(_("data deciziei"), auto_now_add=True)
    reason = models.TextField(_("motivare"))
    reference = models.CharField(
        _("proces-verbal / aviz Arhivele Naționale"), max_length=120, blank=True
    )

    class Meta:
        verbose_name = _("decizie de eliminare")
        verbose_name_plural = _("decizii de eliminare")
        ordering = ["-decided_at"]

    def __str__(self) -> str:
        return f"Decizia {self.pk} din {self.decided_at:%d.%m.%Y}"
