"""The API: who may see and do what (anonymous applicant with a key, citizen account,
officer), tracking, conflicts as 409, dossier download, and no personal data of the
applicant in any answer that is not an officer's."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from permits import tasks
from permits.models import Application, AssemblyRun

from . import files
from .conftest import APPLICANT, PERSONAL

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.permits.urls")]
BASE = "/api/permits"


class Recorder:
    """An API client that keeps every answer given to non-officers, to scan for leaks."""

    def __init__(self):
        self.public: list[str] = []

    def client(self, user=None, key: str | None = None, officer: bool = False) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        if key:
            client.credentials(HTTP_X_ACCESS_KEY=key)
        recorder = self

        original = client.generic

        def generic(*args, **kwargs):
            response = original(*args, **kwargs)
            if not officer and response.get("Content-Type", "").startswith("application/json"):
                recorder.public.append(response.content.decode())
            return response

        client.generic = generic
        return client

    def assert_no_personal_data(self):
        assert self.public
        for body in self.public:
            for value in PERSONAL:
                assert value not in body, (value, body[:500])


@pytest.fixture(autouse=True)
def _no_email_verification(settings):
    """These tests are about who may see and do what once a draft exists; filing without
    an account behind a verified e-mail is tested in test_filing.py."""
    settings.PERMITS_EMAIL_VERIFICATION = False


@pytest.fixture
def rec() -> Recorder:
    recorder = Recorder()
    yield recorder
    recorder.assert_no_personal_data()


def _payload(parcel, **extra) -> dict:
    return {
        "kind": "cu",
        "purpose": "construire",
        "description": "Locuință P+1E",
        "applicant": dict(APPLICANT),
        "parcels": [{"uat": parcel.uat.siruta, "cadastral_number": parcel.cadastral_number}],
        "built_area": "120.00",
        "levels": 2,
        **extra,
    }


def _attach_mandatory(client, url: str) -> None:
    """Attach a PDF for each mandatory document of the application's kind still missing."""
    for document in client.get(url).json()["missing_documents"]:
        upload = client.post(
            f"{url}attachments/",
            {
                "file": SimpleUploadedFile(f"{document['code']}.pdf", files.pdf()),
                "document": document["code"],
            },
            format="multipart",
        )
        assert upload.status_code == 201, upload.content


def test_anonymous_applicant_with_access_key(rec, plain_parcel, officer):
    anonymous = rec.client()
    created = anonymous.post(f"{BASE}/applications/", _payload(plain_parcel), format="json")
    assert created.status_code == 201, created.content
    app_id, key = created.json()["id"], created.json()["access_key"]
    url = f"{BASE}/applications/{app_id}/"
    assert anonymous.get(url).status_code == 404  # no key: does not exist for you
    assert rec.client(key="cheie-gresita").get(url).status_code == 404
    applicant = rec.client(key=key)
    detail = applicant.get(url)
    assert detail.status_code == 200 and detail.json()["state"] == "draft"
    assert detail.json()["parcels"][0]["cadastral_number"] == plain_parcel.cadastral_number
    assert {d["code"] for d in detail.json()["missing_documents"]} >= {"cerere", "taxa"}

    patched = applicant.patch(url, {"height": "7.50", "proposed_use": "locuință"}, format="json")
    assert patched.status_code == 200 and patched.json()["height"] == "7.50"
    upload = applicant.post(
        f"{url}attachments/",
        {"file": SimpleUploadedFile("cerere.pdf", files.pdf()), "document": "cerere"},
        format="multipart",
    )
    assert upload.status_code == 201, upload.content
    fake = applicant.post(
        f"{url}attachments/",
        {"file": SimpleUploadedFile("extras.pdf", files.png())},
        format="multipart",
    )
    assert fake.status_code == 400 and "extensiei" in fake.json()["detail"]
    # a draft is the applicant's alone: not in the officers' queue, not open to them
    staff = rec.client(officer, officer=True)
    assert staff.post(f"{url}take-in-review/").status_code == 404
    assert staff.get(url).status_code == 404
    queue = staff.get(f"{BASE}/applications/").json()["results"]
    assert created.json()["id"] not in [a["id"] for a in queue]
    # online, the kind's mandatory documents come first; nothing is registered without them
    incomplete = applicant.post(f"{url}submit/")
    assert incomplete.status_code == 400
    assert "Documentul de plată a taxei de eliberare" in incomplete.json()["detail"]
    assert "Cerere-tip" not in incomplete.json()["detail"]  # attached above
    assert applicant.get(url).json()["state"] == "draft"
    assert not Application.objects.filter(registration__isnull=False).exists()
    _attach_mandatory(applicant, url)

    submitted = applicant.post(f"{url}submit/")
    assert submitted.status_code == 200, submitted.content
    number, new_key = submitted.json()["registration_number"], submitted.json()["access_key"]
    assert number.startswith("U-") and new_key != key and submitted.json()["due_date"]
    assert applicant.get(url).status_code == 404  # the draft key was replaced
    assert rec.client(key=new_key).get(url).status_code == 200

    # tracking by number + key
    track = anonymous.post(
        f"{BASE}/track/", {"registration_number": number, "access_key": new_key}, format="json"
    )
    assert track.status_code == 200
    body = track.json()
    assert body["state"] == "registered" and body["registration_number"] == number
    actions = [e["action"] for e in body["events"]]
    assert actions == ["created"] + ["attached"] * 4 + ["submitted", "registered"]
    assert all("actor" not in e for e in body["events"])
    for wrong in (
        {"registration_number": number, "access_key": key},
        {"registration_number": "U-999/2031", "access_key": new_key},
    ):
        missing = anonymous.post(f"{BASE}/track/", wrong, format="json")
        assert missing.status_code == 404
        assert missing.json()["detail"] == "Număr de înregistrare sau cheie de acces greșite."


