"""Writing the register book: front-desk entries, online requests numbered by the permit
module, outgoing answers and issued acts, assignment and closing.

Every entry takes its number from `numbering.next_number` inside the same transaction as
the document row, so a failed entry (bad scan, invalid data) gives its number back.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registratura.access import is_registry_officer
from registratura.models import Department, Document, DocumentKind, Register, RegistryEntry
from registratura.seed import GENERAL_REGISTER
from registratura.services import access_keys, deadlines, numbering
from registratura.services.uploads import check_upload, clean_name

Direction = Document.Direction
Status = Document.Status


@dataclass(frozen=True)
class Correspondent:
    """Who sent an incoming document or receives an outgoing one (personal data)."""

    name: str
    address: str = ""
    contact: str = ""

    @classmethod
    def from_input(cls, data: Mapping[str, Any], default: Document | None = None) -> Correspondent:
        """From validated form or API input (`correspondent_*`), missing ones from `default`."""

        def value(field: str) -> str:
            fallback = getattr(default, f"correspondent_{field}", "") if default else ""
            return data.get(f"correspondent_{field}") or fallback

        return cls(name=value("name"), address=value("address"), contact=value("contact"))


@dataclass(frozen=True)
class Scan:
    """An uploaded file as received: checked by content before it is stored."""

    name: str
    data: bytes

    @classmethod
    def from_upload(cls, upload) -> Scan | None:
        return cls(name=upload.name, data=upload.read()) if upload else None


def _require(user) -> None:
    if user is not None and not is_registry_officer(user):
        raise PermissionDenied("Doar funcționarii au acces la registratură.")


def _user(user):
    return user if user is not None and user.is_authenticated else None


def due_date_for(kind: DocumentKind | None, registered_on: date) -> date | None:
    """The legal due date: the kind's calendar days from the registration date."""
    if kind is None:
        return None
    return deadlines.start(total_days=kind.deadline_days, on=registered_on).due_date


def _attach(document: Document, scan: Scan) -> None:
    sniffed = check_upload(name=scan.name, data=scan.data)
    document.file_name = clean_name(scan.name)
    document.file_type = sniffed.content_type
    document.file_size = len(scan.data)
    document.file_sha256 = hashlib.sha256(scan.data).hexdigest()
    document.file.save(f"scan{sniffed.extension}", ContentFile(scan.data), save=False)


def _number(register: Register | str, kind: str, user, now: datetime | None) -> RegistryEntry:
    return numbering.next_number(
        register=register, reference=f"registratura.{kind}", user=_user(user), now=now
    )


def _link_reference(document: Document) -> None:
    document.entry.reference = f"registratura.document:{document.pk}"
    document.entry.save(update_fields=["reference"])


@transaction.atomic
def register_incoming(
    *,
    kind: DocumentKind | str,
    channel: str,
    correspondent: Correspondent,
    subject: str,
    register: Register | str = GENERAL_REGISTER,
    pages: int | None = None,
    department: Department | None = None,
    assigned_to=None,
    scan: Scan | None = None,
    notes: str = "",
    user=None,
    now: datetime | None = None,
) -> Document:
    """A paper, e-mail or post document entered at the front desk: numbered, dated, due
    by the kind's legal deadline, assigned to the kind's department unless told otherwise.

    The sender's tracking key is on the returned document as `access_key` (written on the
    receipt, shown this once; only its hash is stored)."""
    _require(user)
    if isinstance(kind, str):
        kind = DocumentKind.objects.get(code=kind, active=True)
    if channel not in Document.Channel.values:
        raise ValidationError({"channel": "Canal necunoscut."})
    if scan is not None:
        check_upload(name=scan.name, data=scan.data)  # refuse before taking a number
    entry = _number(register, "incoming", user, now)
    department = department or kind.department
    document = Document(
        entry=entry,
        direction=Direction.INCOMING,
        channel=channel,
        kind=kind,
        correspondent_name=correspondent.name,
        correspondent_address=correspondent.address,
        correspondent_contact=correspondent.contact,
        subject=subject,
        pages=pages,
        department=department,
        due_date=due_date_for(kind, deadlines.local_date(entry.registered_at)),
        notes=notes,
        created_by=_user(user),
    )
    key, document.access_key_hash = access_keys.new_access_key()
    if assigned_to is not None:
        document.assigned_to = assigned_to
        document.assigned_at = entry.registered_at
        document.status = Status.ASSIGNED
    if scan is not None:
        _attach(document, scan)
    document.full_clean(exclude=["entry", "file"])
    document.save()
    _link_reference(document)
    document.access_key = key
    return document


