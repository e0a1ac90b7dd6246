"""The register book: due dates from the kinds' legal deadlines (data), assignment,
answers and issued acts linked to what they answer, closing without answer."""

from __future__ import annotations

import importlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from layers.models import Parcel
from permits.services import applications as permit_services
from registratura.models import Department, Document, DocumentKind, RegistryEntry
from registratura.services import documents as services

pytestmark = pytest.mark.django_db
BUCHAREST = ZoneInfo("Europe/Bucharest")


def test_due_dates_come_from_the_kinds_legal_deadlines(incoming):
    # 23:30 UTC on 31 Jan is already 1 Feb in Bucharest: the deadline counts from there.
    moment = datetime(2034, 1, 31, 23, 30, tzinfo=UTC)
    petition = incoming(kind="petitie", now=moment)
    info = incoming(kind="informatii-publice", now=moment)
    notice = incoming(kind="informare", now=moment)
    assert petition.due_date == date(2034, 3, 3)  # 1 Feb + 30 days
    assert info.due_date == date(2034, 2, 11)  # 1 Feb + 10 days
    assert notice.due_date is None  # no legal deadline
    # The law changes: the deadline is data, new entries follow it.
    DocumentKind.objects.filter(code="petitie").update(deadline_days=45)
    assert incoming(kind="petitie", now=moment).due_date == date(2034, 3, 18)
    # Kinds go to their department unless the front desk says otherwise.
    assert petition.department.code == "registratura"
    legal = Department.objects.get(code="juridic")
    assert incoming(department=legal).department == legal


def test_front_desk_entry_is_numbered_and_linked(incoming, clerk):
    document = incoming(pages=4)
    entry = document.entry
    assert entry.register.code == "registratura" and entry.label.startswith("RG-")
    assert entry.reference == f"registratura.document:{document.pk}"
    assert entry.created_by == clerk and document.created_by == clerk
    assert document.status == Document.Status.REGISTERED and document.pages == 4
    assigned = incoming(assigned_to=clerk)
    assert assigned.status == Document.Status.ASSIGNED and assigned.assigned_at is not None


def test_only_officers_write_the_register(incoming, citizen):
    with pytest.raises(PermissionDenied):
        incoming(user=citizen)
    assert not RegistryEntry.objects.filter(register__code="registratura").exists()


