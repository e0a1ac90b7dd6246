"""Filing a request from the portal in one go, and who may file.

The application, its documents and the submission with its registration number commit
together or not at all: a failed upload or a missing field leaves no half-saved request
and no stored file, and every problem is reported at once (per field) so the form can
show them next to what the user typed.

Filing without an account needs an e-mail address verified with a short code (stateless:
an HMAC of the address and a 30-minute window, so no table and no cache shared between
workers); accounts file directly.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from permits.models import Application, ApplicationKind
from permits.services import applications
from permits.services.attachments import AttachmentRefused, add_attachment, check_upload, max_count

log = logging.getLogger(__name__)
VERIFY_SALT = "permits.filing.email-verification"
VERIFY_WINDOW_S = 30 * 60
SESSION_KEY = "permits_verified_email"


class FilingError(applications.PermitError):
    """What is wrong with a filing, by form field (`applicant.email`, `documents.taxa`...)."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(" ".join(m for messages in errors.values() for m in messages))


@dataclass(frozen=True)
class Upload:
    """One uploaded file and the required document it stands for (None: other)."""

    name: str
    data: bytes
    document: str | None = None
    too_large: bool = False


# E-mail verification -----------------------------------------------------------------------
def _normal(email: str) -> str:
    return (email or "").strip().lower()


def verification_code(email: str, *, window: int | None = None) -> str:
    """Six digits bound to the address and a 30-minute window (valid for two windows)."""
    if window is None:
        window = int(timezone.now().timestamp()) // VERIFY_WINDOW_S
    digest = salted_hmac(VERIFY_SALT, f"{_normal(email)}|{window}", algorithm="sha256")
    return f"{int(digest.hexdigest()[:12], 16) % 1_000_000:06d}"


def check_verification_code(email: str, code: str) -> bool:
    now = int(timezone.now().timestamp()) // VERIFY_WINDOW_S
    code = (code or "").strip()
    return bool(_normal(email)) and any(
        constant_time_compare(code, verification_code(email, window=w)) for w in (now, now - 1)
    )


