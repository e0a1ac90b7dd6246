"""Reminders: what falls due in the next 3 days (and what is overdue) goes by e-mail to
the assigned officer, else the department; once a day, by command or periodic job."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from registratura.models import Department, Document
from registratura.services import documents as services
from registratura.services.reminders import send_reminders
from registratura.tasks import send_due_reminders

pytestmark = pytest.mark.django_db

# Registered on 1 Mar 2035 (Bucharest): informații publice due 11 Mar, petiție 31 Mar.
REGISTERED = datetime(2035, 3, 1, 8, 0, tzinfo=UTC)


@pytest.fixture
def book(incoming, officer, clerk):
    officer.email = "ofiter@example.org"
    officer.save()
    Department.objects.filter(code="registratura").update(email="registratura@example.org")
    # registered first: registration times follow the numbers
    return {
        "nobody": incoming(
            kind="adresa", now=datetime(2035, 2, 8, 8, 0, tzinfo=UTC)
        ),  # due 10 Mar, no department, nobody assigned
        "assigned": incoming(kind="informatii-publice", assigned_to=officer, now=REGISTERED),
        "department": incoming(kind="informatii-publice", now=REGISTERED),
        "later": incoming(kind="petitie", now=REGISTERED),
        "no_deadline": incoming(kind="informare", now=REGISTERED),
        "done": incoming(kind="informatii-publice", now=REGISTERED),
    }


def test_reminders_of_the_next_three_days(book, clerk):
    services.register_outgoing(
        in_reply_to=book["done"],
        channel="posta",
        correspondent=services.Correspondent(name="x"),
        subject="răspuns",
        user=clerk,
    )
    # 8 Mar: 11 Mar is within 3 days; the 10 Mar one too; 31 Mar is not.
    run = send_reminders(today=date(2035, 3, 8))
    assert run.sent == 2 and run.documents == 2
    assert run.without_recipient == [book["nobody"].entry.label]
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"ofiter@example.org", "registratura@example.org"}
    assert book["assigned"].entry.label in by_to["ofiter@example.org"].body
    assert book["assigned"].entry.label not in by_to["registratura@example.org"].body
    assert book["department"].entry.label in by_to["registratura@example.org"].body
    for key in ("later", "no_deadline", "done"):
        assert all(book[key].entry.label not in m.body for m in mail.outbox)
    assert "11.03.2035 (în 3 zile)" in by_to["ofiter@example.org"].body

    # Once a day: a second run the same day sends nothing.
    assert send_reminders(today=date(2035, 3, 8)).sent == 0
    assert len(mail.outbox) == 2
    # Next day again, and overdue documents are still listed.
    mail.outbox.clear()
    run = send_reminders(today=date(2035, 3, 12))
    assert run.sent == 2
    assert "depășit cu 1 zile" in mail.outbox[0].body + mail.outbox[1].body
    assert Document.objects.filter(last_reminded_on=date(2035, 3, 12)).count() == 2


def test_command_and_periodic_task(book):
    out = StringIO()
    call_command("registratura_reminders", "--today", "2035-03-09", stdout=out)
    assert "2 e-mailuri trimise pentru 3 documente" in out.getvalue()  # with "done"
    assert book["nobody"].entry.label in out.getvalue()
    assert len(mail.outbox) == 2
    # The periodic job is registered with the worker's app and runs the same service.
    from procrastinate.contrib.django import app

    assert "registratura.send_reminders" in app.tasks
    periodic = app.periodic_registry.periodic_tasks.values()
    assert any(p.task.name == "registratura.send_reminders" for p in periodic)
    mail.outbox.clear()
    send_due_reminders(timestamp=int(REGISTERED.timestamp()))  # today's date: nothing due
    assert mail.outbox == []
