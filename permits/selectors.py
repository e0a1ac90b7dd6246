"""Read queries of applications for the officers' screens (work queue, parcel card,
search by registration number)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from layers.access import is_officer
from permits.models import Application
from permits.services.applications import LABEL_RE
from permits.workflow import State


class BadFilter(ValueError):
    """A filter value that cannot mean anything (HTTP 400, not an empty list)."""


def officer_kind_filter(user) -> Q:
    """Kinds the officer may act on: those of his groups and those open to any officer
    (the same rule as services.applications.can_officiate)."""
    if user.is_superuser:
        return Q()
    groups = list(user.groups.values_list("name", flat=True))
    return Q(kind__officer_group="") | Q(kind__officer_group__in=groups)


def parse_parcel_ref(ref: str) -> tuple[int, str]:
    """'<siruta>:<cadastral number>' as the map writes it."""
    siruta, sep, number = (ref or "").partition(":")
    if not sep or not siruta.strip().isdigit() or not number.strip():
        raise BadFilter(_("parcel: se așteaptă <SIRUTA>:<număr cadastral>, ex. 900001:50038"))
    return int(siruta), number.strip()


def parse_registration(text: str) -> tuple[str | None, int, int]:
    """'U-12/2026' (prefix optional: '12/2026' matches any register of that year)."""
    text = (text or "").strip().upper()
    match = LABEL_RE.match(text)
    if match:
        return match.group(1), int(match.group(2)), int(match.group(3))
    number, sep, year = text.partition("/")
    if sep and number.isdigit() and year.isdigit() and len(year) == 4:
        return None, int(number), int(year)
    raise BadFilter(_("registration: se așteaptă numărul afișat, ex. U-12/2026"))


def applications_for_officer(
    user,
    *,
    state: str | None = None,
    kind: str | None = None,
    uat: str | None = None,
    parcel: str | None = None,
    registration: str | None = None,
) -> QuerySet[Application]:
    """The applications an officer may open, filtered; deadline first. Drafts are the
    applicant's alone until submitted: not in the queue."""
    if not is_officer(user):
        return Application.objects.none()
    qs = (
        Application.objects.filter(officer_kind_filter(user))
        .exclude(state=State.DRAFT)
        .select_related("kind", "registration__register")
    )
    if state:
        qs = qs.filter(state=state)
    if kind:
        qs = qs.filter(kind__code=kind)
    if uat:
        if not uat.isdigit():
            raise BadFilter(_("uat: codul SIRUTA este numeric"))
        qs = qs.filter(parcels__siruta=int(uat))
    if parcel:
        siruta, number = parse_parcel_ref(parcel)
        qs = qs.filter(parcels__siruta=siruta, parcels__cadastral_number=number)
    if registration:
        prefix, number, year = parse_registration(registration)
        qs = qs.filter(registration__number=number, registration__year=year)
        if prefix:
            qs = qs.filter(registration__register__prefix=prefix)
    return qs.distinct().order_by("due_date", "-created_at").prefetch_related("parcels")
