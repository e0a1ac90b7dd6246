"""Applications from draft to decision: creation, submission with its registration number,
the officers' actions and the tracking look-up.

Every write runs in one transaction on the application row locked with SELECT ... FOR
UPDATE, so two officers acting at once are serialised: the second one finds the state
changed and gets a WorkflowConflict (HTTP 409), never a silent double transition.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.gis.geos import GEOSGeometry, MultiPolygon, Point, Polygon
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_fsm import ConcurrentTransition, TransitionNotAllowed

from layers.access import is_officer
from layers.analysis import UnknownParcel
from layers.models import Parcel
from permits.models import (
    Applicant,
    Application,
    ApplicationEvent,
    ApplicationKind,
    ApplicationParcel,
    IssuedAct,
)
from permits.services import register_book
from permits.services.attachments import missing_documents
from permits.services.prerequisites import PrerequisiteMissing, check_prerequisite
from permits.workflow import State, WorkflowConflict
from registratura.models import RegistryEntry
from registratura.services import access_keys, numbering
from registratura.services.access_keys import new_access_key
from registratura.services.deadlines import local_date

Action = ApplicationEvent.Action
Role = ApplicationEvent.Role
LABEL_RE = re.compile(r"^\s*([A-Z][A-Z0-9]{0,11})-(\d{1,9})/(\d{4})\s*$")
# Stereo 70 extent of Romania with a margin: anything else is a wrong CRS or swapped axes.
ROMANIA_3844 = (100_000, 150_000, 1_000_000, 850_000)


class PermitError(ValueError):
    """A request that breaks a rule (missing data, out-of-range validity...): HTTP 400."""


# Access keys (one mechanism with the register book: registratura.services.access_keys) ----
def key_matches(application: Application, key: str | None) -> bool:
    return access_keys.key_matches(application.access_key_hash, key)


def is_applicant(application: Application, *, user=None, key: str | None = None) -> bool:
    """The owner's account or the access key; nobody else is the applicant."""
    if user is not None and user.is_authenticated and application.owner_id == user.pk:
        return True
    return key_matches(application, key)


def can_officiate(user, kind: ApplicationKind) -> bool:
    """An officer of the kind's group (layers.access); superusers always."""
    if not is_officer(user):
        return False
    if user.is_superuser or not kind.officer_group:
        return True
    return user.groups.filter(name=kind.officer_group).exists()


# Events -----------------------------------------------------------------------------------
def record_event(
    *,
    application: Application,
    action: str,
    user=None,
    as_officer: bool = False,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    data: dict[str, Any] | None = None,
    public: bool = True,
    at: datetime | None = None,
    system: bool = False,
) -> ApplicationEvent:
    role = Role.SYSTEM if system else Role.OFFICER if as_officer else Role.APPLICANT
    return ApplicationEvent.objects.create(
        application=application,
        at=at or timezone.now(),
        action=action,
        from_state=from_state,
        to_state=to_state,
        actor=user if user is not None and user.is_authenticated else None,
        role=role,
        reason=reason,
        data=data or {},
        public=public,
    )


# Geometry -------------------------------------------------------------------------------
def storage_geometry(geom: GEOSGeometry | None, *, what: str) -> GEOSGeometry | None:
    """In the storage SRID, inside Romania, valid; PermitError otherwise."""
    if geom is None:
        return None
    if geom.srid is None:
        raise PermitError(_("%(what)s: lipsește sistemul de coordonate.") % {"what": _(what)})
    if geom.empty:
        raise PermitError(_("%(what)s: geometria este goală.") % {"what": _(what)})
    if geom.srid != settings.SRID:
        geom = geom.transform(settings.SRID, clone=True)
    xmin, ymin, xmax, ymax = geom.extent
    exmin, eymin, exmax, eymax = ROMANIA_3844
    if not (exmin < xmin <= xmax < exmax and eymin < ymin <= ymax < eymax):
        raise PermitError(
            _(
                "%(what)s: geometria nu se află în România în sistemul declarat "
                "(verificați CRS-ul și ordinea axelor)."
            )
            % {"what": _(what)}
        )
    if not geom.valid:
        raise PermitError(
            _("%(what)s: geometrie invalidă (%(reason)s).")
            % {"what": _(what), "reason": geom.valid_reason}
        )
    return geom