def test_answer_resolves_and_interim_notice_does_not(incoming, clerk, officer):
    request = incoming(kind="informatii-publice")
    notice = services.register_outgoing(
        in_reply_to=request,
        channel="email",
        correspondent=services.Correspondent(name=request.correspondent_name),
        subject="Notificare: cererea este complexă, răspuns în 30 de zile",
        resolves=False,
        user=clerk,
    )
    request.refresh_from_db()
    assert request.status == Document.Status.REGISTERED
    answer = services.register_outgoing(
        in_reply_to=request,
        channel="posta",
        correspondent=services.Correspondent(name=request.correspondent_name),
        subject="Răspuns",
        user=officer,
    )
    request.refresh_from_db()
    assert request.status == Document.Status.RESOLVED
    assert request.resolved_at == answer.entry.registered_at
    assert answer.direction == "iesire" and answer.status == Document.Status.SENT
    assert answer.entry.register == request.entry.register  # numbered in the same register
    assert [a.pk for a in request.answers.order_by("pk")] == [notice.pk, answer.pk]
    assert answer.entry.number == notice.entry.number + 1 == request.entry.number + 2
    # An answer answers incoming documents only, and the database says so too.
    with pytest.raises(ValidationError):
        services.register_outgoing(
            in_reply_to=answer,
            channel="posta",
            correspondent=services.Correspondent(name="x"),
            subject="x",
            user=officer,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Document.objects.filter(pk=request.pk).update(in_reply_to=answer)


def test_assign_and_file_without_answer(incoming, clerk, officer):
    document = incoming()
    urbanism = Department.objects.get(code="urbanism")
    services.assign(document=document, department=urbanism, officer=officer, user=clerk)
    document.refresh_from_db()
    assert (document.department, document.assigned_to, document.status) == (
        urbanism,
        officer,
        Document.Status.ASSIGNED,
    )
    with pytest.raises(ValidationError):
        services.file_without_answer(document=document, reason="  ", user=officer)
    services.file_without_answer(document=document, reason="petiție anonimă", user=officer)
    document.refresh_from_db()
    assert document.status == Document.Status.FILED and "petiție anonimă" in document.notes
    with pytest.raises(ValidationError):
        services.assign(document=document, department=urbanism, user=clerk)


def test_online_request_and_its_act_are_lines_of_the_book(officer):
    parcel = Parcel.objects.filter(intravilan=True).select_related("uat").order_by("pk").first()
    application, _ = permit_services.create_application(
        kind="cu",
        applicant={"kind": "pf", "name": "Ion Registrescu", "email": "ion@example.org"},
        parcels=[{"uat": parcel.uat.siruta, "cadastral_number": parcel.cadastral_number}],
        purpose="construire",
        description="Locuință P+1E",
    )
    moment = datetime(2034, 5, 5, 8, 0, tzinfo=UTC)
    application, _ = permit_services.submit_application(application=application, now=moment)
    request = application.registration.document
    assert request.channel == "online" and request.direction == "intrare"
    assert request.kind.code == "cu" and request.kind.deadline_days == 15  # the permit kind's
    assert request.due_date == application.due_date == date(2034, 5, 20)
    assert request.department.code == "urbanism"
    assert request.correspondent_name == "Ion Registrescu"
    assert "Locuință P+1E" in request.subject

    permit_services.take_in_review(application=application, user=officer)
    act = permit_services.issue(application=application, user=officer, validity_months=12)
    outgoing = act.registration.document
    request.refresh_from_db()
    assert outgoing.direction == "iesire" and outgoing.in_reply_to == request
    assert outgoing.entry.register.code == "acte-cu"
    assert act.registration.label in outgoing.subject
    assert request.status == Document.Status.RESOLVED
    assert request.resolved_at - act.issued_at < timedelta(seconds=1)


def _online_petition(now: datetime):
    application, key = permit_services.create_application(
        kind="petitie",
        applicant={"kind": "pf", "name": "Dana Urmărescu", "phone": "0722000111"},
        description="Zgomot nocturn",
    )
    application, key = permit_services.submit_application(application=application, now=now)
    return application, key


def test_the_book_follows_the_permit_clock_and_outcome(officer):
    start = datetime(2034, 6, 1, 8, 0, tzinfo=UTC)
    application, _ = _online_petition(start)
    line = application.registration.document
    assert line.due_date == date(2034, 7, 1) and line.correspondent_contact == "0722000111"

    permit_services.take_in_review(application=application, user=officer)
    permit_services.request_completion(
        application=application,
        user=officer,
        reason="Lipsește semnătura",
        now=datetime(2034, 6, 11, 8, 0, tzinfo=UTC),
    )
    line.refresh_from_db()
    assert line.due_date is None and line.is_open  # clock stopped: nothing to remind
    application.refresh_from_db()
    permit_services.complete(
        application=application, user=officer, now=datetime(2034, 6, 21, 8, 0, tzinfo=UTC)
    )
    line.refresh_from_db()
    application.refresh_from_db()
    assert line.due_date == application.due_date == date(2034, 7, 11)  # 10 days stopped

    permit_services.reject(application=application, user=officer, reason="Nu este de competență")
    line.refresh_from_db()
    assert line.status == Document.Status.RESOLVED and "Nu este de competență" in line.notes

    other, key = _online_petition(start)
    permit_services.withdraw(application=other, key=key)
    assert Document.objects.get(entry=other.registration).status == Document.Status.FILED


def test_requests_numbered_before_the_book_are_backfilled(officer):
    """permits 0004 turns requests and acts numbered before the book existed into lines."""
    backfill = importlib.import_module("permits.migrations.0004_register_book").forwards
    open_one, _ = _online_petition(datetime(2034, 8, 1, 8, 0, tzinfo=UTC))
    decided, _ = _online_petition(datetime(2034, 8, 1, 9, 0, tzinfo=UTC))
    permit_services.take_in_review(application=decided, user=officer)
    act = permit_services.issue(application=decided, user=officer)
    Document.objects.filter(in_reply_to__isnull=False).delete()
    Document.objects.all().delete()  # as before the book existed

    backfill(django_apps, None)
    backfill(django_apps, None)  # idempotent

    line = Document.objects.get(entry=open_one.registration)
    assert (line.channel, line.kind.code, line.status) == ("online", "petitie", "inregistrat")
    assert line.due_date == date(2034, 8, 31) and line.correspondent_name == "Dana Urmărescu"
    request = Document.objects.get(entry=decided.registration)
    assert request.status == "solutionat" and request.due_date is None
    answer = Document.objects.get(entry=act.registration)
    assert answer.in_reply_to == request and answer.direction == "iesire"
    assert Document.objects.count() == 3
