"""layers.signals.cadastre_changed: open applications on the changed parcels are flagged,
the change is recorded and a fresh dossier is queued; others are left alone."""

from __future__ import annotations

import pytest
from procrastinate.contrib.django.models import ProcrastinateJob

from layers.signals import cadastre_changed
from permits import tasks
from permits.models import Application, ApplicationEvent, AssemblyRun
from permits.services import applications as services

from .conftest import APPLICANT

pytestmark = pytest.mark.django_db


def test_cadastre_change_flags_open_applications(
    make_application, plain_parcel, officer, django_capture_on_commit_callbacks
):
    registered, _ = make_application()
    registered, _ = services.submit_application(application=registered)
    draft, _ = make_application()
    closed, _ = make_application()
    closed, _ = services.submit_application(application=closed)
    services.withdraw(application=closed, user=officer, reason="retrasă la ghișeu")
    drawn, _ = services.create_application(
        kind="cu",
        applicant=dict(APPLICANT),
        purpose="construire",
        footprint=plain_parcel.geom.buffer(-2),  # a footprint inside the parcel, no parcels
    )
    drawn, _ = services.submit_application(application=drawn)
    elsewhere, _ = make_application(
        parcel=type(plain_parcel)
        .objects.exclude(geom__intersects=plain_parcel.geom)
        .order_by("pk")
        .first()
    )
    elsewhere, _ = services.submit_application(application=elsewhere)
    AssemblyRun.objects.update(status=AssemblyRun.Status.DONE)  # the registration runs ran

    with django_capture_on_commit_callbacks(execute=True):
        cadastre_changed.send(sender=None, parcel_ids=[plain_parcel.pk])

    flagged = set(Application.objects.filter(needs_reanalysis=True).values_list("pk", flat=True))
    assert flagged == {registered.pk, drawn.pk}
    for application in (registered, drawn):
        event = application.events.get(action=ApplicationEvent.Action.CADASTRE_CHANGED)
        assert event.role == "sistem" and event.data["parcels"] == [plain_parcel.pk]
        run = application.assembly_runs.get(status=AssemblyRun.Status.QUEUED)
        assert run.reason == AssemblyRun.Reason.CADASTRE
        job = ProcrastinateJob.objects.get(task_name=tasks.TASK_NAME, args={"run_id": run.pk})
        assert job.queue_name == tasks.QUEUE
    for application in (draft, closed, elsewhere):
        assert not application.events.filter(
            action=ApplicationEvent.Action.CADASTRE_CHANGED
        ).exists()

    # a second change before the worker ran queues nothing more
    cadastre_changed.send(sender=None, parcel_ids=[plain_parcel.pk])
    assert registered.assembly_runs.filter(status=AssemblyRun.Status.QUEUED).count() == 1

    # the fresh analysis clears the flag
    tasks.assemble_dossier(run_id=registered.assembly_runs.get(status="queued").pk)
    registered.refresh_from_db()
    assert not registered.needs_reanalysis and registered.analysis is not None
    assert registered.dossiers.count() == 1


def test_registration_queues_the_assembly_job(make_application, django_capture_on_commit_callbacks):
    application, _ = make_application()
    with django_capture_on_commit_callbacks(execute=True):
        application, _ = services.submit_application(application=application)
    run = application.assembly_runs.get()
    assert run.status == AssemblyRun.Status.QUEUED and run.reason == "registration"
    job = ProcrastinateJob.objects.get(task_name=tasks.TASK_NAME, args={"run_id": run.pk})
    assert job.queue_name == tasks.QUEUE and job.status == "todo"
    general, _ = make_application(kind="petitie")
    services.submit_application(application=general)
    assert not general.assembly_runs.exists()  # no GIS dossier for a petition


def test_parcel_deleted_by_an_import_flags_applications_by_its_key(
    make_application, plain_parcel, django_capture_on_commit_callbacks
):
    """An import that deletes (or renumbers) a parcel leaves the request's link empty: the
    signal names it by UAT + cadastral number, which the request kept as written."""
    from layers.models import Parcel

    on_it, _ = make_application()
    on_it, _ = services.submit_application(application=on_it)
    other = Parcel.objects.exclude(pk=plain_parcel.pk).filter(uat=plain_parcel.uat).order_by("pk")
    twin = (  # the same cadastral number in another UAT
        Parcel.objects.exclude(uat=plain_parcel.uat)
        .filter(cadastral_number=plain_parcel.cadastral_number)
        .first()
    ) or Parcel.objects.exclude(uat=plain_parcel.uat).order_by("pk").first()
    same_number_other_uat, _ = make_application(parcel=twin)
    same_number_other_uat, _ = services.submit_application(application=same_number_other_uat)
    AssemblyRun.objects.update(status=AssemblyRun.Status.DONE)
    key = (plain_parcel.uat.siruta, plain_parcel.cadastral_number)
    Parcel.objects.filter(pk=plain_parcel.pk).delete()
    assert on_it.parcels.get().parcel_id is None  # the link is gone with the parcel

    with django_capture_on_commit_callbacks(execute=True):
        cadastre_changed.send(sender=None, parcel_ids=[other.first().pk], parcel_keys=[list(key)])

    on_it.refresh_from_db()
    assert on_it.needs_reanalysis
    event = on_it.events.get(action=ApplicationEvent.Action.CADASTRE_CHANGED)
    assert event.data["cadastral_numbers"] == [f"{key[1]} (UAT {key[0]})"]
    assert on_it.assembly_runs.filter(status=AssemblyRun.Status.QUEUED).count() == 1
    same_number_other_uat.refresh_from_db()
    assert not same_number_other_uat.needs_reanalysis


def test_a_parcel_deleted_or_edited_by_hand_flags_its_applications(
    make_application, plain_parcel, django_capture_on_commit_callbacks
):
    """Single edits (admin) announce the change themselves, after the commit: a deleted
    parcel by its UAT + cadastral number, an edited one by its id."""
    from layers.models import Parcel

    on_it, _ = make_application()
    on_it, _ = services.submit_application(application=on_it)
    AssemblyRun.objects.update(status=AssemblyRun.Status.DONE)
    with django_capture_on_commit_callbacks(execute=True):
        Parcel.objects.get(pk=plain_parcel.pk).delete()
    on_it.refresh_from_db()
    assert on_it.needs_reanalysis
    event = on_it.events.get(action=ApplicationEvent.Action.CADASTRE_CHANGED)
    key = (plain_parcel.uat.siruta, plain_parcel.cadastral_number)
    assert event.data["cadastral_numbers"] == [f"{key[1]} (UAT {key[0]})"]

    edited, _ = make_application(parcel=Parcel.objects.order_by("pk").first())
    edited, _ = services.submit_application(application=edited)
    parcel = edited.parcels.get().parcel
    with django_capture_on_commit_callbacks(execute=True):
        parcel.legal_area = (parcel.legal_area or 0) + 1
        parcel.save()
    edited.refresh_from_db()
    assert edited.needs_reanalysis