def _footprint(geom: GEOSGeometry | None) -> MultiPolygon | None:
    geom = storage_geometry(geom, what=gettext_noop("Amprenta"))
    if geom is None:
        return None
    if isinstance(geom, Polygon):
        geom = MultiPolygon(geom, srid=geom.srid)
    if not isinstance(geom, MultiPolygon):
        raise PermitError(_("Amprenta trebuie să fie un poligon (construcția propusă)."))
    return geom


def _access_point(geom: GEOSGeometry | None) -> Point | None:
    geom = storage_geometry(geom, what=gettext_noop("Punctul de acces"))
    if geom is not None and not isinstance(geom, Point):
        raise PermitError(_("Accesul la drum se indică printr-un punct."))
    return geom


def _resolve_parcels(parcels: list[dict[str, Any]]) -> list[ApplicationParcel]:
    rows, missing, seen = [], [], set()
    for item in parcels:
        siruta, number = int(item["uat"]), str(item["cadastral_number"]).strip()
        if (siruta, number) in seen:
            continue
        seen.add((siruta, number))
        parcel = Parcel.objects.filter(uat__siruta=siruta, cadastral_number=number).first()
        if parcel is None:
            missing.append(f"{number} (UAT {siruta})")
            continue
        rows.append(
            ApplicationParcel(
                siruta=siruta,
                cadastral_number=number,
                land_book_number=str(item.get("land_book_number") or parcel.land_book_number),
                parcel=parcel,
            )
        )
    if missing:
        raise UnknownParcel(
            _("Imobil inexistent în cadastru: %(parcels)s") % {"parcels": ", ".join(missing)}
        )
    return rows


# Drafts ---------------------------------------------------------------------------------
PROPOSED_FIELDS = (
    "built_area",
    "floor_area",
    "height",
    "levels",
    "proposed_use",
    "traffic_generating",
)
TEXT_FIELDS = ("purpose", "purpose_detail", "description", "location")
APPLICANT_FIELDS = (
    "kind",
    "name",
    "id_code",
    "representative",
    "address",
    "email",
    "phone",
)


