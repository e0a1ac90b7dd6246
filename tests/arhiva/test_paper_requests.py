"""A paper request from the front desk: its receipt carries a tracking key; with the
number and the key its sender (no account needed) sees the request's state and downloads
the archived acts answering it, and nothing else: no other act, no personal data."""

from __future__ import annotations

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group
from rest_framework.test import APIClient

from arhiva.models import ArchiveDocument
from permits import seed as permits_seed
from registratura import seed as registratura_seed
from registratura.access import FRONT_DESK_GROUP
from registratura.models import Document, DocumentKind

pytestmark = pytest.mark.django_db

SENDER = "Ștefan Țîrlea"


@pytest.fixture(autouse=True)
def registers(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        permits_seed.seed(django_apps)
        registratura_seed.seed(django_apps)


@pytest.fixture
def clerk(django_user_model):
    user = django_user_model.objects.create_user("ghiseu.arhiva", password="parola-lunga-123")
    user.groups.add(Group.objects.get_or_create(name=FRONT_DESK_GROUP)[0])
    return user


@pytest.fixture
def desk(clerk) -> APIClient:
    client = APIClient()
    client.force_authenticate(clerk)
    return client


def _register(desk: APIClient) -> dict:
    response = desk.post(
        "/api/registratura/documents/",
        {
            "kind": "petitie",
            "channel": "ghiseu",
            "correspondent_name": SENDER,
            "correspondent_address": "Str. Florilor 3, Mureșeni",
            "correspondent_contact": "0740111222",
            "subject": "Cerere copie autorizație de construire, Str. Florilor 3",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _track(url: str, number: str, key: str):
    return APIClient().post(url, {"registration_number": number, "access_key": key}, format="json")


def test_sender_follows_a_paper_request_and_downloads_its_archived_act(desk, make_act):
    entry = _register(desk)
    number, key = entry["number"], entry["access_key"]
    assert len(key) >= 30
    answered = make_act(kind="ac", year=1998, number="123", pages=("Autorizație",))
    other = make_act(kind="ac", year=1998, number="124", pages=("Alt act",))
    request_entry = Document.objects.get(pk=entry["id"]).entry_id
    ArchiveDocument.objects.filter(pk=answered.pk).update(registry_entry_id=request_entry)

    state = _track("/api/registratura/track/", number, key)
    assert state.status_code == 200, state.content
    data = state.json()
    assert data["registration_number"] == number and data["status"] == "inregistrat"
    assert data["due_date"] and data["answers"] == []
    text = state.content.decode()
    for personal in ("Țîrlea", "0740111222", "Florilor", "autorizație de construire"):
        assert personal not in text  # neither the sender's data nor the clerk's summary

    acts = _track("/api/arhiva/track/", number, key)
    assert acts.status_code == 200
    results = acts.json()["results"]
    assert [r["id"] for r in results] == [answered.pk]
    assert "address" not in results[0] and "cadastral_numbers" not in results[0]

    anonymous = APIClient()
    headers = {"HTTP_X_REGISTRATION_NUMBER": number, "HTTP_X_ACCESS_KEY": key}
    pdf = anonymous.get(f"/api/arhiva/acte/{answered.pk}/pdf/", **headers)
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    # the key opens the acts of its own request only
    assert anonymous.get(f"/api/arhiva/acte/{other.pk}/pdf/", **headers).status_code == 404
    wrong = {**headers, "HTTP_X_ACCESS_KEY": key[:-2] + "xx"}
    assert anonymous.get(f"/api/arhiva/acte/{answered.pk}/pdf/", **wrong).status_code == 404
    assert anonymous.get(f"/api/arhiva/acte/{answered.pk}/pdf/").status_code in (401, 403)


@pytest.mark.parametrize("url", ["/api/registratura/track/", "/api/arhiva/track/"])
def test_wrong_key_or_number_says_the_same_and_shows_nothing(desk, url):
    entry = _register(desk)
    number, key = entry["number"], entry["access_key"]
    wrong_key = _track(url, number, "x" + key[1:])
    wrong_number = _track(url, number.replace("/", "0/"), key)
    without_year = _track(url, number.split("/")[0], key)
    assert wrong_key.status_code == wrong_number.status_code == without_year.status_code == 404
    assert wrong_key.json() == wrong_number.json() == without_year.json()


def test_a_new_key_replaces_the_lost_one(desk, clerk, client):
    entry = _register(desk)
    response = desk.post(f"/api/registratura/documents/{entry['id']}/reset-key/")
    assert response.status_code == 200
    new_key = response.json()["access_key"]
    assert (
        _track("/api/registratura/track/", entry["number"], entry["access_key"]).status_code == 404
    )
    assert _track("/api/registratura/track/", entry["number"], new_key).status_code == 200
    # citizens cannot ask for one
    assert APIClient().post(
        f"/api/registratura/documents/{entry['id']}/reset-key/"
    ).status_code in (
        401,
        403,
    )


def test_the_desk_receipt_shows_the_key_once(clerk, client):
    client.force_login(clerk)
    response = client.post(
        "/registratura/nou/",
        {
            "register": "registratura",
            "kind": DocumentKind.objects.get(code="petitie").pk,
            "channel": "ghiseu",
            "correspondent_name": SENDER,
            "subject": "Cerere",
        },
        follow=True,
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    page = response.content.decode()
    assert 'data-testid="receipt"' in page
    key = page.split('data-field="access-key">', 1)[1].split("<", 1)[0]
    number = page.split('data-field="number">', 1)[1].split("<", 1)[0]
    assert _track("/api/registratura/track/", number, key).status_code == 200
    again = client.get(response.request["PATH_INFO"]).content.decode()
    assert key not in again and 'data-field="access-key"' not in again
    # a new key from the document's page, shown once on a new receipt
    document_id = int(response.request["PATH_INFO"].strip("/").split("/")[-2])
    renewed = client.post(f"/registratura/{document_id}/cheie-noua/", follow=True).content.decode()
    new_key = renewed.split('data-field="access-key">', 1)[1].split("<", 1)[0]
    assert new_key != key
    assert _track("/api/registratura/track/", number, key).status_code == 404
    assert _track("/api/registratura/track/", number, new_key).status_code == 200
