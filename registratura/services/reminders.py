"""Reminders of what falls due: one e-mail per officer (or per department when nobody is
assigned) listing the open documents due in the next days and those already overdue.

A document is reminded at most once a day (`last_reminded_on`), so the daily periodic job
and a manual run of the command on the same day do not repeat each other."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone

from registratura.models import Document
from registratura.selectors import due_soon
from registratura.services.deadlines import local_date

DEFAULT_DAYS = 3


@dataclass
class ReminderRun:
    sent: int = 0
    documents: int = 0
    without_recipient: list[str] = field(default_factory=list)


def _recipient(document: Document) -> str:
    if document.assigned_to is not None and document.assigned_to.email:
        return document.assigned_to.email
    if document.department is not None and document.department.email:
        return document.department.email
    return ""


def _body(documents: list[Document], today: date) -> str:
    lines = ["Documente din registratură cu termenul în următoarele zile:", ""]
    for d in documents:
        left = (d.due_date - today).days
        when = f"depășit cu {-left} zile" if left < 0 else f"în {left} zile"
        lines.append(
            f"- {d.entry.label} din {local_date(d.entry.registered_at):%d.%m.%Y}: "
            f"{d.subject[:120]} — termen {d.due_date:%d.%m.%Y} ({when})"
        )
    return "\n".join(lines) + "\n"


@transaction.atomic
def send_reminders(*, today: date | None = None, days: int = DEFAULT_DAYS) -> ReminderRun:
    """Send today's reminders; documents already reminded today are skipped."""
    today = today or local_date(timezone.now())
    run = ReminderRun()
    todo = (
        due_soon(today=today, days=days)
        .exclude(last_reminded_on=today)
        .select_for_update(of=("self",), skip_locked=True)
    )
    by_recipient: dict[str, list[Document]] = defaultdict(list)
    for document in todo:
        address = _recipient(document)
        if address:
            by_recipient[address].append(document)
        else:
            run.without_recipient.append(document.entry.label)
    messages = [
        EmailMessage(
            subject=f"Registratură: {len(docs)} documente cu termen până la "
            f"{today + timedelta(days=days):%d.%m.%Y}",
            body=_body(docs, today),
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        for address, docs in sorted(by_recipient.items())
    ]
    if messages:
        run.sent = get_connection().send_messages(messages) or 0
    reminded = [d.pk for docs in by_recipient.values() for d in docs]
    run.documents = Document.objects.filter(pk__in=reminded).update(last_reminded_on=today)
    return run
