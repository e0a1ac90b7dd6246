"""The legal deadline of an application as a clock that a completion request stops.

Calendar days from the registration date (DOMAIN.md); while completion is requested the
clock is stopped, and on completion it resumes with the days already consumed (or starts
again from zero where the kind says so). Non-working days are not skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings


def local_date(moment: datetime) -> date:
    """The calendar date of an instant in the project's time zone (Europe/Bucharest)."""
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


@dataclass(frozen=True)
class Clock:
    total_days: int | None
    started_on: date | None = None
    days_used: int = 0
    running: bool = False

    @property
    def due_date(self) -> date | None:
        """None while stopped, or for requests without a legal deadline."""
        if self.total_days is None or not self.running or self.started_on is None:
            return None
        return self.started_on + timedelta(days=self.total_days - self.days_used)

    def days_left(self, today: date) -> int | None:
        due = self.due_date
        return None if due is None else (due - today).days


def start(*, total_days: int | None, on: date) -> Clock:
    return Clock(total_days=total_days, started_on=on, days_used=0, running=True)


def stop(clock: Clock, *, on: date) -> Clock:
    """Stop the clock (completion requested); the days so far stay consumed."""
    if not clock.running or clock.started_on is None:
        return clock
    used = clock.days_used + max(0, (on - clock.started_on).days)
    return replace(clock, days_used=used, running=False, started_on=None)


def resume(clock: Clock, *, on: date, reset: bool = False) -> Clock:
    """Restart after completion with the remaining days (or all of them if `reset`)."""
    if clock.running:
        return clock
    return replace(clock, started_on=on, running=True, days_used=0 if reset else clock.days_used)
