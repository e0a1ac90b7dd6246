"""The API's refusals speak the request's language: Romanian by default, English when
the page asks for it (the frontend sends the page language as Accept-Language; the
language switch stores the `django_language` cookie)."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from rest_framework.test import APIClient

from permits.services import applications as services

from . import files
from .conftest import APPLICANT

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.permits.urls")]
BASE = "/api/permits"


@pytest.fixture(autouse=True)
def _default_language_after():
    """LocaleMiddleware leaves the last request's language active in the thread: later
    tests calling services directly must not inherit English."""
    yield
    translation.deactivate()


def _client(language: str | None, *, via: str = "header", user=None, key: str | None = None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    if key:
        client.credentials(HTTP_X_ACCESS_KEY=key)
    if language and via == "header":
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    elif language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _refusals(client_for, make_application, plain_parcel, officer, clerk) -> dict[str, object]:
    """The same refused requests, answered through `client_for(user=..., key=...)`."""
    application, _key = make_application(user=clerk)  # a citizen with an account
    url = f"{BASE}/applications/{application.public_id}/"
    track = client_for().post(
        f"{BASE}/track/", {"registration_number": "U-1/2026", "access_key": "x" * 20}
    )
    assert track.status_code == 404
    not_officer = client_for(user=clerk).post(f"{url}take-in-review/")
    assert not_officer.status_code == 403
    application, _key = services.submit_application(application=application)
    services.take_in_review(application=application, user=officer)
    conflict = client_for(user=officer).post(f"{url}take-in-review/")  # already taken
    assert conflict.status_code == 409
    form = {
        "kind": "cu",
        "applicant": dict(APPLICANT),
        "description": "Locuință",
        "parcels": [
            {"uat": plain_parcel.uat.siruta, "cadastral_number": plain_parcel.cadastral_number}
        ],
    }
    body = {
        "application": json.dumps(form),
        "document:cerere": SimpleUploadedFile("cerere.pdf", files.pdf()),
    }
    filed = client_for(user=clerk).post(f"{BASE}/applications/file/", body, format="multipart")
    assert filed.status_code == 400
    errors = filed.json()["errors"]
    return {
        "track": track.json()["detail"],
        "not_officer": not_officer.json()["detail"],
        "conflict": conflict.json()["detail"],
        "purpose": errors["purpose"],
        "taxa": errors["documents.taxa"][0],
    }


@pytest.mark.parametrize("via", ["header", "cookie"])
def test_refusals_are_romanian_by_default_and_english_on_request(
    via, make_application, plain_parcel, officer, clerk
):
    romanian = _refusals(
        lambda **kw: _client(None, **kw), make_application, plain_parcel, officer, clerk
    )
    assert romanian["track"] == "Număr de înregistrare sau cheie de acces greșite."
    assert romanian["not_officer"] == (
        "Doar funcționarii compartimentului pot face această acțiune."
    )
    assert romanian["conflict"].startswith("Acțiunea „preluare” nu se poate face")
    assert "„în analiză”" in romanian["conflict"]
    assert romanian["purpose"] == [
        "Indicați scopul pentru care se solicită certificatul de urbanism."
    ]
    assert romanian["taxa"].startswith("Atașați documentul obligatoriu: ")

    english = _refusals(
        lambda **kw: _client("en", via=via, **kw), make_application, plain_parcel, officer, clerk
    )
    assert english["track"] == "Wrong registration number or access key."
    assert english["not_officer"] == "Only the department's officers can perform this action."
    assert english["conflict"] == (
        "The action “taking in review” cannot be performed: the application is now in the "
        "state “in review” (it was changed in the meantime)."
    )
    assert english["purpose"] == [
        "Give the purpose for which the urban planning certificate is requested."
    ]
    # the document's name is data (the kind's catalogue), the sentence around it is not
    assert english["taxa"] == romanian["taxa"].replace(
        "Atașați documentul obligatoriu: ", "Attach the mandatory document: "
    )
