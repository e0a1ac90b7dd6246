"""Workflow: the legal clock (stopped by a completion request, resumed on completion),
every transition recorded with who/when/why, validity and extension rules, and two
officers acting at once on one application (exactly one wins)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django_fsm import ConcurrentTransition

from permits.models import Application, ApplicationEvent, IssuedAct
from permits.services import applications as services
from permits.workflow import State, WorkflowConflict
from registratura.services import deadlines

from .conftest import run_in_threads

Action = ApplicationEvent.Action


# 10:00 in Bucharest on the given day
def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


def test_clock_arithmetic():
    clock = deadlines.start(total_days=30, on=date(2031, 3, 1))
    assert clock.due_date == date(2031, 3, 31)
    stopped = deadlines.stop(clock, on=date(2031, 3, 11))
    assert stopped.days_used == 10 and stopped.due_date is None and not stopped.running
    resumed = deadlines.resume(stopped, on=date(2031, 3, 20))
    assert resumed.due_date == date(2031, 4, 9)  # 20 days left from 20 March
    assert resumed.days_left(date(2031, 4, 1)) == 8
    again = deadlines.resume(deadlines.stop(resumed, on=date(2031, 3, 25)), on=date(2031, 4, 5))
    assert again.days_used == 15 and again.due_date == date(2031, 4, 20)
    assert deadlines.resume(stopped, on=date(2031, 3, 20), reset=True).due_date == date(2031, 4, 19)
    assert deadlines.start(total_days=None, on=date(2031, 1, 1)).due_date is None


@pytest.mark.django_db
def test_full_cu_workflow_with_clock_stop_and_history(make_application, officer):
    application, key = make_application()
    application, key = services.submit_application(
        application=application, now=at(date(2031, 3, 1))
    )
    assert application.state == State.REGISTERED
    assert application.deadline_days == 15 and application.due_date == date(2031, 3, 16)
    services.take_in_review(application=application, user=officer)
    services.request_completion(
        application=application,
        user=officer,
        reason="Lipsește extrasul de carte funciară.",
        missing=["extras-cadastral"],
        now=at(date(2031, 3, 6)),
    )
    application.refresh_from_db()
    assert application.state == State.COMPLETION_REQUESTED
    assert application.clock_days_used == 5 and not application.clock_running
    assert application.due_date is None
    services.complete(application=application, key=key, now=at(date(2031, 3, 20)))
    application.refresh_from_db()
    assert application.state == State.IN_REVIEW
    assert application.due_date == date(2031, 3, 30)  # 10 days left from 20 March
    act = services.issue(
        application=application, user=officer, validity_months=24, now=at(date(2031, 3, 25))
    )
    application.refresh_from_db()
    assert application.state == State.ISSUED
    assert act.registration.label == "CU-1/2031"
    assert act.valid_until == date(2033, 3, 25)
    assert application.registration.label == "U-1/2031"

    actions = list(
        application.events.order_by("pk").values_list("action", "from_state", "to_state")
    )
    assert actions == [
        (Action.CREATED, "", State.DRAFT),
        (Action.SUBMITTED, State.DRAFT, State.SUBMITTED),
        (Action.REGISTERED, State.SUBMITTED, State.REGISTERED),
        (Action.ASSEMBLY_REQUESTED, "", ""),
        (Action.TAKEN_IN_REVIEW, State.REGISTERED, State.IN_REVIEW),
        (Action.COMPLETION_REQUESTED, State.IN_REVIEW, State.COMPLETION_REQUESTED),
        (Action.COMPLETED, State.COMPLETION_REQUESTED, State.IN_REVIEW),
        (Action.ISSUED, State.IN_REVIEW, State.ISSUED),
    ]
    completion = application.events.get(action=Action.COMPLETION_REQUESTED)
    assert completion.actor == officer and completion.role == "functionar"
    assert completion.reason == "Lipsește extrasul de carte funciară."
    assert completion.data == {"missing": ["extras-cadastral"], "days_used": 5}
    assert application.events.get(action=Action.COMPLETED).role == "solicitant"
    # field-level audit trail (django-simple-history) with the user who changed it
    history = list(application.history.order_by("history_id"))
    assert [h.state for h in history][-4:] == [
        State.IN_REVIEW,
        State.COMPLETION_REQUESTED,
        State.IN_REVIEW,
        State.ISSUED,
    ]
    assert history[-1].history_user == officer
    assert not hasattr(history[-1], "access_key_hash")


@pytest.mark.django_db
def test_validity_and_single_extension(make_application, officer):
    application, _ = make_application()
    application, _ = services.submit_application(application=application)
    services.take_in_review(application=application, user=officer)
    with pytest.raises(services.PermitError, match="între 6 și 24 luni"):
        services.issue(application=application, user=officer, validity_months=36)
    issued = at(date(2031, 1, 31))
    act = services.issue(application=application, user=officer, validity_months=12, now=issued)
    assert act.valid_until == date(2032, 1, 31)
    with pytest.raises(services.PermitError, match="cel puțin 15 zile"):
        services.extend(application=application, user=officer, months=12, now=at(date(2032, 1, 20)))
    with pytest.raises(services.PermitError, match="cel mult 12 luni"):
        services.extend(application=application, user=officer, months=13, now=issued)
    act = services.extend(
        application=application,
        user=officer,
        months=6,
        reason="cerere de prelungire nr. 77",
        now=at(date(2031, 12, 1)),
    )
    assert act.extended_until == date(2032, 7, 31) and act.extension_count == 1
    event = application.events.get(action=Action.EXTENDED)
    assert event.reason == "cerere de prelungire nr. 77" and event.actor == officer
    with pytest.raises(WorkflowConflict, match="o singură dată"):
        services.extend(application=application, user=officer, months=6, now=at(date(2031, 12, 2)))
    assert IssuedAct.history.filter(application=application).count() == 2


@pytest.mark.django_db
def test_ac_validity_is_twelve_months_and_acts_have_their_own_registers(make_application, officer):
    cu, _ = make_application()
    ac, _ = make_application(kind="ac", purpose="")
    services.submit_application(application=cu, now=at(date(2031, 5, 5)))
    services.take_in_review(application=cu, user=officer)
    cu_act = services.issue(application=cu, user=officer, now=at(date(2031, 5, 6)))
    # an AC needs a valid CU of the same property (issued here, or its copy attached)
    services.submit_application(application=ac, now=at(date(2031, 5, 6)))
    services.take_in_review(application=ac, user=officer)
    ac_act = services.issue(application=ac, user=officer, now=at(date(2031, 5, 6)))
    assert ac_act.validity_months == 12 and ac_act.valid_until == date(2032, 5, 6)
    assert ac_act.registration.label == "AC-1/2031"
    assert cu_act.registration.label == "CU-1/2031"
    ac.refresh_from_db()
    assert ac.deadline_days == 30 and ac.registration.label == "U-2/2031"


@pytest.mark.django_db
def test_rules_of_who_may_act(make_application, clerk, roads_officer, officer):
    application, key = make_application()
    with pytest.raises(services.PermitError, match="scopul"):
        services.submit_application(
            application=services.update_draft(application=application, purpose="")
        )
    services.update_draft(application=application, purpose="construire")
    application, key = services.submit_application(application=application)
    with pytest.raises(PermissionDenied):
        services.take_in_review(application=application, user=clerk)
    with pytest.raises(PermissionDenied):  # a roads officer does not handle a CU
        services.take_in_review(application=application, user=roads_officer)
    with pytest.raises(WorkflowConflict):  # not in review yet
        services.issue(application=application, user=officer)
    with pytest.raises(services.PermitError):
        services.reject(application=application, user=officer, reason=" ")
    with pytest.raises(PermissionDenied):
        services.withdraw(application=application, key="cheie-greșită")
    services.withdraw(application=application, key=key, reason="Renunț.")
    application.refresh_from_db()
    assert application.state == State.WITHDRAWN
    with pytest.raises(WorkflowConflict):
        services.update_draft(application=application, description="x")


@pytest.mark.django_db
def test_a_stale_instance_cannot_overwrite_a_newer_state(make_application, officer):
    """ConcurrentTransitionMixin: the state in the database is part of the UPDATE."""
    application, _ = make_application()
    services.submit_application(application=application)
    first = Application.objects.get(pk=application.pk)
    second = Application.objects.get(pk=application.pk)
    first.take_in_review()
    first.save()
    second.take_in_review()
    with pytest.raises(ConcurrentTransition):
        second.save()


@pytest.mark.django_db(transaction=True, available_apps=["registratura", "permits"])
def test_two_officers_at_once_only_one_wins(make_application):
    # Superusers: with available_apps the auth relations are out of the app registry, so
    # group look-ups are tested in the other tests; here the point is the race.
    admin = User.objects.get(username="demo.admin")
    officer, _ = User.objects.get_or_create(
        username="permits.officer2", defaults={"is_superuser": True, "is_staff": True}
    )
    users = [officer, admin]
    apps = []
    for _ in range(3):
        application, _ = make_application()
        application, _ = services.submit_application(application=application)
        apps.append(application)

    # the same action twice
    results = run_in_threads(
        2, lambda i: services.take_in_review(application=apps[0], user=users[i], reason=str(i))
    )
    wins = [r for r in results if isinstance(r, Application)]
    conflicts = [r for r in results if isinstance(r, WorkflowConflict)]
    assert len(wins) == 1 and len(conflicts) == 1, results
    assert "în analiză" in str(conflicts[0]) and conflicts[0].state == State.IN_REVIEW
    assert apps[0].events.filter(action=Action.TAKEN_IN_REVIEW).count() == 1

    # two different actions from the same state: issue vs. request completion
    services.take_in_review(application=apps[1], user=officer)

    def act(i: int):
        if i == 0:
            return services.issue(application=apps[1], user=users[0])
        return services.request_completion(
            application=apps[1], user=users[1], reason="Lipsește planul."
        )

    results = run_in_threads(2, act)
    assert sum(not isinstance(r, Exception) for r in results) == 1, results
    assert sum(isinstance(r, WorkflowConflict) for r in results) == 1, results
    apps[1].refresh_from_db()
    decided = apps[1].events.filter(action__in=[Action.ISSUED, Action.COMPLETION_REQUESTED]).count()
    assert decided == 1
    assert IssuedAct.objects.filter(application=apps[1]).count() == (
        1 if apps[1].state == State.ISSUED else 0
    )

    # optimistic check: an officer acting on what they saw at revision r
    seen = Application.objects.get(pk=apps[2].pk).revision
    services.take_in_review(application=apps[2], user=officer)
    with pytest.raises(WorkflowConflict):
        services.reject(application=apps[2], user=admin, reason="x", expected_revision=seen)
