"""Access rules of the archive: officers search, read and download; a citizen sees only
the acts of their own requests (none here) and never the officers' queues; anonymous
callers nothing. The map layer of acts exists only in the officers' mapfiles. Disposal
happens only through an officer's recorded decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from arhiva import retention, selectors
from arhiva.models import ArchiveDocument, ArchivePage
from layers.models import Layer, Parcel
from layers.publishing.mapfile import visible_layers
from registratura.models import Register
from registratura.services.numbering import next_number

pytestmark = pytest.mark.django_db

SEARCH = "/api/arhiva/"


@pytest.fixture
def act(make_act):
    parcel = Parcel.objects.select_related("uat").order_by("pk")[3]
    return make_act(
        kind="ac",
        year=1996,
        number="77",
        pages=("Autorizație de construire pentru o locuință", "Anexa: plan de situație, țiglă"),
        uat=parcel.uat,
        cadastral_numbers=(parcel.cadastral_number,),
    )


def _ref(act: ArchiveDocument) -> str:
    parcel = act.links.get().parcel
    return f"{parcel.uat.siruta}:{parcel.cadastral_number}"


def test_officer_searches_by_words_number_and_parcel_and_downloads(client, officer, act):
    client.force_login(officer)
    found = client.get(SEARCH, {"q": "situatie tigla"}).json()["results"]
    assert [r["id"] for r in found] == [act.pk]
    assert found[0]["page"] == 2 and "<mark>" in found[0]["headline"]
    by_number = client.get(SEARCH, {"q": "AC 77/1996"}).json()["results"]
    assert [r["id"] for r in by_number] == [act.pk]
    assert client.get(SEARCH, {"q": "CU 77/1996"}).json()["results"] == []
    of_parcel = client.get(SEARCH, {"parcel": _ref(act)}).json()["results"]
    assert [(r["id"], r["link"]["method"]) for r in of_parcel] == [(act.pk, "exact")]
    pdf = client.get(of_parcel[0]["pdf_url"])
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    detail = client.get(reverse("arhiva_api:detail", args=[act.pk])).json()
    assert detail["retention"]["code"] == "P" and detail["links"][0]["method"] == "exact"
    for page in ("arhiva:search", "arhiva:unplaced", "arhiva:retention"):
        assert client.get(reverse(page), {"q": "tigla"}).status_code == 200
    html = client.get(reverse("arhiva:detail", args=[act.pk])).content.decode()
    assert "Autorizație de construire nr. 77/1996" in html
    assert f'href="/harta/?amplasare={act.pk}"' in html  # (re)place it on the map


def test_citizen_and_anonymous_see_nothing(client, citizen, act):
    urls = [
        f"{SEARCH}?q=tigla",
        f"{SEARCH}?parcel={_ref(act)}",
        reverse("arhiva_api:detail", args=[act.pk]),
        reverse("arhiva_api:pdf", args=[act.pk]),
        reverse("arhiva_api:unplaced"),
        reverse("arhiva_api:retention"),
    ]
    for url in urls:
        assert client.get(url).status_code in (401, 403), url
    client.force_login(citizen)
    assert client.get(f"{SEARCH}?q=tigla").json()["results"] == []
    assert client.get(f"{SEARCH}?parcel={_ref(act)}").json()["results"] == []
    assert client.get(reverse("arhiva_api:detail", args=[act.pk])).status_code == 404
    assert client.get(reverse("arhiva_api:pdf", args=[act.pk])).status_code == 404
    assert client.get(reverse("arhiva_api:unplaced")).status_code == 403
    assert (
        client.post(reverse("arhiva_api:place", args=[act.pk]), {"x": 1, "y": 2}).status_code == 403
    )
    assert (
        client.post(
            reverse("arhiva_api:retention"), {"documents": [act.pk], "reason": "x"}
        ).status_code
        == 403
    )
    assert client.get(reverse("arhiva:search")).status_code == 403
    client.logout()
    assert client.get(reverse("arhiva:search")).status_code == 302  # to the login page


def test_citizen_sees_the_acts_of_their_own_requests_only(client, citizen, make_act, officer):
    register = Register.objects.create(code="arhiva-test", name="Cereri test", prefix="ART")
    own = next_number(register=register, reference="test:1", user=citizen)
    other = next_number(register=register, reference="test:2", user=officer)
    mine = make_act(number="81", pages=("Răspuns la cererea dumneavoastră",))
    theirs = make_act(number="82", pages=("Răspuns la cererea altcuiva",))
    ArchiveDocument.objects.filter(pk=mine.pk).update(registry_entry=own)
    ArchiveDocument.objects.filter(pk=theirs.pk).update(registry_entry=other)

    client.force_login(citizen)
    found = client.get(SEARCH, {"q": "raspuns cererea"}).json()["results"]
    assert [r["id"] for r in found] == [mine.pk]
    assert "address" not in found[0] and "detail_url" not in found[0]
    assert client.get(reverse("arhiva_api:pdf", args=[mine.pk])).status_code == 200
    assert client.get(reverse("arhiva_api:pdf", args=[theirs.pk])).status_code == 404
    assert client.get(SEARCH, {"q": "ac 82/2001"}).json()["results"] == []


def test_the_map_layer_is_for_officers_only(officer, citizen):
    from django.contrib.auth.models import AnonymousUser

    layer = Layer.objects.get(name="arhiva_acte")
    assert layer.access == "restricted"
    assert "arhiva_acte" in visible_layers(officer).values_list("name", flat=True)
    for user in (citizen, AnonymousUser()):
        assert "arhiva_acte" not in visible_layers(user).values_list("name", flat=True)


def test_the_ows_view_has_no_address_nor_text(act):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM ows.arhiva_acte WHERE act_id = %s", [act.pk])
        columns = [c.name for c in cursor.description]
        rows = cursor.fetchall()
    assert len(rows) == 1 and rows[0][columns.index("legatura")] == "exact"
    assert not {"address", "adresa", "text"} & set(columns)


def test_disposal_only_by_recorded_decision_of_expired_acts(
    client, officer, make_act, media, django_capture_on_commit_callbacks
):
    old = make_act(kind="cor", year=2000, number="5", pages=("Corespondență veche",))
    recent = make_act(kind="cor", year=dt.date.today().year - 1, number="6")
    permanent = make_act(kind="ac", year=1990, number="7")
    assert list(selectors.disposable()) == [old]
    assert selectors.disposal_date(old) == dt.date(2006, 1, 1)
    assert selectors.disposal_date(permanent) is None
    files = {d.pk: media / d.pdf for d in (old, recent, permanent)}

    client.force_login(officer)
    refused = client.post(
        reverse("arhiva_api:retention"),
        {"documents": [old.pk, permanent.pk], "reason": "termen împlinit"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "AC nr. 7/1990" in refused.json()["detail"]
    assert all(path.exists() for path in files.values())
    with pytest.raises(retention.DisposalRefused):
        retention.record_disposal(user=officer, document_ids=[old.pk], reason="  ")

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            reverse("arhiva_api:retention"),
            {"documents": [old.pk], "reason": "termen împlinit", "reference": "PV 3/2025"},
            content_type="application/json",
        )
    assert done.status_code == 201 and done.json()["decided_by"] == officer.username
    old.refresh_from_db()
    assert old.disposal.decided_by == officer and old.disposal.reason == "termen împlinit"
    assert old.pdf == "" and not ArchivePage.objects.filter(document=old).exists()
    assert not files[old.pk].exists()
    assert files[recent.pk].exists() and files[permanent.pk].exists()
    assert old not in selectors.visible_documents(officer)


def test_officer_places_an_act_through_the_api_and_the_queue_empties(client, officer, make_act):
    act = make_act(number="90", address="adresă de negăsit")
    parcel = Parcel.objects.select_related("uat").order_by("pk")[7]
    client.force_login(officer)
    queue = client.get(reverse("arhiva_api:unplaced")).json()["results"]
    assert [d["id"] for d in queue] == [act.pk]

    bad = client.post(reverse("arhiva_api:place", args=[act.pk]), {"x": 1.0})
    assert bad.status_code == 400
    outside = client.post(reverse("arhiva_api:place", args=[act.pk]), {"x": 1.0, "y": 2.0})
    assert outside.status_code == 400  # not in Romania's Stereo 70 extent
    placed = client.post(
        reverse("arhiva_api:place", args=[act.pk]),
        {"parcel": f"{parcel.uat.siruta}:{parcel.cadastral_number}"},
    )
    assert placed.status_code == 200 and placed.json()["placement"] == "linked"
    assert client.get(reverse("arhiva_api:unplaced")).json()["results"] == []
    link = act.links.get()
    assert (link.parcel_id, link.method, link.created_by) == (parcel.pk, "manual", officer)
    of_parcel = client.get(SEARCH, {"parcel": f"{parcel.uat.siruta}:{parcel.cadastral_number}"})
    assert [r["id"] for r in of_parcel.json()["results"]] == [act.pk]


def test_mapserver_publishes_the_layer_in_the_officers_mapfile_only(settings, tmp_path, officer):
    from layers.publishing.mapfile import public_layers
    from layers.publishing.services import publish

    settings.OWS_DIR = str(tmp_path / "ows")
    officers = publish(visible_layers(officer), "officers")  # validated by mapserv itself
    public = publish(public_layers(), "public")
    text = officers.read_text()
    assert "ows.arhiva_acte" in text and '"wms_include_items" "act_id,tip,' in text
    assert "arhiva_acte" not in public.read_text()


def test_search_hits_say_where_the_map_goes(client, officer, make_act, act):
    """Officers' search hits carry the act's parcels, or the point it was placed at."""
    client.force_login(officer)
    hit = client.get(SEARCH, {"q": "AC 77/1996"}).json()["results"][0]
    assert hit["parcels"] == [_ref(act)] and hit["location"] is None
    assert hit["uat"] == {"siruta": act.uat.siruta, "name": act.uat.name}
    loose = make_act(kind="ac", year=1990, number="5", pages=("Autorizație zăvoi",))
    client.post(f"/api/arhiva/acte/{loose.pk}/amplasare/", {"x": 400123.456, "y": 500321.0})
    hit = client.get(SEARCH, {"q": "zavoi"}).json()["results"][0]
    assert hit["id"] == loose.pk
    assert hit["parcels"] == [] and hit["location"] == [400123.46, 500321.0]


def test_lists_of_acts_name_their_uat_without_a_query_per_act(
    client, officer, make_act, django_assert_max_num_queries
):
    uat = Parcel.objects.select_related("uat").order_by("pk")[0].uat
    for number in range(5):
        make_act(kind="ac", year=1980, number=str(number), address="Str. Nouă 1", uat=uat)
    client.force_login(officer)
    with django_assert_max_num_queries(12):
        queue = client.get("/api/arhiva/neamplasate/").json()["results"]
    assert len(queue) >= 5
    assert {item["uat"]["name"] for item in queue if item["number"] in "01234"} == {uat.name}


def test_a_refused_placement_on_the_page_says_why_in_words(client, officer, make_act):
    act = make_act(kind="ac", year=1985, number="9", pages=("Autorizație",))
    client.force_login(officer)
    url = reverse("arhiva:place", args=[act.pk])
    for data, expected in (
        ({"x": "", "y": ""}, "coordonatele X și Y în metri"),
        ({"parcel": "50038"}, "SIRUTA:nr_cadastral"),
    ):
        page = client.post(url, data, follow=True).content.decode()
        assert "Amplasare eșuată: " in page and expected in page, page[:3000]
        assert "could not convert" not in page and "ErrorDetail" not in page
    act.refresh_from_db()
    assert act.placement == ArchiveDocument.Placement.UNPLACED