def send_verification_code(email: str) -> None:
    send_mail(
        subject="Codul de verificare pentru depunerea cererii",
        message=(
            f"Codul dumneavoastră de verificare este: {verification_code(email)}\n\n"
            "Codul este valabil 30 de minute. Dacă nu ați solicitat depunerea unei cereri, "
            "ignorați acest mesaj."
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[email.strip()],
    )


def verification_required(user) -> bool:
    return bool(settings.PERMITS_EMAIL_VERIFICATION) and not (user and user.is_authenticated)


def check_filer(*, user, email: str | None, verified_email: str | None) -> None:
    """An account, or (without one) the applicant's e-mail verified in this session."""
    if not verification_required(user):
        return
    if not _normal(email or ""):
        raise FilingError(
            {"applicant.email": [_("Pentru depunerea fără cont indicați o adresă de e-mail.")]}
        )
    if _normal(email or "") != _normal(verified_email or ""):
        raise FilingError(
            {"applicant.email": [_("Verificați adresa de e-mail cu codul primit, apoi depuneți.")]}
        )


# Checks --------------------------------------------------------------------------------------
def check_filing(
    *,
    kind: ApplicationKind,
    applicant: dict[str, Any],
    parcels: list[dict[str, Any]],
    footprint: GEOSGeometry | None,
    access_point: GEOSGeometry | None,
    fields: dict[str, Any],
    uploads: list[Upload],
) -> dict[str, list[str]]:
    """Everything the kind requires, as errors by field (empty: fileable)."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if not (applicant.get("name") or "").strip():
        add("applicant.name", _("Indicați numele solicitantului."))
    if kind.needs_subject and not parcels and footprint is None:
        add("parcels", _("Indicați imobilul (UAT și număr cadastral) sau desenați amplasamentul."))
    if kind.asks_purpose and not fields.get("purpose"):
        add("purpose", _("Indicați scopul pentru care se solicită certificatul de urbanism."))
    if kind.asks_access and access_point is None and not parcels:
        add("access_point", _("Indicați pe hartă punctul de acces la drum."))
    general = kind.family == ApplicationKind.Family.GENERAL
    if general and not (fields.get("description") or "").strip():
        add("description", _("Scrieți conținutul cererii."))
    if len(uploads) > max_count():
        add("documents", _("Se pot atașa cel mult %(count)s documente.") % {"count": max_count()})
    codes = {d.code: d for d in kind.documents.all()}
    for upload in uploads:
        field = f"documents.{upload.document or 'altele'}"
        if upload.document and upload.document not in codes:
            add(
                field,
                _("Document necunoscut pentru această cerere: %(code)s")
                % {"code": upload.document},
            )
            continue
        if upload.too_large:
            add(
                field,
                _("%(name)s: depășește %(mb)s MB.")
                % {"name": upload.name, "mb": settings.UPLOAD_MAX_MB},
            )
            continue
        try:
            check_upload(name=upload.name, data=upload.data)
        except AttachmentRefused as exc:
            add(field, f"{upload.name}: {exc}")
    given = {u.document for u in uploads}
    for code, document in codes.items():
        if document.mandatory and code not in given:
            add(
                f"documents.{code}",
                _("Atașați documentul obligatoriu: %(name)s.") % {"name": document.name},
            )
    return errors


# Filing ----------------------------------------------------------------------------------------
def file_application(
    *,
    kind: ApplicationKind,
    applicant: dict[str, Any],
    parcels: list[dict[str, Any]] | None = None,
    footprint: GEOSGeometry | None = None,
    access_point: GEOSGeometry | None = None,
    fields: dict[str, Any] | None = None,
    uploads: list[Upload] | None = None,
    user=None,
    verified_email: str | None = None,
) -> tuple[Application, str]:
    """Create, attach and submit in one transaction; returns the registered application and
    its tracking key. FilingError (nothing saved) when anything is missing or refused."""
    parcels, fields, uploads = parcels or [], fields or {}, uploads or []
    try:
        check_filer(user=user, email=applicant.get("email"), verified_email=verified_email)
        errors: dict[str, list[str]] = {}
    except FilingError as exc:  # reported together with everything else
        errors = dict(exc.errors)
    errors |= check_filing(
        kind=kind,
        applicant=applicant,
        parcels=parcels,
        footprint=footprint,
        access_point=access_point,
        fields=fields,
        uploads=uploads,
    )
    if errors:
        raise FilingError(errors)
    stored: list[str] = []
    try:
        with transaction.atomic():
            application, _ = applications.create_application(
                kind=kind,
                applicant=applicant,
                parcels=parcels,
                footprint=footprint,
                access_point=access_point,
                user=user,
                **fields,
            )
            for upload in uploads:
                attachment = add_attachment(
                    application=application,
                    name=upload.name,
                    data=upload.data,
                    document_code=upload.document,
                    user=user,
                )
                stored.append(attachment.file.name)
            application, key = applications.submit_application(application=application, user=user)
    except Exception:
        for name in stored:  # the rows rolled back; their files must go too
            default_storage.delete(name)
        raise
    email = (applicant.get("email") or "").strip()
    if email:
        transaction.on_commit(lambda: send_registration_email(application, key, email))
    return application, key


def send_registration_email(application: Application, key: str, email: str) -> None:
    """The number, date, deadline and tracking key; a mail failure never undoes a filing."""
    entry = application.registration
    registered = timezone.localtime(entry.registered_at)
    due = f"{application.due_date:%d.%m.%Y}" if application.due_date else "fără termen legal"
    body = (
        f"Cererea dumneavoastră ({application.kind.name}) a fost înregistrată cu numărul "
        f"{entry.label} din {registered:%d.%m.%Y %H:%M}.\n"
        f"Termen de soluționare: {due}.\n\n"
        f"Cheia de acces pentru urmărirea cererii: {key}\n"
        "Păstrați-o: împreună cu numărul de înregistrare vă permite să urmăriți cererea pe "
        "portal (Urmărește o cerere)."
    )
    try:
        send_mail(
            subject=f"Cerere înregistrată: {entry.label}",
            message=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[email],
        )
    except Exception:  # an SMTP outage is logged; the applicant saw the number on screen
        log.exception("registration e-mail for %s not sent", entry.label)