def test_citizen_accounts_see_only_their_own(rec, plain_parcel, clerk, django_user_model):
    mine = rec.client(clerk)
    created = mine.post(f"{BASE}/applications/", _payload(plain_parcel), format="json")
    assert created.status_code == 201
    other_user = django_user_model.objects.create_user("altcineva", password="parola-lunga-9")
    other = rec.client(other_user)
    theirs = other.post(f"{BASE}/applications/", _payload(plain_parcel), format="json").json()
    listing = mine.get(f"{BASE}/applications/").json()
    assert listing["count"] == 1 and [a["id"] for a in listing["results"]] == [created.json()["id"]]
    assert mine.get(f"{BASE}/applications/{theirs['id']}/").status_code == 404
    assert mine.post(f"{BASE}/applications/{theirs['id']}/submit/").status_code == 404
    # with the other's key a citizen is that applicant, by design of the key
    assert (
        rec.client(clerk, key=theirs["access_key"])
        .get(f"{BASE}/applications/{theirs['id']}/")
        .status_code
        == 200
    )
    assert rec.client().get(f"{BASE}/applications/").status_code in (401, 403)
    # the owner needs no key
    assert mine.get(f"{BASE}/applications/{created.json()['id']}/").status_code == 200


def test_officer_actions_conflicts_and_dossier(rec, road_parcel, officer, clerk, media):
    anonymous = rec.client()
    created = anonymous.post(f"{BASE}/applications/", _payload(road_parcel), format="json").json()
    url = f"{BASE}/applications/{created['id']}/"
    _attach_mandatory(rec.client(key=created["access_key"]), url)
    submitted = rec.client(key=created["access_key"]).post(f"{url}submit/").json()
    key = submitted["access_key"]
    applicant = rec.client(key=key)
    staff = rec.client(officer, officer=True)

    full = staff.get(url).json()
    assert full["applicant"]["name"] == APPLICANT["name"]  # officers see personal data
    queue = staff.get(f"{BASE}/applications/").json()["results"]
    assert any(a["id"] == created["id"] for a in queue)
    assert rec.client(clerk).post(f"{url}take-in-review/").status_code == 404
    assert applicant.post(f"{url}take-in-review/").status_code == 403
    assert anonymous.post(f"{url}take-in-review/").status_code == 404

    first = staff.post(f"{url}take-in-review/", {"reason": "preluat"}, format="json")
    assert first.status_code == 200 and first.json()["state"] == "in_review"
    second = staff.post(f"{url}take-in-review/", {}, format="json")
    assert second.status_code == 409
    assert "în analiză" in second.json()["detail"] and second.json()["state"] == "in_review"
    stale = staff.post(f"{url}reject/", {"reason": "x", "revision": 0}, format="json")
    assert stale.status_code == 409

    # the dossier of the registration run (run it as the worker would)
    run = Application.objects.get(public_id=created["id"]).assembly_runs.get()
    tasks.assemble_dossier(run_id=run.pk)
    detail = applicant.get(url).json()
    assert detail["assembly"]["status"] == AssemblyRun.Status.DONE
    assert detail["assembly"]["progress"] == 100 and detail["dossiers"][0]["version"] == 1
    assert detail["analysis"]["zones"]
    assert applicant.get(f"{url}dossier/").status_code == 403  # not issued yet
    pdf = staff.get(f"{url}dossier/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    content = b"".join(pdf.streaming_content)
    assert (
        content.startswith(b"%PDF-") and pdf["X-Content-SHA256"] == detail["dossiers"][0]["sha256"]
    )

    completion = staff.post(
        f"{url}request-completion/",
        {"reason": "Lipsește extrasul CF.", "missing": ["extras-cadastral"]},
        format="json",
    )
    assert completion.status_code == 200 and completion.json()["clock_running"] is False
    assert applicant.post(f"{url}complete/", {}, format="json").status_code == 200
    issued = staff.post(f"{url}issue/", {"validity_months": 12}, format="json")
    assert issued.status_code == 200, issued.content
    assert issued.json()["act"]["number"].startswith("CU-")
    extended = staff.post(f"{url}extend/", {"months": 6, "reason": "cerere"}, format="json")
    assert extended.status_code == 200 and extended.json()["act"]["extended_until"]
    assert staff.post(f"{url}extend/", {"months": 6}, format="json").status_code == 409
    assert applicant.get(f"{url}dossier/").status_code == 200  # issued: the applicant may
    queued = staff.post(f"{url}reassemble/")
    assert queued.status_code == 202 and queued.json()["assembly"]["status"] == "queued"

    track = anonymous.post(
        f"{BASE}/track/",
        {"registration_number": submitted["registration_number"], "access_key": key},
        format="json",
    ).json()
    assert track["state"] == "issued" and track["act"]["valid_until"]
    completion_event = next(e for e in track["events"] if e["action"] == "completion_requested")
    assert completion_event["reason"] == "Lipsește extrasul CF."
    assert "cadastre_changed" not in json.dumps(track)  # internal events stay internal


def test_drawn_footprint_in_wgs84_is_stored_in_stereo70(rec, plain_parcel):
    wgs84 = plain_parcel.geom.transform(4326, clone=True)
    payload = _payload(plain_parcel, parcels=[], footprint=json.loads(wgs84.geojson))
    created = rec.client().post(f"{BASE}/applications/", payload, format="json")
    assert created.status_code == 201, created.content
    stored = Application.objects.get(public_id=created.json()["id"]).footprint
    assert stored.srid == 3844
    assert stored.area == pytest.approx(plain_parcel.geom.area, rel=1e-3)
    swapped = json.loads(wgs84.geojson)
    swapped["coordinates"] = [
        [[[y, x] for x, y in ring] for ring in polygon] for polygon in swapped["coordinates"]
    ]
    bad = rec.client().post(
        f"{BASE}/applications/", _payload(plain_parcel, footprint=swapped), format="json"
    )
    assert bad.status_code == 400 and "ordinea axelor" in bad.json()["detail"]
    unknown = rec.client().post(
        f"{BASE}/applications/",
        _payload(plain_parcel, parcels=[{"uat": 1, "cadastral_number": "x"}]),
        format="json",
    )
    assert unknown.status_code == 400 and "inexistent" in unknown.json()["detail"]


def test_kinds_and_schema(rec):
    kinds = rec.client().get(f"{BASE}/kinds/").json()
    by_code = {k["code"]: k for k in kinds}
    assert (
        by_code["cu"]["deadline_days"] == 15
        and by_code["informatii-publice"]["deadline_days"] == 10
    )
    assert by_code["petitie"]["deadline_days"] == 30 and "audienta" in by_code
    assert any(d["code"] == "plan-situatie" for d in by_code["acord-prealabil"]["documents"])
    schema = APIClient().get("/api/schema/", {"format": "json"})
    assert schema.status_code == 200
    paths = json.loads(schema.content)["paths"]
    assert "/api/permits/applications/{public_id}/take-in-review/" in paths
    assert "/api/permits/track/" in paths


def test_rejection_with_reason_is_tracked(rec, plain_parcel, officer):
    created = rec.client().post(f"{BASE}/applications/", _payload(plain_parcel), format="json")
    url = f"{BASE}/applications/{created.json()['id']}/"
    _attach_mandatory(rec.client(key=created.json()["access_key"]), url)
    submitted = rec.client(key=created.json()["access_key"]).post(f"{url}submit/").json()
    staff = rec.client(officer, officer=True)
    assert staff.post(f"{url}take-in-review/").status_code == 200
    assert staff.post(f"{url}reject/", {"reason": ""}, format="json").status_code == 400
    rejected = staff.post(f"{url}reject/", {"reason": "Teren în afara UTR."}, format="json")
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    track = (
        rec.client()
        .post(
            f"{BASE}/track/",
            {
                "registration_number": submitted["registration_number"],
                "access_key": submitted["access_key"],
            },
            format="json",
        )
        .json()
    )
    assert track["state"] == "rejected" and track["events"][-1]["reason"] == "Teren în afara UTR."
    assert staff.post(f"{url}issue/", {}, format="json").status_code == 409


def test_the_queue_comes_in_pages_deadline_first(make_application, officer):
    from datetime import timedelta

    from django.utils import timezone

    from permits.services import applications as services

    now = timezone.now()
    for days in (20, 10, 1):  # registered on different days: different deadlines
        application, _ = make_application()
        services.submit_application(application=application, now=now - timedelta(days=days))
    staff = APIClient()
    staff.force_authenticate(officer)
    first = staff.get(f"{BASE}/applications/", {"page_size": 2}).json()
    assert first["count"] == 3 and len(first["results"]) == 2 and first["previous"] is None
    second = staff.get(first["next"]).json()
    assert len(second["results"]) == 1 and second["next"] is None
    due = [a["due_date"] for a in first["results"] + second["results"]]
    assert due == sorted(due) and len(set(due)) == 3
