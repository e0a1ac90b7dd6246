"""The state machine of an application (django-fsm-2) and the legal clock it drives.

    draft → submitted → registered → in_review ⇄ completion_requested
    in_review → issued | rejected;  any open state → withdrawn

Transitions only change the instance; permits.services.applications runs them under a
row lock, saves, numbers and records the event. ConcurrentTransitionMixin refuses to save
a state that changed in the database since the instance was read, so two officers acting
at once cannot both win even if a caller forgot the lock.
"""

from __future__ import annotations

from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from registratura.services import deadlines


class State(models.TextChoices):
    DRAFT = "draft", _("ciornă")
    SUBMITTED = "submitted", _("depusă")
    REGISTERED = "registered", _("înregistrată")
    IN_REVIEW = "in_review", _("în analiză")
    COMPLETION_REQUESTED = "completion_requested", _("completare solicitată")
    ISSUED = "issued", _("act emis")
    REJECTED = "rejected", _("respinsă")
    WITHDRAWN = "withdrawn", _("retrasă")


OPEN_STATES = (
    State.SUBMITTED,
    State.REGISTERED,
    State.IN_REVIEW,
    State.COMPLETION_REQUESTED,
)
CLOSED_STATES = (State.ISSUED, State.REJECTED, State.WITHDRAWN)


class WorkflowConflict(Exception):
    """The action does not apply to the application as it is now (someone else acted)."""

    def __init__(self, message: str, *, state: str | None = None):
        super().__init__(message)
        self.state = state


class ApplicationWorkflow(ConcurrentTransitionMixin, models.Model):
    """State, registration clock and the transitions between states."""

    state = FSMField(_("stare"), max_length=24, choices=State.choices, default=State.DRAFT)
    deadline_days = models.PositiveSmallIntegerField(
        _("termen legal (zile)"), null=True, blank=True
    )
    clock_started_on = models.DateField(_("termen curs de la"), null=True, blank=True)
    clock_days_used = models.PositiveSmallIntegerField(_("zile consumate"), default=0)
    clock_running = models.BooleanField(_("termen în curs"), default=False)
    due_date = models.DateField(_("termen de soluționare"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revizie"), default=0)

    class Meta:
        abstract = True

    # The clock ------------------------------------------------------------------------
    @property
    def clock(self) -> deadlines.Clock:
        return deadlines.Clock(
            total_days=self.deadline_days,
            started_on=self.clock_started_on,
            days_used=self.clock_days_used,
            running=self.clock_running,
        )

    def _set_clock(self, clock: deadlines.Clock) -> None:
        self.deadline_days = clock.total_days
        self.clock_started_on = clock.started_on
        self.clock_days_used = clock.days_used
        self.clock_running = clock.running
        self.due_date = clock.due_date

    # Transitions ----------------------------------------------------------------------
    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED)
    def submit(self) -> None:
        """The applicant hands the request in."""

    @transition(field=state, source=State.SUBMITTED, target=State.REGISTERED)
    def register(self, *, on: date, deadline_days: int | None) -> None:
        """A registration number was given: the legal clock starts that day."""
        self._set_clock(deadlines.start(total_days=deadline_days, on=on))

    @transition(field=state, source=State.REGISTERED, target=State.IN_REVIEW)
    def take_in_review(self) -> None:
        """An officer takes the request."""

    @transition(field=state, source=State.IN_REVIEW, target=State.COMPLETION_REQUESTED)
    def request_completion(self, *, on: date) -> None:
        """The dossier is incomplete: the clock stops."""
        self._set_clock(deadlines.stop(self.clock, on=on))

    @transition(field=state, source=State.COMPLETION_REQUESTED, target=State.IN_REVIEW)
    def complete(self, *, on: date, reset: bool = False) -> None:
        """The missing documents arrived: the clock resumes."""
        self._set_clock(deadlines.resume(self.clock, on=on, reset=reset))

    @transition(field=state, source=State.IN_REVIEW, target=State.ISSUED)
    def issue(self) -> None:
        self._close_clock()

    @transition(field=state, source=State.IN_REVIEW, target=State.REJECTED)
    def reject(self) -> None:
        self._close_clock()

    @transition(
        field=state,
        source=[State.DRAFT, *OPEN_STATES],
        target=State.WITHDRAWN,
    )
    def withdraw(self) -> None:
        self._close_clock()

    def _close_clock(self) -> None:
        """Stop counting; the due date stays as it was, to tell whether it was kept."""
        self.clock_running = False