@transaction.atomic
def reset_access_key(*, document: Document, user) -> str:
    """A new tracking key for a sender who lost theirs (the old one stops working at once);
    the front desk checks who asks before giving it."""
    _require(user)
    if document.direction != Direction.INCOMING or document.channel == Document.Channel.ONLINE:
        raise ValidationError(_("Cheia unei cereri online se reemite din modulul de autorizare."))
    key, document.access_key_hash = access_keys.new_access_key()
    Document.objects.filter(pk=document.pk).update(access_key_hash=document.access_key_hash)
    return key


def set_access_key_hash(*, entry: RegistryEntry, key_hash: str) -> None:
    """The portal gave an online request a new tracking key: the book follows."""
    Document.objects.filter(entry=entry).update(access_key_hash=key_hash)


def register_incoming_input(data: Mapping[str, Any], *, user) -> Document:
    """A front-desk entry from validated form or API input (the same field names)."""
    return register_incoming(
        register=data.get("register") or GENERAL_REGISTER,
        kind=data["kind"],
        channel=data["channel"],
        correspondent=Correspondent.from_input(data),
        subject=data["subject"],
        pages=data.get("pages"),
        department=data.get("department"),
        assigned_to=data.get("assigned_to"),
        scan=Scan.from_upload(data.get("scan")),
        notes=data.get("notes", ""),
        user=user,
    )


def kind_for(*, code: str, name: str, deadline_days: int | None) -> DocumentKind:
    """The document kind of a request kind known elsewhere (a permit kind): created on
    first use with that kind's name and deadline, so the two never disagree at creation."""
    kind, _created = DocumentKind.objects.get_or_create(
        code=code, defaults={"name": name[:200], "deadline_days": deadline_days}
    )
    return kind


@transaction.atomic
def record_incoming(
    *,
    entry: RegistryEntry,
    kind: DocumentKind,
    correspondent: Correspondent,
    subject: str,
    channel: str = Document.Channel.ONLINE,
    due_date: date | None = None,
    department: Department | str | None = None,
    access_key_hash: str = "",
) -> Document:
    """Put an entry numbered elsewhere (an online request) in the register book. The
    caller's due date wins (its clock may stop for completions); else the kind's. The
    request's tracking key (its hash) opens its line and acts as for a desk request."""
    if isinstance(department, str):
        department = Department.objects.filter(code=department).first()
    document = Document.objects.create(
        entry=entry,
        direction=Direction.INCOMING,
        channel=channel,
        kind=kind,
        correspondent_name=correspondent.name[:200],
        correspondent_address=correspondent.address[:300],
        correspondent_contact=correspondent.contact[:200],
        subject=subject[:500],
        department=department or kind.department,
        due_date=due_date or due_date_for(kind, deadlines.local_date(entry.registered_at)),
        created_by=entry.created_by,
        access_key_hash=access_key_hash,
    )
    return document


@transaction.atomic
def follow_request(
    *, entry: RegistryEntry, due_date: date | None, outcome: str | None = None, note: str = ""
) -> Document | None:
    """Keep an incoming line numbered elsewhere in step with its request: the due date
    (None while the clock is stopped for a completion) and, when the request ends without
    an act, its outcome (Status.RESOLVED for a refusal, Status.FILED for a withdrawal)."""
    document = Document.objects.select_for_update().filter(entry=entry).first()
    if document is None or not document.is_open:
        return document
    document.due_date = due_date
    fields = ["due_date"]
    if outcome is not None:
        document.status = outcome
        document.resolved_at = timezone.now()
        document.notes = (document.notes + "\n" if document.notes else "") + note
        fields += ["status", "resolved_at", "notes"]
    document.save(update_fields=fields)
    return document


def _resolve(document: Document | None, at: datetime) -> None:
    if document is not None and document.is_open:
        document.status = Status.RESOLVED
        document.resolved_at = at
        document.save(update_fields=["status", "resolved_at"])


