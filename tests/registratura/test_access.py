"""Access: pages and API are for officers and the front desk only (personal data on every
line); anonymous users and citizens are refused. Uploads are checked by content."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from registratura.models import Document, DocumentKind, RegistryEntry
from registratura.services import documents as services
from tests.permits import files

pytestmark = pytest.mark.django_db
API = "/api/registratura/documents/"


def _pages(document: Document) -> list[str]:
    return [
        reverse("registratura:list"),
        reverse("registratura:create"),
        reverse("registratura:detail", args=[document.pk]),
        reverse("registratura:answer", args=[document.pk]),
        reverse("registratura:scan", args=[document.pk]),
        reverse("registratura:report") + "?day=2026-11-26&format=csv",
    ]


@pytest.fixture
def scanned(incoming):
    return incoming(scan=services.Scan(name="cerere.pdf", data=files.pdf()))


def test_pages_refuse_anonymous_users_and_citizens(client, scanned, citizen):
    for url in _pages(scanned):
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    client.force_login(citizen)
    for url in _pages(scanned):
        assert client.get(url).status_code == 403, url
    for url in (
        reverse("registratura:create"),
        reverse("registratura:assign", args=[scanned.pk]),
        reverse("registratura:file", args=[scanned.pk]),
        reverse("registratura:answer", args=[scanned.pk]),
    ):
        assert client.post(url, {"reason": "x", "subject": "x"}).status_code == 403, url
    assert RegistryEntry.objects.count() == 1


@pytest.mark.parametrize("who", ["clerk", "officer"])
def test_pages_serve_officers_and_the_front_desk(client, scanned, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in _pages(scanned):
        assert client.get(url).status_code == 200, url
    listing = client.get(reverse("registratura:list"), {"sender": "tirlea"}).content.decode()
    assert scanned.entry.label in listing and "Ștefan Țîrlea" in listing
    detail = client.get(reverse("registratura:detail", args=[scanned.pk])).content.decode()
    assert "Str. Florilor 3" in detail and "0740111222" in detail
    scan = client.get(reverse("registratura:scan", args=[scanned.pk]))
    assert scan["Content-Type"] == "application/pdf" and b"".join(scan.streaming_content) == (
        files.pdf()
    )


def test_front_desk_form_with_scan_and_answer(client, clerk):
    client.force_login(clerk)
    form = {
        "register": "registratura",
        "kind": _kind_pk("informatii-publice"),
        "channel": "posta",
        "correspondent_name": "Vasile Ghișeu",
        "subject": "Copie HCL 12/2020",
        "pages": "2",
    }
    renamed = client.post(
        reverse("registratura:create"),
        {**form, "scan": _upload("cerere.pdf", files.png(), "application/pdf")},
    )
    assert renamed.status_code == 400 and "nu corespunde extensiei" in renamed.content.decode()
    exe = client.post(
        reverse("registratura:create"), {**form, "scan": _upload("scan.pdf", files.PE, "")}
    )
    assert exe.status_code == 400 and "Tip de fișier neacceptat" in exe.content.decode()
    assert not RegistryEntry.objects.exists()  # refused uploads take no number

    created = client.post(
        reverse("registratura:create"),
        {**form, "scan": _upload("Scan 001.JPG", files.jpeg(), "image/jpeg")},
    )
    assert created.status_code == 302
    document = Document.objects.get()
    # on to the receipt with the sender's tracking key, then the document's page
    assert created["Location"] == reverse("registratura:receipt", args=[document.pk])
    assert document.file_type == "image/jpeg" and document.file_name == "Scan 001.JPG"
    assert document.file.name.endswith(".jpg") and "Scan" not in document.file.name
    assert document.created_by == clerk and document.pages == 2

    answered = client.post(
        reverse("registratura:answer", args=[document.pk]),
        {
            "channel": "posta",
            "correspondent_name": "Vasile Ghișeu",
            "subject": "Transmitem copia",
            "resolves": "on",
        },
    )
    assert answered.status_code == 302
    document.refresh_from_db()
    assert document.status == "solutionat" and document.answers.count() == 1


def _kind_pk(code: str) -> int:
    return DocumentKind.objects.get(code=code).pk


def _upload(name: str, data: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type or "application/octet-stream")


def test_api_refuses_anonymous_users_and_citizens(scanned, citizen):
    anonymous = APIClient()
    assert anonymous.get(API).status_code in (401, 403)
    assert anonymous.get(f"{API}{scanned.pk}/").status_code in (401, 403)
    assert anonymous.post(API, {}, format="json").status_code in (401, 403)
    assert anonymous.get("/api/registratura/kinds/").status_code in (401, 403)
    logged = APIClient()
    logged.force_authenticate(citizen)
    assert logged.get(API).status_code == 403
    assert logged.get(f"{API}{scanned.pk}/").status_code == 403
    assert logged.post(API, {}, format="json").status_code == 403
    for response in (anonymous.get(API), logged.get(f"{API}{scanned.pk}/")):
        assert "Țîrlea" not in response.content.decode()


def test_api_list_search_create_detail(scanned, officer):
    api = APIClient()
    api.force_authenticate(officer)
    listing = api.get(API, {"sender": "tirlea", "status": "inregistrat"}).json()
    assert listing["count"] == 1
    row = listing["results"][0]
    assert row["number"] == scanned.entry.label and row["correspondent"]["name"] == "Ștefan Țîrlea"
    assert row["scan_url"] == reverse("registratura:scan", args=[scanned.pk])
    assert api.get(API, {"status": "bogus"}).status_code == 400

    created = api.post(
        API,
        {
            "kind": "petitie",
            "channel": "email",
            "correspondent_name": "Elena API",
            "correspondent_contact": "elena@example.org",
            "subject": "Trotuar degradat",
            "department": "drumuri",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"].startswith("RG-") and body["department"] == "drumuri"
    assert body["due_date"] and body["status"] == "inregistrat"
    detail = api.get(f"{API}{body['id']}/").json()
    assert detail["correspondent"]["contact"] == "elena@example.org"
    assert api.post(API, {**body, "kind": "raspuns"}, format="json").status_code == 400
    online = {"kind": "petitie", "channel": "online", "correspondent_name": "X", "subject": "Y"}
    assert api.post(API, online, format="json").status_code == 400  # the portal's channel
    refused = api.post(
        API,
        {
            "kind": "petitie",
            "channel": "ghiseu",
            "correspondent_name": "X",
            "subject": "Y",
            "scan": _upload("x.png", files.ELF, "image/png"),
        },
        format="multipart",
    )
    assert refused.status_code == 400 and "scan" in refused.json()

    answer = api.post(
        f"{API}{body['id']}/answers/",
        {"channel": "email", "subject": "Am transmis echipa"},
        format="json",
    )
    assert answer.status_code == 201
    assert answer.json()["in_reply_to"] == body["number"]
    assert answer.json()["correspondent"]["name"] == "Elena API"
    assert api.get(f"{API}{body['id']}/").json()["status"] == "solutionat"
    answer_to_answer = api.post(
        f"{API}{answer.json()['id']}/answers/", {"channel": "email", "subject": "x"}, format="json"
    )
    assert answer_to_answer.status_code == 400 and "in_reply_to" in answer_to_answer.json()


def test_schema_describes_the_register_api():
    schema = APIClient().get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert {"get", "post"} <= set(paths["/api/registratura/documents/"])
    assert "/api/registratura/documents/{id}/answers/" in paths
    parameters = {p["name"] for p in paths["/api/registratura/documents/"]["get"]["parameters"]}
    assert {"number", "date_from", "date_to", "sender", "subject", "status"} <= parameters


def test_pages_are_romanian_by_default_and_translated(client, officer):
    client.force_login(officer)
    romanian = client.get(reverse("registratura:list")).content.decode()
    assert "Registrul de intrare-ieșire" in romanian
    english = client.get(reverse("registratura:list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Incoming and outgoing register" in english and "Front-desk registration" in english
