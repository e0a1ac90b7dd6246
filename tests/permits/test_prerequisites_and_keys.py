"""The act a kind needs first is enforced on submission (acord prealabil: a valid CU;
autorizație de acces: a valid acord prealabil), and an officer can give a new tracking
key to an applicant who lost theirs."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from rest_framework.test import APIClient

from permits.models import ApplicationEvent
from permits.services import applications as services
from permits.services.attachments import add_attachment
from registratura.selectors import tracked_request

from . import files

pytestmark = pytest.mark.django_db
BASE = "/api/permits"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=ZoneInfo("Europe/Bucharest"))


def _issued(make_application, user, kind: str = "cu", *, on: date, **fields):
    application, _ = make_application(kind=kind, **fields)
    application, _ = services.submit_application(application=application, now=at(on))
    services.take_in_review(application=application, user=user)
    services.issue(application=application, user=user, now=at(on))
    return application


def test_acord_prealabil_needs_a_valid_cu(make_application, officer, plain_parcel, road_parcel):
    acord, _ = make_application(kind="acord-prealabil", purpose="")
    with pytest.raises(services.PermitError, match="necesită un certificat de urbanism valabil"):
        services.submit_application(application=acord, now=at(date(2031, 3, 1)))
    # a CU of another property does not count, an expired one neither
    _issued(make_application, officer, parcel=road_parcel, on=date(2031, 1, 10))
    _issued(make_application, officer, on=date(2029, 1, 10))  # valid 12 months
    with pytest.raises(services.PermitError, match=r"valabil la 01\.03\.2031"):
        services.submit_application(application=acord, now=at(date(2031, 3, 1)))
    acord.refresh_from_db()
    assert acord.state == "draft" and acord.registration is None
    # a CU issued here for the same parcel, still valid
    _issued(make_application, officer, on=date(2031, 1, 10))
    acord, key = services.submit_application(application=acord, now=at(date(2031, 3, 1)))
    assert acord.state == "registered" and key


def test_a_copy_of_the_prerequisite_attached_is_enough(make_application):
    acord, _ = make_application(kind="acord-prealabil", purpose="")
    add_attachment(application=acord, name="cu.pdf", data=files.pdf(), document_code="cu")
    acord, _ = services.submit_application(application=acord)
    assert acord.state == "registered"


def test_autorizatie_de_acces_needs_an_acord_prealabil_not_just_a_cu(
    make_application, officer, roads_officer
):
    _issued(make_application, officer, on=date(2031, 1, 10))
    access, _ = make_application(kind="autorizatie-acces", purpose="")
    with pytest.raises(services.PermitError, match="necesită un acord prealabil valabil") as err:
        services.submit_application(application=access, now=at(date(2031, 3, 1)))
    assert "Acordul prealabil valabil (copie)" in str(err.value)  # what to attach instead
    _issued(
        make_application, roads_officer, kind="acord-prealabil", purpose="", on=date(2031, 2, 1)
    )
    access, _ = services.submit_application(application=access, now=at(date(2031, 3, 1)))
    assert access.state == "registered"


def test_submission_refused_over_the_api_with_the_reason(make_application, settings):
    settings.PERMITS_EMAIL_VERIFICATION = False  # filing without an account: test_filing.py
    acord, key = make_application(kind="acord-prealabil", purpose="")
    client = APIClient()
    client.credentials(HTTP_X_ACCESS_KEY=key)
    response = client.post(f"{BASE}/applications/{acord.public_id}/submit/")
    assert response.status_code == 400
    assert "certificat de urbanism valabil" in response.content.decode()


def test_officer_gives_a_new_access_key(make_application, officer, roads_officer):
    application, _ = make_application()
    application, old_key = services.submit_application(application=application)
    label = application.registration.label
    with pytest.raises(PermissionDenied):
        services.reset_access_key(application=application, user=roads_officer, reason="x")
    with pytest.raises(services.PermitError, match="identitatea"):
        services.reset_access_key(application=application, user=officer, reason="  ")

    application, new_key = services.reset_access_key(
        application=application, user=officer, reason="CI verificată la ghișeu"
    )
    assert new_key != old_key
    assert services.find_by_registration(label=label, key=new_key) is not None
    assert services.find_by_registration(label=label, key=old_key) is None
    # the register book's line follows: the same key opens it (and the archived acts)
    assert tracked_request(label=label, key=new_key).entry_id == application.registration_id
    assert tracked_request(label=label, key=old_key) is None
    event = application.events.get(action=ApplicationEvent.Action.ACCESS_KEY_RESET)
    assert event.actor == officer and event.role == "functionar" and event.public
    assert event.reason == "CI verificată la ghișeu"
    assert new_key not in str(event.data) and old_key not in str(event.data)

    draft, _ = make_application()
    with pytest.raises(services.PermitError, match="depuse"):
        services.reset_access_key(application=draft, user=officer, reason="CI")


def test_reset_access_key_over_the_api(make_application, officer):
    application, _ = make_application()
    application, old_key = services.submit_application(application=application)
    url = f"{BASE}/applications/{application.public_id}/reset-access-key/"
    assert APIClient().post(url, {"reason": "CI"}, format="json").status_code in (401, 403, 404)
    applicant = APIClient()
    applicant.credentials(HTTP_X_ACCESS_KEY=old_key)
    assert applicant.post(url, {"reason": "CI"}, format="json").status_code == 403
    staff = APIClient()
    staff.force_authenticate(officer)
    response = staff.post(url, {"reason": "CI verificată"}, format="json")
    assert response.status_code == 200, response.content
    new_key = response.json()["access_key"]
    label = application.registration.label
    track = APIClient().post(
        f"{BASE}/track/", {"registration_number": label, "access_key": new_key}, format="json"
    )
    assert track.status_code == 200
    assert any(e["action"] == "access_key_reset" for e in track.json()["events"])
    stale = APIClient().post(
        f"{BASE}/track/", {"registration_number": label, "access_key": old_key}, format="json"
    )
    assert stale.status_code == 404
