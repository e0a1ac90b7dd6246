"""Placing the archive's unplaced acts by clicking on the officers' map, in headless
Chromium on the real stack: an officer arms the placement of an act from the map's
"Acte neamplasate" pane, clicks on a parcel and links the act to it (the parcel card and
the archive layer are refreshed), or follows the link of the archive's queue page and
places an act at a point outside every parcel; a refused placement changes nothing; a
citizen or an anonymous visitor never gets the tool (nor the API)."""

from __future__ import annotations

import hashlib
import math
from types import SimpleNamespace

import pytest
import requests

from tests.frontend.conftest import OFFICER, login, orm, screenshot, wait_for_map
from tests.frontend.test_browser import center_on, click_map_center

CITIZEN = ("cetatean.amplasare", "parola-lunga-amplasare-1")
ADDRESS = "Tarla 999, Parcela 999, extravilan Nicăieri"

ARHIVA_LOADS_JS = """() => {
  const layer = window.__gisapp.map.getLayers().getArray()
    .find((l) => l.get('name') === 'arhiva_acte');
  window.__arhivaLoads = 0;
  layer.getSource().on('imageloadend', () => { window.__arhivaLoads += 1; });
}"""


@pytest.fixture(scope="module")
def archive_ready(django_db_blocker, live):
    """The archive's kinds and map layer and the demo accounts, committed (transactional
    tests of other apps may have flushed them), and a citizen account."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from arhiva.seed import register_layer, seed
    from layers.models import Layer
    from layers.publishing import services

    with orm(django_db_blocker):
        seed(apps)
        had_layer = Layer.objects.filter(name="arhiva_acte").exists()
        register_layer(apps)
        if not had_layer:
            services.republish_all()
        call_command("ensure_demo_users", verbosity=0)
        user_model = get_user_model()
        citizen = user_model.objects.filter(username=CITIZEN[0]).first()
        if citizen is None:
            user_model.objects.create_user(CITIZEN[0], password=CITIZEN[1])
    yield
    with orm(django_db_blocker):
        get_user_model().objects.filter(username=CITIZEN[0]).delete()


@pytest.fixture
def unplaced_act(django_db_blocker, archive_ready):
    """Make committed unplaced acts (no OCR, no file: the live server must see them);
    removed afterwards with their links."""
    from arhiva import linking
    from arhiva.models import ArchiveDocument, DocumentKind

    made: list[int] = []

    def make(number: str) -> SimpleNamespace:
        with orm(django_db_blocker):
            kind = DocumentKind.objects.get(code="ac")
            document = ArchiveDocument.objects.create(
                kind=kind,
                year=2025,
                number=number,
                address=ADDRESS,
                retention=kind.retention,
                original_name=f"{number}.pdf",
                sha256=hashlib.sha256(number.encode()).hexdigest(),
            )
            linking.link_document(document)
            document.refresh_from_db()
            assert document.placement == ArchiveDocument.Placement.UNPLACED
            made.append(document.pk)
            # plain values: the ORM is not usable while the browser runs
            return SimpleNamespace(pk=document.pk, label=document.label)

    yield make
    with orm(django_db_blocker):
        ArchiveDocument.objects.filter(pk__in=made).delete()


@pytest.fixture(scope="module")
def outside_point(facts, django_db_blocker) -> tuple[float, float]:
    """A point of the county at least 20 m from every parcel, near the known parcel."""
    from django.db import connection

    with orm(django_db_blocker), connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_X(g.pt), ST_Y(g.pt) FROM ("
            "  SELECT ST_SetSRID(ST_MakePoint(%s + dx, %s + dy), 3844) AS pt,"
            "         dx * dx + dy * dy AS d2"
            "  FROM generate_series(-1500, 1500, 25) dx, generate_series(-1500, 1500, 25) dy) g "
            "WHERE EXISTS (SELECT 1 FROM layers_uat u WHERE ST_Contains(u.geom, g.pt)) "
            "AND NOT EXISTS (SELECT 1 FROM layers_parcel p WHERE ST_DWithin(p.geom, g.pt, 20)) "
            "ORDER BY g.d2 LIMIT 1",
            list(facts.point),
        )
        row = cursor.fetchone()
    assert row, "no point outside the parcels near the known parcel"
    return row


def _stored(django_db_blocker, pk: int) -> dict:
    from arhiva.models import ArchiveDocument

    with orm(django_db_blocker):
        document = ArchiveDocument.objects.select_related("placed_by").get(pk=pk)
        return {
            "placement": document.placement,
            "location": (document.location.x, document.location.y) if document.location else None,
            "placed_by": document.placed_by.username if document.placed_by else None,
            "links": [
                (link.parcel_id, link.method, link.created_by.username if link.created_by else None)
                for link in document.links.select_related("created_by")
            ],
        }


def _pane(page):
    return page.locator("#pane-unplaced")


def _wait_state(page, state: str) -> None:
    page.wait_for_function(
        "s => document.getElementById('pane-unplaced').dataset.state === s", arg=state
    )


def _arm(page, pk: int) -> None:
    page.click("#tab-unplaced")
    item = page.locator(f"[data-testid=unplaced-list] li[data-act='{pk}']")
    item.wait_for()
    item.locator("button[data-place]").click()
    _wait_state(page, "armed")
    assert "placing" in page.get_attribute("#map", "class")


def _open_map(page, live) -> None:
    login(page, live)
    wait_for_map(page)


def test_officer_links_an_unplaced_act_to_the_clicked_parcel(
    page, live, facts, unplaced_act, django_db_blocker
):
    act = unplaced_act("PLASARE-1")
    _open_map(page, live)
    # the archive layer on, counting its image loads
    page.check("#layer-arhiva_acte")
    page.evaluate(ARHIVA_LOADS_JS)
    # the parcel's card first: it must show the act once it is linked
    center_on(page, *facts.point)
    click_map_center(page)
    card = page.locator("[data-testid=parcel-card]")
    card.wait_for()
    card.locator("[data-testid=archived-acts] h4").wait_for(state="attached")
    assert card.locator(f"[data-testid=archived-acts] li[data-act='{act.pk}']").count() == 0
    cards_before = page.evaluate("document.body.dataset.cardCount")

    _arm(page, act.pk)
    item = page.locator(f"[data-testid=unplaced-list] li[data-act='{act.pk}']")
    assert act.label in item.inner_text() and ADDRESS in item.inner_text()
    page.wait_for_function("() => window.__arhivaLoads >= 1")
    loads = page.evaluate("window.__arhivaLoads")
    click_map_center(page)
    _wait_state(page, "confirm")
    confirm = page.locator("[data-testid=placement-confirm]")
    link_button = confirm.locator("button[data-choice=parcel]")
    assert (
        link_button.inner_text() == f"Leagă de imobilul {facts.cadastral_number} ({facts.uat_name})"
    )
    assert confirm.locator("button[data-choice=point]").inner_text() == "Amplasează în punctul ales"
    assert "Punctul nu se află" not in confirm.inner_text() and "null" not in confirm.inner_text()
    # the click placed, it did not identify (no new card)
    assert page.evaluate("document.body.dataset.cardCount") == cards_before
    screenshot(page, "archive-placement-confirm")
    link_button.click()

    message = page.locator("[data-testid=placement-message]")
    page.wait_for_function("el => el.classList.contains('ok')", arg=message.element_handle())
    assert facts.cadastral_number in message.inner_text()
    assert item.count() == 0  # gone from the queue
    _wait_state(page, "idle")
    assert "placing" not in page.get_attribute("#map", "class")
    stored = _stored(django_db_blocker, act.pk)
    assert stored["placement"] == "linked"
    assert stored["links"] == [(facts.parcel_id, "manual", OFFICER[0])]
    assert stored["placed_by"] == OFFICER[0] and stored["location"] is None
    # the card on show lists the act now, and the archive layer was drawn again
    card.locator(f"[data-testid=archived-acts] li[data-act='{act.pk}']").wait_for(state="attached")
    page.wait_for_function("n => window.__arhivaLoads > n", arg=loads)
    assert page.evaluate("window.__gisapp.imageErrors || 0") == 0
    screenshot(page, "archive-placement-linked")


def test_officer_follows_the_queue_page_link_and_places_an_act_at_a_point(
    page, live, outside_point, unplaced_act, django_db_blocker
):
    act = unplaced_act("PLASARE-2")
    login(page, live)
    # the archive's HTML queue links each act to the map, placement armed on arrival
    page.goto(live.url("/arhiva/neamplasate/"))
    page.click(f"a[data-map-placement='{act.pk}']")
    page.wait_for_url(f"**/harta/?amplasare={act.pk}")
    wait_for_map(page)
    _wait_state(page, "armed")
    assert page.get_attribute("#tab-unplaced", "aria-selected") == "true"
    assert act.label in page.locator("[data-testid=placement-confirm]").inner_text()

    # Esc cancels: the next click identifies as usual
    page.keyboard.press("Escape")
    _wait_state(page, "idle")
    assert "placing" not in page.get_attribute("#map", "class")
    center_on(page, *outside_point)
    cards = int(page.evaluate("document.body.dataset.cardCount || 0"))
    click_map_center(page)
    page.wait_for_function("n => Number(document.body.dataset.cardCount) > n", arg=cards)
    assert page.locator("[data-testid=parcel-card]").count() == 0  # no parcel there

    _arm(page, act.pk)
    click_map_center(page)
    _wait_state(page, "confirm")
    confirm = page.locator("[data-testid=placement-confirm]")
    # outside every parcel only the point is offered
    assert confirm.locator("button[data-choice=parcel]").count() == 0
    assert "Punctul nu se află pe un imobil." in confirm.inner_text()
    confirm.locator("button[data-choice=point]").click()
    message = page.locator("[data-testid=placement-message]")
    page.wait_for_function("el => el.classList.contains('ok')", arg=message.element_handle())
    assert page.locator(f"[data-testid=unplaced-list] li[data-act='{act.pk}']").count() == 0

    stored = _stored(django_db_blocker, act.pk)
    assert stored["placement"] == "point" and stored["links"] == []
    assert stored["placed_by"] == OFFICER[0]
    x, y = stored["location"]
    assert math.hypot(x - outside_point[0], y - outside_point[1]) < 1.0, (x, y, outside_point)
    screenshot(page, "archive-placement-point")


def test_a_refused_placement_is_shown_and_changes_nothing(
    page, context, live, facts, unplaced_act, django_db_blocker
):
    act = unplaced_act("PLASARE-3")
    _open_map(page, live)
    center_on(page, *facts.point)
    _arm(page, act.pk)
    click_map_center(page)
    _wait_state(page, "confirm")
    # the session ends meanwhile (logged out elsewhere, expired): the API refuses
    context.clear_cookies()
    page.locator("[data-testid=placement-confirm] button[data-choice=parcel]").click()
    message = page.locator("[data-testid=placement-message]")
    page.wait_for_function("el => el.classList.contains('error')", arg=message.element_handle())
    text = message.inner_text()
    assert text.startswith("Nu aveți dreptul să amplasați acte")
    assert "Nimic nu a fost modificat." in text
    # still in the queue, not armed, nothing stored
    assert page.locator(f"[data-testid=unplaced-list] li[data-act='{act.pk}']").count() == 1
    _wait_state(page, "idle")
    assert _stored(django_db_blocker, act.pk) == {
        "placement": "unplaced",
        "location": None,
        "placed_by": None,
        "links": [],
    }


def test_citizens_and_anonymous_visitors_get_no_placement(
    browser, live, facts, unplaced_act, django_db_blocker
):
    act = unplaced_act("PLASARE-4")
    place = live.url(f"/api/arhiva/acte/{act.pk}/amplasare/")
    body = {"parcel": f"{facts.siruta}:{facts.cadastral_number}"}
    # anonymous: the map asks for a login, the API refuses
    response = requests.get(
        live.url(f"/harta/?amplasare={act.pk}"), allow_redirects=False, timeout=30
    )
    assert response.status_code == 302 and "/cont/autentificare/" in response.headers["Location"]
    assert requests.get(live.url("/api/arhiva/neamplasate/"), timeout=30).status_code in (401, 403)
    assert requests.post(place, json=body, timeout=30).status_code in (401, 403)

    # a citizen: no officers' map, no pane on the portal, the API refuses even with CSRF
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    context.set_default_timeout(30_000)
    try:
        page = context.new_page()
        page.goto(live.url("/cont/autentificare/?next=/portal/"))
        page.fill("#id_username", CITIZEN[0])
        page.fill("#id_password", CITIZEN[1])
        page.click("form.stack-form button[type=submit]")
        page.wait_for_url("**/portal/")
        wait_for_map(page)
        tool = "#tab-unplaced, #pane-unplaced, [data-testid=unplaced-list]"
        assert page.locator(tool).count() == 0
        response = page.goto(live.url(f"/harta/?amplasare={act.pk}"))
        assert response.status == 403
        assert page.locator(tool).count() == 0
        page.goto(live.url("/portal/"))
        status = page.evaluate(
            """async ([url, body]) => {
                const token = (document.cookie.match(/csrftoken=([^;]+)/) || [])[1] || '';
                const r = await fetch(url, {method: 'POST', credentials: 'same-origin',
                  headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
                  body: JSON.stringify(body)});
                return r.status;
            }""",
            [place, body],
        )
        assert status == 403
    finally:
        context.close()
    assert _stored(django_db_blocker, act.pk)["placement"] == "unplaced"


@pytest.mark.django_db
def test_the_archive_queue_page_links_each_act_to_the_map(client, officer, archive_seeded_db):
    """The HTML queue (/arhiva/neamplasate/) links to /harta/?amplasare=<id>; also the
    database test that makes pytest-django create the test database for this module."""
    from arhiva.models import ArchiveDocument, DocumentKind

    kind = DocumentKind.objects.get(code="cu")
    act = ArchiveDocument.objects.create(
        kind=kind,
        year=2024,
        number="PLASARE-LINK",
        address=ADDRESS,
        retention=kind.retention,
        original_name="x.pdf",
        sha256="0" * 64,
    )
    client.force_login(officer)
    page = client.get("/arhiva/neamplasate/").content.decode()
    assert f'href="/harta/?amplasare={act.pk}"' in page
    assert "Amplasează pe hartă" in page


@pytest.fixture
def archive_seeded_db(db):
    from django.apps import apps

    from arhiva.seed import seed

    seed(apps)
