"""Read queries of the register book: search, what falls due, one day's register."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Func, QuerySet, TextField, Value

from registratura.models import Document
from registratura.services import access_keys

# "RG-12/2026", "12/2026" or just "12"
LABEL_RE = re.compile(
    r"^\s*(?:([A-Za-z][A-Za-z0-9]{0,11})\s*-\s*)?(\d{1,9})(?:\s*/\s*(\d{4}))?\s*$"
)


class Fold(Func):
    """registratura_fold(): unaccent + lower, immutable (migration 0006), so that the
    trigram indexes on the folded sender and subject serve the search."""

    function = "public.registratura_fold"
    output_field = TextField()


def documents() -> QuerySet[Document]:
    return Document.objects.select_related(
        "entry__register", "kind", "department", "assigned_to", "in_reply_to__entry__register"
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The instants a calendar day covers in the project's time zone (Europe/Bucharest)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    start = datetime.combine(day, time.min, tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


@dataclass(frozen=True)
class Search:
    """Search criteria; empty ones are ignored."""

    number: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sender: str = ""
    subject: str = ""
    status: str = ""
    direction: str = ""
    register: str = ""
    department: str = ""


def search(criteria: Search) -> QuerySet[Document]:
    """Documents matching every given criterion, newest first. A number may be given as
    'RG-12/2026', '12/2026' or '12'; sender and subject match case- and accent-insensitively
    anywhere in the text."""
    qs = documents()
    match = LABEL_RE.match(criteria.number or "")
    if criteria.number and not match:
        return qs.none()
    if match:
        prefix, number, year = match.groups()
        qs = qs.filter(entry__number=int(number))
        if prefix:
            qs = qs.filter(entry__register__prefix=prefix.upper())
        if year:
            qs = qs.filter(entry__year=int(year))
    if criteria.date_from:
        qs = qs.filter(entry__registered_at__gte=day_bounds(criteria.date_from)[0])
    if criteria.date_to:
        qs = qs.filter(entry__registered_at__lt=day_bounds(criteria.date_to)[1])
    if criteria.sender:
        qs = qs.alias(sender_folded=Fold("correspondent_name")).filter(
            sender_folded__contains=Fold(Value(criteria.sender.strip()))
        )
    if criteria.subject:
        qs = qs.alias(subject_folded=Fold("subject")).filter(
            subject_folded__contains=Fold(Value(criteria.subject.strip()))
        )
    if criteria.status:
        qs = qs.filter(status=criteria.status)
    if criteria.direction:
        qs = qs.filter(direction=criteria.direction)
    if criteria.register:
        qs = qs.filter(entry__register__code=criteria.register)
    if criteria.department:
        qs = qs.filter(department__code=criteria.department)
    return qs.order_by("-entry__registered_at", "-pk")


def due_soon(*, today: date, days: int = 3) -> QuerySet[Document]:
    """Open documents due from today to `days` days ahead, plus the overdue ones."""
    return (
        documents()
        .filter(status__in=Document.OPEN, due_date__lte=today + timedelta(days=days))
        .order_by("due_date", "entry__registered_at")
    )


def register_book(*, day: date, register: str | None = None) -> QuerySet[Document]:
    """The register book of one day: every entry registered that day, in number order."""
    start, end = day_bounds(day)
    qs = documents().filter(entry__registered_at__gte=start, entry__registered_at__lt=end)
    if register:
        qs = qs.filter(entry__register__code=register)
    return qs.order_by("entry__register__code", "entry__year", "entry__number")


def tracked_request(*, label: str, key: str) -> Document | None:
    """The incoming request registered as `label` ('RG-12/2026', number and year both
    required) if `key` is its tracking key; None for an unknown number and a wrong key
    alike, so the answer tells nothing about numbers one does not hold the key of."""
    match = LABEL_RE.match(label or "")
    if not match or not match.group(1) or not match.group(3):
        return None
    prefix, number, year = match.group(1), int(match.group(2)), int(match.group(3))
    document = (
        documents()
        .filter(
            direction=Document.Direction.INCOMING,
            entry__register__prefix__iexact=prefix,
            entry__year=year,
            entry__number=number,
        )
        .first()
    )
    if document is None or not access_keys.key_matches(document.access_key_hash, key):
        return None
    return document