@transaction.atomic
def register_outgoing(
    *,
    correspondent: Correspondent,
    subject: str,
    channel: str,
    in_reply_to: Document | None = None,
    register: Register | str | None = None,
    resolves: bool = True,
    scan: Scan | None = None,
    user=None,
    now: datetime | None = None,
) -> Document:
    """An outgoing answer, numbered in the register of what it answers (or the general
    one); it resolves the incoming document unless `resolves` is False (an interim
    notice, e.g. the 10-day notice that a public-information request is complex)."""
    _require(user)
    if in_reply_to is not None:
        in_reply_to = Document.objects.select_for_update().get(pk=in_reply_to.pk)
        if in_reply_to.direction != Direction.INCOMING:
            raise ValidationError({"in_reply_to": "Se răspunde doar unui document de intrare."})
    if scan is not None:
        check_upload(name=scan.name, data=scan.data)
    if register is None:
        register = in_reply_to.entry.register if in_reply_to is not None else GENERAL_REGISTER
    entry = _number(register, "outgoing", user, now)
    document = Document(
        entry=entry,
        direction=Direction.OUTGOING,
        channel=channel,
        kind=DocumentKind.objects.filter(code="raspuns").first(),
        correspondent_name=correspondent.name,
        correspondent_address=correspondent.address,
        correspondent_contact=correspondent.contact,
        subject=subject,
        status=Status.SENT,
        in_reply_to=in_reply_to,
        department=in_reply_to.department if in_reply_to is not None else None,
        created_by=_user(user),
    )
    if scan is not None:
        _attach(document, scan)
    document.full_clean(exclude=["entry", "file"])
    document.save()
    _link_reference(document)
    if resolves:
        _resolve(in_reply_to, entry.registered_at)
    return document


def register_outgoing_input(incoming: Document, data: Mapping[str, Any], *, user) -> Document:
    """An answer from validated form or API input; the recipient defaults to the sender."""
    return register_outgoing(
        in_reply_to=incoming,
        channel=data["channel"],
        correspondent=Correspondent.from_input(data, default=incoming),
        subject=data["subject"],
        resolves=data.get("resolves", True),
        scan=Scan.from_upload(data.get("scan")),
        user=user,
    )


@transaction.atomic
def record_issued_act(
    *, entry: RegistryEntry, answers: RegistryEntry | None, subject: str
) -> Document:
    """An act numbered elsewhere (a permit) goes in the register book as outgoing, linked
    to the request it answers, which it resolves."""
    request = (
        Document.objects.select_for_update().filter(entry=answers).first() if answers else None
    )
    document = Document.objects.create(
        entry=entry,
        direction=Direction.OUTGOING,
        channel=request.channel if request else Document.Channel.DESK,
        kind=DocumentKind.objects.filter(code="act-emis").first(),
        correspondent_name=request.correspondent_name if request else "",
        correspondent_address=request.correspondent_address if request else "",
        correspondent_contact=request.correspondent_contact if request else "",
        subject=subject[:500],
        status=Status.SENT,
        in_reply_to=request,
        department=request.department if request else None,
        created_by=entry.created_by,
    )
    _resolve(request, entry.registered_at)
    return document


@transaction.atomic
def assign(*, document: Document, department: Department | None, officer=None, user) -> Document:
    """Assign to a department and, optionally, an officer (front desk or head of dept.)."""
    _require(user)
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_open:
        raise ValidationError("Documentul este deja soluționat sau clasat.")
    document.department = department or document.department
    document.assigned_to = officer
    document.assigned_at = timezone.now()
    document.status = Status.ASSIGNED if (officer or document.department) else document.status
    document.save(update_fields=["department", "assigned_to", "assigned_at", "status"])
    return document


@transaction.atomic
def file_without_answer(*, document: Document, reason: str, user) -> Document:
    """Close without an answer (clasare), e.g. an anonymous petition; the reason is kept."""
    _require(user)
    if not reason.strip():
        raise ValidationError({"reason": "Motivul clasării este obligatoriu."})
    document = Document.objects.select_for_update().get(pk=document.pk)
    if not document.is_open:
        raise ValidationError("Documentul este deja soluționat sau clasat.")
    document.status = Status.FILED
    document.resolved_at = timezone.now()
    document.notes = (document.notes + "\n" if document.notes else "") + f"Clasat: {reason}"
    document.save(update_fields=["status", "resolved_at", "notes"])
    return document
