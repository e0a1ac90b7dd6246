"""Filing from the portal in one request (form + documents + submission), e-mail
verification for filers without an account, the general requests, and the officers'
list filters used by the web map (parcel card, search by registration number)."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from permits.models import Applicant, Application, Attachment
from permits.services.attachments import add_attachment

from . import files
from .conftest import APPLICANT

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.permits.urls")]
BASE = "/api/permits"
# the registry's entry model, wherever the numbering app keeps it
RegistryEntry = Application._meta.get_field("registration").related_model
CU_DOCUMENTS = ("cerere", "plan-incadrare", "extras-cadastral", "taxa")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    """Verification is throttled per client (10 tries an hour); each test is a new client."""
    cache.clear()


def _form(parcel=None, kind: str = "cu", **extra) -> dict:
    data = {"kind": kind, "applicant": dict(APPLICANT), **extra}
    if parcel is not None:
        data["parcels"] = [{"uat": parcel.uat.siruta, "cadastral_number": parcel.cadastral_number}]
    if kind == "cu":
        data.setdefault("purpose", "construire")
        data.setdefault("description", "Locuință P+1E")
    return data


def _post(client: APIClient, form: dict, documents: dict[str, tuple[str, bytes]] | None = None):
    body = {"application": json.dumps(form)}
    for code, (name, data) in (documents or {}).items():
        body[f"document:{code}"] = SimpleUploadedFile(name, data)
    return client.post(f"{BASE}/applications/file/", body, format="multipart")


def _verified(email: str = APPLICANT["email"]) -> APIClient:
    """An anonymous browser session that verified `email` with the code it was mailed."""
    client = APIClient()
    sent = client.post(f"{BASE}/verify-email/", {"email": email}, format="json")
    assert sent.status_code == 200 and sent.json()["sent"]
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    assert mail.outbox[-1].to == [email]
    wrong = client.post(
        f"{BASE}/verify-email/", {"email": email, "code": f"{(int(code) + 1) % 10**6:06d}"}
    )
    assert wrong.status_code == 400 and not wrong.json()["verified"]
    ok = client.post(f"{BASE}/verify-email/", {"email": email.upper(), "code": code})
    assert ok.status_code == 200 and ok.json()["verified"]
    return client


def _cu_documents() -> dict[str, tuple[str, bytes]]:
    return {code: (f"{code}.pdf", files.pdf()) for code in CU_DOCUMENTS}


def _stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_cu_filed_in_one_request_gets_number_key_and_email(
    plain_parcel, media, django_capture_on_commit_callbacks
):
    client = _verified()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, _form(plain_parcel), _cu_documents())
    assert response.status_code == 201, response.content
    body = response.json()
    assert re.fullmatch(r"U-\d+/\d{4}", body["registration_number"])
    assert len(body["access_key"]) >= 20 and body["emailed"] is True
    application = Application.objects.get(public_id=body["id"])
    assert application.state == "registered"
    registered_on = timezone.localtime(application.registration.registered_at).date()
    assert application.due_date == registered_on + timedelta(days=15)
    assert sorted(a.document.code for a in application.attachments.all()) == sorted(CU_DOCUMENTS)
    assert len(_stored_files(media)) == 4
    # the e-mail, sent after the commit, carries the number and the tracking key
    (message,) = mail.outbox
    assert message.to == [APPLICANT["email"]]
    assert body["registration_number"] in message.subject
    assert body["access_key"] in message.body and body["registration_number"] in message.body
    # tracking works with what came back
    track = APIClient().post(
        f"{BASE}/track/",
        {"registration_number": body["registration_number"], "access_key": body["access_key"]},
        format="json",
    )
    assert track.status_code == 200 and track.json()["state"] == "registered"


def test_a_refused_filing_saves_nothing_and_says_everything(plain_parcel, media):
    client = _verified()
    before = (
        Application.objects.count(),
        Applicant.objects.count(),
        Attachment.objects.count(),
        RegistryEntry.objects.count(),
    )
    documents = _cu_documents()
    del documents["taxa"]  # a mandatory document missing
    documents["plan-incadrare"] = ("plan.pdf", files.png())  # a PNG named .pdf
    form = _form(plain_parcel)
    del form["purpose"]
    response = _post(client, form, documents)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"purpose", "documents.taxa", "documents.plan-incadrare"}
    assert "extensiei" in errors["documents.plan-incadrare"][0]
    # an unknown parcel fails inside the transaction, after the checks: nothing either
    unknown = _form(plain_parcel)
    unknown["parcels"] = [{"uat": plain_parcel.uat.siruta, "cadastral_number": "999999999"}]
    response = _post(client, unknown, _cu_documents())
    assert response.status_code == 400 and "parcels" in response.json()["errors"]
    after = (
        Application.objects.count(),
        Applicant.objects.count(),
        Attachment.objects.count(),
        RegistryEntry.objects.count(),
    )
    assert after == before
    assert _stored_files(media) == []


def test_filing_without_account_needs_a_verified_email(plain_parcel, make_application, clerk):
    anonymous = APIClient()
    response = _post(anonymous, _form(plain_parcel), _cu_documents())
    assert response.status_code == 400
    assert "applicant.email" in response.json()["errors"]
    # another address than the one verified is not enough
    other = _verified("alta.adresa@example.org")
    assert _post(other, _form(plain_parcel), _cu_documents()).status_code == 400
    # the draft path is held to the same rule
    application, key = make_application()
    anonymous.credentials(HTTP_X_ACCESS_KEY=key)
    submit = anonymous.post(f"{BASE}/applications/{application.public_id}/submit/")
    assert submit.status_code == 400 and "e-mail" in submit.json()["detail"]
    # an account files without the code
    account = APIClient()
    account.force_authenticate(clerk)
    response = _post(account, _form(plain_parcel), _cu_documents())
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("kind", "days"), [("petitie", 30), ("informatii-publice", 10), ("audienta", None)]
)
def test_general_requests_are_numbered_with_their_deadline_and_queued(kind, days, officer):
    client = _verified()
    form = _form(kind=kind, description="Solicit copia HCL nr. 12/2024.")
    response = _post(client, form, {"": ("semnata.jpg", files.jpeg())})
    assert response.status_code == 201, response.content
    number = response.json()["registration_number"]
    assert number.startswith("RG-")
    application = Application.objects.get(public_id=response.json()["id"])
    registered_on = timezone.localtime(application.registration.registered_at).date()
    expected = registered_on + timedelta(days=days) if days else None
    assert application.due_date == expected
    assert application.attachments.get().document is None
    # no text, no request
    assert _post(client, _form(kind=kind)).json()["errors"]["description"]
    # officers see it in the queue, and find it by its number
    staff = APIClient()
    staff.force_authenticate(officer)
    rows = staff.get(f"{BASE}/applications/", {"registration": number}).json()["results"]
    assert [r["registration_number"] for r in rows] == [number]
    assert rows[0]["family"] == "general" and rows[0]["parcels"] == []


def test_officer_list_filters_and_who_sees_what(
    make_application, plain_parcel, road_parcel, officer, roads_officer, clerk
):
    on_plain, _ = make_application()
    on_road, _ = make_application(parcel=road_parcel)
    road_kind, _ = make_application(kind="acord-prealabil", parcel=plain_parcel)
    # an acord prealabil needs a valid CU: here its copy is attached
    add_attachment(application=road_kind, name="cu.pdf", data=files.pdf(), document_code="cu")
    from permits.services import applications as services

    for application in (on_plain, on_road, road_kind):
        services.submit_application(application=application)
    on_road.refresh_from_db()
    staff = APIClient()
    staff.force_authenticate(officer)
    ref = f"{plain_parcel.uat.siruta}:{plain_parcel.cadastral_number}"
    rows = staff.get(f"{BASE}/applications/", {"parcel": ref}).json()["results"]
    assert {r["id"] for r in rows} == {str(on_plain.public_id), str(road_kind.public_id)}
    assert all(r["parcel"] == ref for r in rows)
    label = on_road.registration.label
    rows = staff.get(f"{BASE}/applications/", {"registration": label}).json()["results"]
    assert [r["registration_number"] for r in rows] == [label]
    assert rows[0]["registration_date"] and rows[0]["state_label"] == "înregistrată"
    # the number without its register prefix finds the same one (and maybe others)
    number_only = label.split("-", 1)[1]
    rows = staff.get(f"{BASE}/applications/", {"registration": number_only}).json()["results"]
    assert label in [r["registration_number"] for r in rows]
    assert staff.get(f"{BASE}/applications/", {"parcel": "50038"}).status_code == 400
    assert staff.get(f"{BASE}/applications/", {"registration": "abc"}).status_code == 400
    none = staff.get(f"{BASE}/applications/", {"registration": "U-999/2031"}).json()
    assert none["results"] == []
    # a roads officer sees only road kinds (and general requests), as the API lets him act
    roads = APIClient()
    roads.force_authenticate(roads_officer)
    rows = roads.get(f"{BASE}/applications/", {"parcel": ref}).json()["results"]
    assert [r["id"] for r in rows] == [str(road_kind.public_id)]
    # a citizen's list holds only his own applications, whatever the filter
    citizen = APIClient()
    citizen.force_authenticate(clerk)
    assert citizen.get(f"{BASE}/applications/", {"parcel": ref}).json()["results"] == []
    assert APIClient().get(f"{BASE}/applications/", {"parcel": ref}).status_code in (401, 403)
