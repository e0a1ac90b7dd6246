"""The permit module's lines in the register book (registratura): a registered request is
an incoming document, an issued act an outgoing one answering it. Called inside the
transaction that gives the number, so the book and the numbers never disagree."""

from __future__ import annotations

from permits.models import Application, IssuedAct
from permits.workflow import State
from registratura.models import Document
from registratura.services import documents as register


def record_request(application: Application) -> Document:
    """The request as an online incoming document, due when the permit clock says."""
    kind = application.kind
    applicant = application.applicant
    contact = ", ".join(v for v in (applicant.email, applicant.phone) if v)
    subject = (
        kind.name if not application.description else f"{kind.name}: {application.description}"
    )
    return register.record_incoming(
        entry=application.registration,
        kind=register.kind_for(code=kind.code, name=kind.name, deadline_days=kind.deadline_days),
        correspondent=register.Correspondent(
            name=applicant.name, address=applicant.address, contact=contact
        ),
        subject=subject,
        due_date=application.due_date,
        department=kind.officer_group or None,
        access_key_hash=application.access_key_hash,
    )


def rekey(application: Application) -> None:
    """The applicant got a new tracking key: the register book's line follows it."""
    if application.registration_id is not None:
        register.set_access_key_hash(
            entry=application.registration, key_hash=application.access_key_hash
        )


def record_act(act: IssuedAct) -> Document:
    """The issued act as outgoing, answering (and resolving) the request."""
    application = act.application
    name = application.kind.act_name or application.kind.name
    return register.record_issued_act(
        entry=act.registration,
        answers=application.registration,
        subject=f"{name} {act.registration.label} la cererea {application.registration.label}",
    )


OUTCOMES = {
    State.REJECTED: (Document.Status.RESOLVED, "Cerere respinsă"),
    State.WITHDRAWN: (Document.Status.FILED, "Cerere retrasă"),
}


def follow(application: Application, *, reason: str = "") -> None:
    """After a workflow step: the book's due date follows the permit clock (none while
    completion is awaited), and a refusal or withdrawal closes the line."""
    if application.registration_id is None:
        return
    outcome, note = OUTCOMES.get(application.state, (None, ""))
    register.follow_request(
        entry=application.registration,
        due_date=application.due_date,
        outcome=outcome,
        note=f"{note}: {reason}" if reason else note,
    )
