"""The act a kind of application needs first (ApplicationKind.prerequisite, data): an
acord prealabil needs a valid certificat de urbanism, an autorizație de amplasare și/sau
acces a valid acord prealabil, an AC/AD a valid CU.

Checked on submission. The prerequisite is proven either by an act of that kind issued
here for the same property and still valid, or by the applicant's copy of it attached
(a CU is often issued by the city hall, not by the county council that gives the road
approvals; the officer checks the copy as any other document).
"""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from permits.models import Application, IssuedAct
from permits.workflow import State

# Required document (code, per the seeded kinds) that is the copy of a prerequisite act,
# by the prerequisite kind's code.
COPY_DOCUMENTS = {"cu": "cu", "acord-prealabil": "acord"}


class PrerequisiteMissing(ValueError):
    """No valid prerequisite act (issued here or attached as a copy)."""


def valid_prerequisite_acts(application: Application, *, on: date) -> QuerySet[IssuedAct]:
    """Acts of the prerequisite kind issued here for the same property (a shared UAT +
    cadastral number, or an overlapping drawn footprint), valid on `on`."""
    prerequisite = application.kind.prerequisite
    if prerequisite is None:
        return IssuedAct.objects.none()
    same_subject = Q(pk__in=[])
    for siruta, number in application.parcels.values_list("siruta", "cadastral_number"):
        same_subject |= Q(
            application__parcels__siruta=siruta, application__parcels__cadastral_number=number
        )
    if application.footprint is not None:
        same_subject |= Q(application__footprint__intersects=application.footprint)
    valid = (
        Q(extended_until__gte=on)
        | Q(extended_until__isnull=True, valid_until__gte=on)
        | Q(extended_until__isnull=True, valid_until__isnull=True)
    )
    return (
        IssuedAct.objects.filter(
            same_subject, valid, application__kind=prerequisite, application__state=State.ISSUED
        )
        .exclude(application=application)
        .select_related("registration")
        .distinct()
        .order_by("-issued_at")
    )


def check_prerequisite(application: Application, *, on: date) -> IssuedAct | None:
    """The act that satisfies the kind's prerequisite (None when a copy is attached or
    the kind has none); PrerequisiteMissing with what to do otherwise."""
    kind = application.kind
    prerequisite = kind.prerequisite
    if prerequisite is None:
        return None
    act = valid_prerequisite_acts(application, on=on).first()
    if act is not None:
        return act
    copy = COPY_DOCUMENTS.get(prerequisite.code)
    if copy and application.attachments.filter(document__code=copy).exists():
        return None
    act_name = (prerequisite.act_name or prerequisite.name).lower()
    document = kind.documents.filter(code=copy).first() if copy else None
    remedy = (
        " "
        + _("Atașați documentul „%(name)s” sau indicați imobilul pentru care a fost emis aici.")
        % {"name": document.name}
        if document is not None
        else ""
    )
    raise PrerequisiteMissing(
        _(
            "Cererea de tip „%(kind)s” necesită un %(act)s valabil pentru același imobil: "
            "nu a fost găsit unul emis aici, valabil la %(date)s."
        )
        % {"kind": kind.name, "act": act_name, "date": f"{on:%d.%m.%Y}"}
        + remedy
    )
