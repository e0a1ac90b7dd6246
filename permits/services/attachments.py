"""Applicants' documents on an application: checked by content (registratura.services.
uploads), within the per-application count limit, only in the states that allow them.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from permits.models import Application, ApplicationEvent, Attachment, RequiredDocument
from permits.services.files import delete_unless_committed
from permits.workflow import State
from registratura.services.uploads import (
    EXTENSIONS,
    AttachmentRefused,
    Sniffed,
    check_upload,
    clean_name,
    max_bytes,
    sniff,
)

__all__ = [
    "EXTENSIONS",
    "AttachmentRefused",
    "Sniffed",
    "add_attachment",
    "check_upload",
    "clean_name",
    "max_bytes",
    "max_count",
    "missing_documents",
    "sniff",
]

# Counted per application; getattr so deployments can tune it without a code change.
DEFAULT_MAX_ATTACHMENTS = 30


def max_count() -> int:
    return int(getattr(settings, "PERMITS_MAX_ATTACHMENTS", DEFAULT_MAX_ATTACHMENTS))


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
            _("Nu se pot adăuga documente unei cereri în starea „%(state)s”.")
            % {"state": application.get_state_display()}
        )
    if application.attachments.count() >= max_count():
        raise AttachmentRefused(
            _("S-a atins numărul maxim de %(count)s documente.") % {"count": max_count()}
        )
    sniffed = check_upload(name=name, data=data)
    document = None
    if document_code:
        document = RequiredDocument.objects.filter(
            kind=application.kind, code=document_code
        ).first()
        if document is None:
            raise AttachmentRefused(
                _("Document necunoscut pentru această cerere: %(code)s") % {"code": document_code}
            )
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
    delete_unless_committed(attachment.file.storage, attachment.file.name)
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
