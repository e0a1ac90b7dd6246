"""Gap-free registration numbers per register and calendar year (Europe/Bucharest).

A counter row per (register, year) is locked with SELECT ... FOR UPDATE and advanced in the
caller's transaction: concurrent callers queue on the row, and a rollback gives the number
back together with everything else, so numbers stay consecutive and are never reused. A
PostgreSQL sequence would lose numbers on rollback (DOMAIN.md).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from registratura.models import Register, RegisterCounter, RegistryEntry


def register_year(moment: datetime) -> int:
    """The registration year of an instant: the calendar year in Bucharest, not UTC."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).year


@transaction.atomic
def next_number(
    *,
    register: Register | str,
    reference: str = "",
    user=None,
    now: datetime | None = None,
) -> RegistryEntry:
    """Give the next number of `register` in the current year and record it.

    Must run inside the transaction that uses the number (it joins it); `now` is for
    tests and imports of paper registers.
    """
    if isinstance(register, str):
        register = Register.objects.get(code=register)
    moment = now or timezone.now()
    year = register_year(moment)
    # The first number of a year creates the row; ON CONFLICT DO NOTHING waits for a
    # concurrent creator instead of failing.
    RegisterCounter.objects.bulk_create(
        [RegisterCounter(register=register, year=year, last_number=0)], ignore_conflicts=True
    )
    counter = RegisterCounter.objects.select_for_update().get(register=register, year=year)
    counter.last_number += 1
    # Registration times follow the numbers even if callers read the clock out of order.
    if counter.last_at is not None and counter.last_at > moment:
        moment = counter.last_at
    counter.last_at = moment
    counter.save(update_fields=["last_number", "last_at"])
    return RegistryEntry.objects.create(
        register=register,
        year=year,
        number=counter.last_number,
        registered_at=moment,
        reference=reference[:100],
        created_by=user if user is not None and user.is_authenticated else None,
    )
