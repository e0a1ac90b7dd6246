"""Uploaded documents: PDF, JPEG or PNG recognised by their content, never by the name.

A file is accepted only if its bytes are what it claims (a .pdf that is a PNG, or an
executable renamed .pdf, is refused), within settings.UPLOAD_MAX_MB and the per-request
count limit.
"""

from __future__ import annotations

import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from permits.models import Application, ApplicationEvent, Attachment, RequiredDocument
from permits.workflow import State

# Counted per application; getattr so deployments can tune it without a code change.
DEFAULT_MAX_ATTACHMENTS = 30
EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
}
_ACTIVE_PDF = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")
_SAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)


class AttachmentRefused(ValueError):
    """The upload is not accepted; the message says why, in Romanian."""


def max_bytes() -> int:
    return int(settings.UPLOAD_MAX_MB) * 1024 * 1024


def max_count() -> int:
    return int(getattr(settings, "PERMITS_MAX_ATTACHMENTS", DEFAULT_MAX_ATTACHMENTS))


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff(data: bytes) -> Sniffed:
    """What the bytes are; AttachmentRefused unless a well-formed PDF, JPEG or PNG."""
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise AttachmentRefused("Fișierul PDF este incomplet sau deteriorat.")
        if _ACTIVE_PDF.search(data):
            raise AttachmentRefused(
                "Fișierul PDF conține cod sau fișiere încorporate; încărcați un PDF simplu."
            )
        return Sniffed("application/pdf", ".pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _verify_image(data, "PNG")
        return Sniffed("image/png", ".png")
    if data.startswith(b"\xff\xd8\xff"):
        _verify_image(data, "JPEG")
        return Sniffed("image/jpeg", ".jpg")
    raise AttachmentRefused("Tip de fișier neacceptat: se acceptă doar PDF, JPEG sau PNG.")


def _verify_image(data: bytes, expected: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise AttachmentRefused("Imaginea nu este de tipul declarat.")
                image.verify()
    except AttachmentRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise AttachmentRefused("Imaginea are dimensiuni excesive.") from exc
    except Exception as exc:  # Pillow raises many kinds on corrupt data
        raise AttachmentRefused("Imaginea este deteriorată sau incompletă.") from exc


def clean_name(name: str) -> str:
    """The client's file name, reduced to something printable (kept for officers only)."""
    base = PurePath(name.replace("\\", "/")).name
    return _SAFE_NAME.sub("_", base)[:150] or "fisier"


def check_upload(*, name: str, data: bytes) -> Sniffed:
    """Size, then content; the extension, if any, must agree with the content."""
    if len(data) == 0:
        raise AttachmentRefused("Fișierul este gol.")
    if len(data) > max_bytes():
        raise AttachmentRefused(
            f"Fișierul depășește dimensiunea maximă de {settings.UPLOAD_MAX_MB} MB."
        )
    sniffed = sniff(data)
    suffix = PurePath(name).suffix.lower()
    if suffix and suffix not in EXTENSIONS[sniffed.content_type]:
        raise AttachmentRefused(
            f"Conținutul fișierului ({sniffed.content_type}) nu corespunde extensiei „{suffix}”."
        )
    return sniffed


ATTACHABLE = {
    "applicant": (State.DRAFT, State.COMPLETION_REQUESTED),
    "officer": (State.REGISTERED, State.IN_REVIEW, State.COMPLETION_REQUESTED),
}


@transaction.atomic
def add_attachment(
    *,
    application: Application,
    name: str,
    data: bytes,
    document_code: str | None = None,
    user=None,
    as_officer: bool = False,
) -> Attachment:
    """Check and store one document. Locks the application so the count limit holds under
    concurrent uploads."""
    application = Application.objects.select_for_update().get(pk=application.pk)
    allowed = ATTACHABLE["officer" if as_officer else "applicant"]
    if application.state not in allowed:
        raise AttachmentRefused(
            f"Nu se pot adăuga documente unei cereri în starea „{application.get_state_display()}”."
        )
    if application.attachments.count() >= max_count():
        raise AttachmentRefused(f"S-a atins numărul maxim de {max_count()} documente.")
    sniffed = check_upload(name=name, data=data)
    document = None
    if document_code:
        document = RequiredDocument.objects.filter(
            kind=application.kind, code=document_code
        ).first()
        if document is None:
            raise AttachmentRefused(f"Document necunoscut pentru această cerere: {document_code}")
    attachment = Attachment(
        application=application,
        document=document,
        original_name=clean_name(name),
        content_type=sniffed.content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=user if user is not None and user.is_authenticated else None,
    )
    attachment.file.save(f"anexa{sniffed.extension}", ContentFile(data), save=False)
    attachment.save()
    from permits.services.applications import record_event

    record_event(
        application=application,
        action=ApplicationEvent.Action.ATTACHED,
        user=user,
        as_officer=as_officer,
        data={"document": document.code if document else None, "type": sniffed.content_type},
    )
    return attachment


def missing_documents(application: Application) -> list[dict[str, str]]:
    """Mandatory documents of the kind with no attachment yet."""
    present = set(
        application.attachments.exclude(document=None).values_list("document__code", flat=True)
    )
    return [
        {"code": d.code, "name": d.name}
        for d in application.kind.documents.all()
        if d.mandatory and d.code not in present
    ]