@transaction.atomic
def create_application(
    *,
    kind: ApplicationKind | str,
    applicant: dict[str, Any],
    parcels: list[dict[str, Any]] | None = None,
    footprint: GEOSGeometry | None = None,
    access_point: GEOSGeometry | None = None,
    user=None,
    **fields: Any,
) -> tuple[Application, str]:
    """A new draft and the access key that lets an anonymous applicant continue it."""
    if isinstance(kind, str):
        kind = ApplicationKind.objects.filter(code=kind, active=True).first()
        if kind is None:
            raise PermitError(_("Tip de cerere necunoscut."))
    authenticated = user is not None and user.is_authenticated
    if not kind.anonymous_allowed and not authenticated:
        raise PermitError(_("Acest tip de cerere se depune din contul dumneavoastră."))
    unknown = set(fields) - set(PROPOSED_FIELDS) - set(TEXT_FIELDS)
    if unknown:
        raise PermitError(
            _("Câmpuri necunoscute: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    person = Applicant.objects.create(
        **{k: v for k, v in applicant.items() if k in APPLICANT_FIELDS and v is not None}
    )
    key, key_hash = new_access_key()
    application = Application(
        kind=kind,
        applicant=person,
        owner=user if authenticated else None,
        access_key_hash=key_hash,
        footprint=_footprint(footprint),
        access_point=_access_point(access_point),
        **fields,
    )
    application._history_user = user if authenticated else None
    application.save()
    for row in _resolve_parcels(parcels or []):
        row.application = application
        row.save()
    record_event(
        application=application,
        action=Action.CREATED,
        user=user,
        to_state=State.DRAFT,
        public=True,
    )
    return application, key


@transaction.atomic
def update_draft(
    *,
    application: Application,
    user=None,
    applicant: dict[str, Any] | None = None,
    parcels: list[dict[str, Any]] | None = None,
    footprint: GEOSGeometry | type[Ellipsis] | None = ...,
    access_point: GEOSGeometry | type[Ellipsis] | None = ...,
    **fields: Any,
) -> Application:
    """Change a draft; after submission only officers' actions change an application."""
    application = _locked(application.pk)
    if application.state != State.DRAFT:
        raise WorkflowConflict(_("Cererea a fost deja depusă și nu mai poate fi modificată."))
    unknown = set(fields) - set(PROPOSED_FIELDS) - set(TEXT_FIELDS)
    if unknown:
        raise PermitError(
            _("Câmpuri necunoscute: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    for name, value in fields.items():
        setattr(application, name, value)
    if footprint is not ...:
        application.footprint = _footprint(footprint)
    if access_point is not ...:
        application.access_point = _access_point(access_point)
    if applicant:
        person = application.applicant
        for name, value in applicant.items():
            if name in APPLICANT_FIELDS and value is not None:
                setattr(person, name, value)
        person.save()
    if parcels is not None:
        rows = _resolve_parcels(parcels)
        application.parcels.all().delete()
        for row in rows:
            row.application = application
            row.save()
    application._history_user = user if user is not None and user.is_authenticated else None
    application.save()
    return application


def _check_complete_for_submission(application: Application) -> None:
    kind = application.kind
    if kind.needs_subject and not application.parcels.exists() and application.footprint is None:
        raise PermitError(
            _("Indicați imobilul (UAT și număr cadastral) sau desenați amplasamentul.")
        )
    if kind.asks_purpose and not application.purpose:
        raise PermitError(_("Indicați scopul pentru care se solicită certificatul de urbanism."))
    if kind.asks_access and application.access_point is None and not application.parcels.exists():
        raise PermitError(_("Indicați amplasamentul accesului la drum."))


# Transitions ------------------------------------------------------------------------------
def _locked(pk: int) -> Application:
    return Application.objects.select_for_update().select_related("kind").get(pk=pk)


def _conflict(application: Application, action: str) -> WorkflowConflict:
    return WorkflowConflict(
        _(
            "Acțiunea „%(action)s” nu se poate face: cererea este acum în starea "
            "„%(state)s” (a fost modificată între timp)."
        )
        % {"action": _(action), "state": application.get_state_display()},
        state=application.state,
    )


def _transition(
    application: Application,
    method: str,
    label: str,
    *,
    expected_revision: int | None = None,
    **kwargs: Any,
) -> str:
    """Run one FSM transition on a locked instance; returns the previous state."""
    if expected_revision is not None and expected_revision != application.revision:
        raise _conflict(application, label)
    before = application.state
    try:
        getattr(application, method)(**kwargs)
    except TransitionNotAllowed as exc:
        raise _conflict(application, label) from exc
    application.revision += 1
    return before


def _save(application: Application, user, label: str) -> None:
    application._history_user = user if user is not None and user.is_authenticated else None
    try:
        application.save()
    except ConcurrentTransition as exc:
        raise WorkflowConflict(
            _("Acțiunea „%(action)s” nu se poate face: altcineva a modificat cererea între timp.")
            % {"action": _(label)}
        ) from exc


def _act(
    application: Application,
    method: str,
    label: str,
    *,
    user,
    action: str,
    as_officer: bool,
    reason: str = "",
    expected_revision: int | None = None,
    data: Callable[[Application], dict] | None = None,
    at: datetime | None = None,
    **transition_kwargs: Any,
) -> Application:
    """One workflow step on a locked instance: the transition, the save (optimistic
    lock) and its legal event. `data` is read after the transition."""
    before = _transition(
        application, method, label, expected_revision=expected_revision, **transition_kwargs
    )
    _save(application, user, label)
    register_book.follow(application, reason=reason)
    extra = {"data": data(application)} if data else {}
    if at is not None:
        extra["at"] = at
    record_event(
        application=application,
        action=action,
        user=user,
        as_officer=as_officer,
        from_state=before,
        to_state=application.state,
        reason=reason,
        **extra,
    )
    return application


def _require_officer(user, application: Application) -> None:
    if not can_officiate(user, application.kind):
        raise PermissionDenied(_("Doar funcționarii compartimentului pot face această acțiune."))


@transaction.atomic
def submit_application(
    *,
    application: Application,
    user=None,
    now: datetime | None = None,
    require_documents: bool = False,
) -> tuple[Application, str]:
    """Submit and register in one transaction: the number exists only if the submission
    commits. Returns the application and a fresh access key for tracking (the draft key
    stops working). An applicant filing online (`require_documents`) must have attached
    every mandatory document of the kind, as the portal's form requires; a request taken
    in otherwise may be registered first and completed later (cerere de completare)."""
    application = _locked(application.pk)
    if application.state != State.DRAFT:
        raise _conflict(application, gettext_noop("depunere"))
    _check_complete_for_submission(application)
    now = now or timezone.now()
    try:
        check_prerequisite(application, on=local_date(now))
    except PrerequisiteMissing as exc:
        raise PermitError(str(exc)) from exc
    if require_documents and (missing := missing_documents(application)):
        raise PermitError(
            _("Atașați documentele obligatorii: %(names)s.")
            % {"names": "; ".join(document["name"] for document in missing)}
        )
    _transition(application, "submit", gettext_noop("depunere"))
    application.submitted_at = now
    entry = numbering.next_number(
        register=application.kind.register,
        reference=f"permits.application:{application.pk}",
        user=user,
        now=now,
    )
    _transition(
        application,
        "register",
        gettext_noop("înregistrare"),
        on=local_date(entry.registered_at),
        deadline_days=application.kind.deadline_days,
    )
    application.registration = entry
    key, application.access_key_hash = new_access_key()
    _save(application, user, gettext_noop("depunere"))
    register_book.record_request(application)
    record_event(
        application=application,
        action=Action.SUBMITTED,
        user=user,
        from_state=State.DRAFT,
        to_state=State.SUBMITTED,
        at=now,
    )
    record_event(
        application=application,
        action=Action.REGISTERED,
        user=user,
        from_state=State.SUBMITTED,
        to_state=State.REGISTERED,
        data={"number": entry.label, "due_date": _iso(application.due_date)},
        at=entry.registered_at,
        system=True,
    )
    if application.kind.builds_dossier:
        from permits.services.assembly import request_assembly

        request_assembly(application=application, reason="registration", user=user)
    return application, key


@transaction.atomic
def reset_access_key(*, application: Application, user, reason: str) -> tuple[Application, str]:
    """A new tracking key for an applicant who lost theirs (the old one stops working at
    once): given by an officer of the kind, who says how the applicant's identity was
    checked; a public event, so the applicant sees it on the tracking page. The key itself
    is never stored or recorded, only its hash."""
    application = _locked(application.pk)
    _require_officer(user, application)
    if application.state == State.DRAFT:
        raise PermitError(_("Cheia de urmărire se reemite doar pentru cererile depuse."))
    if not reason.strip():
        raise PermitError(_("Indicați cum a fost verificată identitatea solicitantului."))
    key, application.access_key_hash = new_access_key()
    Application.objects.filter(pk=application.pk).update(
        access_key_hash=application.access_key_hash
    )
    register_book.rekey(application)
    record_event(
        application=application,
        action=Action.ACCESS_KEY_RESET,
        user=user,
        as_officer=True,
        reason=reason,
    )
    return application, key


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


@transaction.atomic
def take_in_review(
    *,
    application: Application,
    user,
    reason: str = "",
    expected_revision: int | None = None,
) -> Application:
    application = _locked(application.pk)
    _require_officer(user, application)
    return _act(
        application,
        "take_in_review",
        gettext_noop("preluare"),
        user=user,
        action=Action.TAKEN_IN_REVIEW,
        as_officer=True,
        reason=reason,
        expected_revision=expected_revision,
    )


@transaction.atomic
def request_completion(
    *,
    application: Application,
    user,
    reason: str,
    missing: list[str] | None = None,
    now: datetime | None = None,
    expected_revision: int | None = None,
) -> Application:
    """Return the dossier for completion with the written list of what is missing: the
    legal clock stops."""
    if not reason.strip():
        raise PermitError(_("Precizați ce lipsește din documentație."))
    application = _locked(application.pk)
    _require_officer(user, application)
    now = now or timezone.now()
    return _act(
        application,
        "request_completion",
        gettext_noop("solicitare completare"),
        user=user,
        action=Action.COMPLETION_REQUESTED,
        as_officer=True,
        reason=reason,
        expected_revision=expected_revision,
        at=now,
        on=local_date(now),
        data=lambda a: {"missing": list(missing or []), "days_used": a.clock_days_used},
    )


@transaction.atomic
def complete(
    *,
    application: Application,
    user=None,
    key: str | None = None,
    reason: str = "",
    now: datetime | None = None,
    expected_revision: int | None = None,
) -> Application:
    """The applicant (or an officer receiving papers at the desk) completed the dossier:
    the clock resumes with the days left."""
    application = _locked(application.pk)
    as_officer = can_officiate(user, application.kind) if user is not None else False
    if not as_officer and not is_applicant(application, user=user, key=key):
        raise PermissionDenied(_("Doar solicitantul sau un funcționar poate completa cererea."))
    now = now or timezone.now()
    return _act(
        application,
        "complete",
        gettext_noop("completare"),
        user=user,
        action=Action.COMPLETED,
        as_officer=as_officer,
        reason=reason,
        expected_revision=expected_revision,
        at=now,
        on=local_date(now),
        reset=application.kind.completion_resets_clock,
        data=lambda a: {"due_date": _iso(a.due_date)},
    )


def add_months(day: date, months: int) -> date:
    """Same day `months` later, clamped to the month's end (31 Jan + 1 → 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _validity(kind: ApplicationKind, months: int | None) -> int | None:
    months = months if months is not None else kind.validity_months_default
    low, high = kind.validity_months_min, kind.validity_months_max
    if months is None:
        return None
    if (low is not None and months < low) or (high is not None and months > high):
        raise PermitError(
            _("Valabilitatea pentru %(act)s este între %(low)s și %(high)s luni.")
            % {"act": kind.act_name or kind.name, "low": low, "high": high}
        )
    return months


@transaction.atomic
def issue(
    *,
    application: Application,
    user,
    validity_months: int | None = None,
    notes: str = "",
    now: datetime | None = None,
    expected_revision: int | None = None,
) -> IssuedAct:
    """Issue the act with its own number (act register of the kind, per year)."""
    application = _locked(application.pk)
    _require_officer(user, application)
    months = _validity(application.kind, validity_months)
    now = now or timezone.now()
    before = _transition(
        application, "issue", gettext_noop("emitere"), expected_revision=expected_revision
    )
    entry = numbering.next_number(
        register=application.kind.act_register or application.kind.register,
        reference=f"permits.act:{application.pk}",
        user=user,
        now=now,
    )
    _save(application, user, gettext_noop("emitere"))
    issued_on = local_date(entry.registered_at)
    act = IssuedAct(
        application=application,
        registration=entry,
        issued_at=entry.registered_at,
        issued_by=user,
        validity_months=months,
        valid_until=add_months(issued_on, months) if months else None,
        notes=notes,
    )
    act._history_user = user
    act.save()
    register_book.record_act(act)
    record_event(
        application=application,
        action=Action.ISSUED,
        user=user,
        as_officer=True,
        from_state=before,
        to_state=application.state,
        reason=notes,
        data={
            "act_number": entry.label,
            "valid_until": _iso(act.valid_until),
            "validity_months": months,
        },
        at=entry.registered_at,
    )
    return act


@transaction.atomic
def reject(
    *,
    application: Application,
    user,
    reason: str,
    expected_revision: int | None = None,
) -> Application:
    if not reason.strip():
        raise PermitError(_("Motivați respingerea."))
    application = _locked(application.pk)
    _require_officer(user, application)
    return _act(
        application,
        "reject",
        gettext_noop("respingere"),
        user=user,
        action=Action.REJECTED,
        as_officer=True,
        reason=reason,
        expected_revision=expected_revision,
    )


@transaction.atomic
def withdraw(
    *,
    application: Application,
    user=None,
    key: str | None = None,
    reason: str = "",
    expected_revision: int | None = None,
) -> Application:
    """The applicant withdraws (or an officer records a written withdrawal)."""
    application = _locked(application.pk)
    as_officer = can_officiate(user, application.kind) if user is not None else False
    if not as_officer and not is_applicant(application, user=user, key=key):
        raise PermissionDenied(_("Doar solicitantul poate retrage cererea."))
    return _act(
        application,
        "withdraw",
        gettext_noop("retragere"),
        user=user,
        action=Action.WITHDRAWN,
        as_officer=as_officer,
        reason=reason,
        expected_revision=expected_revision,
    )


@transaction.atomic
def extend(
    *,
    application: Application,
    user,
    months: int,
    reason: str = "",
    now: datetime | None = None,
) -> IssuedAct:
    """Extend an issued act once, by at most the kind's maximum, if asked in time."""
    application = _locked(application.pk)
    _require_officer(user, application)
    if application.state != State.ISSUED:
        raise _conflict(application, gettext_noop("prelungire"))
    kind = application.kind
    act = IssuedAct.objects.select_for_update().get(application=application)
    if not kind.extension_months_max:
        raise PermitError(_("%(act)s nu se prelungește.") % {"act": kind.act_name or kind.name})
    if act.extension_count >= 1:
        raise WorkflowConflict(_("Actul a fost deja prelungit; se prelungește o singură dată."))
    if not 1 <= months <= kind.extension_months_max:
        raise PermitError(
            _("Prelungirea este de cel mult %(months)s luni.")
            % {"months": kind.extension_months_max}
        )
    today = local_date(now or timezone.now())
    expires = act.expires_on
    if expires is None:
        raise PermitError(_("Actul nu are termen de valabilitate."))
    if today > expires:
        raise PermitError(_("Actul a expirat și nu mai poate fi prelungit."))
    notice = kind.extension_notice_days or 0
    if (expires - today).days < notice:
        raise PermitError(
            _("Prelungirea se solicită cu cel puțin %(days)s zile înainte de expirare (%(date)s).")
            % {"days": notice, "date": f"{expires:%d.%m.%Y}"}
        )
    act.extended_until = add_months(expires, months)
    act.extension_count += 1
    act._history_user = user
    act.save()
    application.revision += 1
    _save(application, user, gettext_noop("prelungire"))
    record_event(
        application=application,
        action=Action.EXTENDED,
        user=user,
        as_officer=True,
        from_state=application.state,
        to_state=application.state,
        reason=reason,
        data={"months": months, "valid_until": _iso(act.extended_until)},
        at=now,
    )
    return act


# Tracking ---------------------------------------------------------------------------------
def find_by_registration(*, label: str, key: str) -> Application | None:
    """The application registered as `label` ('U-12/2025') if `key` is its access key;
    None for an unknown number and for a wrong key alike."""
    match = LABEL_RE.match(label or "")
    if not match:
        return None
    prefix, number, year = match.group(1), int(match.group(2)), int(match.group(3))
    entry = (
        RegistryEntry.objects.filter(register__prefix=prefix, year=year, number=number)
        .select_related("application")
        .first()
    )
    application = getattr(entry, "application", None) if entry else None
    if application is None or not key_matches(application, key):
        return None
    return application
