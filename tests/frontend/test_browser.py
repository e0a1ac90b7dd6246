"""The web map and the citizen portal in headless Chromium against the real stack."""

from __future__ import annotations

import re
import subprocess
import time

import pytest
import requests

from tests.frontend.conftest import login, screenshot, wait_for_map

PAINTED_PIXELS_JS = """() => {
  const canvases = [...document.querySelectorAll('#map canvas')];
  let painted = 0, sampled = 0;
  const colours = new Set();
  for (const c of canvases) {
    if (!c.width || !c.height) continue;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < data.length; i += 4 * 53) {
      sampled++;
      if (data[i + 3] > 0) {
        painted++;
        colours.add(((data[i] >> 4) << 8) | ((data[i + 1] >> 4) << 4) | (data[i + 2] >> 4));
      }
    }
  }
  return {canvases: canvases.length, painted, sampled, colours: colours.size};
}"""

# Resolves on the next complete render (forced, so an unchanged view still renders), or
# false after 20 s so that a broken map fails the test instead of hanging it.
CENTER_JS = """([x, y, r]) => new Promise((resolve) => {
  const map = window.__gisapp.map;
  const timer = setTimeout(() => resolve(false), 20000);
  map.once('rendercomplete', () => { clearTimeout(timer); resolve(true); });
  map.getView().setCenter([x, y]);
  map.getView().setResolution(r);
  map.render();
})"""

VIEW_CENTER_JS = "() => window.__gisapp.map.getView().getCenter()"


def center_on(page, x: float, y: float, resolution: float = 0.25) -> None:
    assert page.evaluate(CENTER_JS, [x, y, resolution]), "the map did not finish rendering"


def click_map_center(page) -> None:
    box = page.locator("#map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_map_requires_login(live):
    response = requests.get(live.url("/harta/"), allow_redirects=False, timeout=30)
    assert response.status_code == 302
    assert "/cont/autentificare/" in response.headers["Location"]


def test_officer_map_draws_the_layers(officer_page, facts):
    page = officer_page
    pixels = page.evaluate(PAINTED_PIXELS_JS)
    assert pixels["canvases"] >= 1
    # the orthophoto covers the county: most of the map is painted, in many colours
    assert pixels["painted"] > 0.5 * pixels["sampled"], pixels
    assert pixels["colours"] > 50, pixels
    assert page.evaluate("window.__gisapp.imageErrors || 0") == 0
    screenshot(page, "officer-map-county")
    # at parcel scale the cadastre layers are drawn too (they have a max scale)
    center_on(page, *facts.point, resolution=0.5)
    assert page.evaluate(PAINTED_PIXELS_JS)["colours"] > 50
    screenshot(page, "officer-map-parcels")


def test_layer_tree_has_groups_legends_opacity_and_labels(officer_page):
    page = officer_page
    pane = page.locator("#pane-layers")
    groups = pane.locator("fieldset.layer-group legend").all_inner_texts()
    assert {"Cadastru", "Urbanism", "Drumuri județene", "Fundal"} <= set(groups)
    # officers see the restricted buildings layer
    assert pane.locator("input[data-layer=cladiri]").count() == 1
    unlabelled = page.evaluate(
        """() => [...document.querySelectorAll('#pane-layers input')]
             .filter(i => !(i.labels && i.labels.length) && !i.getAttribute('aria-label'))
             .map(i => i.id)"""
    )
    assert unlabelled == []
    # a legend is a real GetLegendGraphic image
    page.locator("#layer-parcele").locator("xpath=ancestor::li").locator("summary").click()
    legend = pane.locator("img[src*='GetLegendGraphic'][src*='LAYER=parcele']")
    legend.wait_for()
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=legend.element_handle()
    )
    # switching a layer off and changing opacity act on the map layer
    page.uncheck("#layer-ortofoto")
    page.locator("#layer-parcele-opacity").fill("40")
    state = page.evaluate(
        """() => Object.fromEntries(window.__gisapp.map.getLayers().getArray()
             .map(l => [l.get('name'), [l.getVisible(), l.getOpacity()]]))"""
    )
    assert state["ortofoto"][0] is False
    assert state["parcele"][1] == pytest.approx(0.4)


def test_click_on_a_parcel_opens_its_card(officer_page, facts):
    page = officer_page
    center_on(page, *facts.point)
    started = time.perf_counter()
    click_map_center(page)
    card = page.locator("[data-testid=parcel-card]")
    card.wait_for()
    elapsed = time.perf_counter() - started
    assert card.locator("[data-field=cadastral-number]").inner_text() == facts.cadastral_number
    assert card.get_attribute("data-ref") == f"{facts.siruta}:{facts.cadastral_number}"
    assert facts.utr in card.locator("[data-field=utr]").all_inner_texts()
    assert "POT" in card.inner_text()
    assert elapsed < 5, elapsed  # generous: the benchmark measures it properly
    screenshot(page, "officer-parcel-card")


def test_keyboard_enter_identifies_the_map_centre(officer_page, facts):
    page = officer_page
    center_on(page, *facts.point)
    page.locator("#map").focus()
    page.keyboard.press("Enter")
    card = page.locator("[data-testid=parcel-card]")
    card.wait_for()
    assert card.locator("[data-field=cadastral-number]").inner_text() == facts.cadastral_number


def test_road_click_gives_number_and_km(officer_page, facts):
    page = officer_page
    center_on(page, *facts.km_point, resolution=0.5)
    click_map_center(page)
    road = page.locator("[data-testid=road-card]")
    road.wait_for()
    assert facts.road in road.inner_text()
    assert road.locator("[data-field=km]").inner_text() == facts.km_text


def test_identify_on_a_shared_boundary_is_deterministic(live, facts):
    x, y = facts.boundary_point
    assert len(facts.boundary_parcels) >= 2  # the point really is on two parcels
    ids = {
        requests.get(
            live.url("/api/map/identify/"), params={"x": x, "y": y, "res": 0.1}, timeout=30
        ).json()["parcel"]["id"]
        for _ in range(3)
    }
    assert ids == {facts.boundary_winner}


def test_search_by_cadastral_number_zooms_and_opens_the_card(officer_page, facts):
    page = officer_page
    page.fill("#search-input", f"{facts.cadastral_number} {facts.uat_name}")
    page.press("#search-input", "Enter")
    card = page.locator("[data-testid=parcel-card]")
    card.wait_for()
    assert card.locator("[data-field=cadastral-number]").inner_text() == facts.cadastral_number
    x, y = page.evaluate(VIEW_CENTER_JS)
    xmin, ymin, xmax, ymax = facts.bbox
    assert xmin <= x <= xmax and ymin <= y <= ymax
    assert page.evaluate("window.__gisapp.map.getView().getResolution()") < 1
    assert (
        page.evaluate(
            "window.__gisapp.map.getLayers().getArray()"
            ".find(l => l.get('name') === 'highlight').getSource().getFeatures().length"
        )
        == 1
    )
    screenshot(page, "officer-search-parcel")


def test_search_by_road_km_zooms_there(officer_page, facts):
    page = officer_page
    page.fill("#search-input", f"{facts.road} {facts.km_text}")
    page.press("#search-input", "Enter")
    page.wait_for_function(
        "label => document.body.dataset.lastResult === label",
        arg=f"{facts.road} {facts.km_text}",
    )
    x, y = page.evaluate(VIEW_CENTER_JS)
    assert abs(x - facts.km_point[0]) < 1 and abs(y - facts.km_point[1]) < 1
    wait_for_map(page)
    screenshot(page, "officer-search-road-km")


def test_print_the_view_to_pdf(officer_page, facts, tmp_path):
    page = officer_page
    center_on(page, *facts.point)
    click_map_center(page)
    page.locator("[data-testid=parcel-card]").wait_for()
    page.click("#tab-tools")
    page.select_option("#print-scale", "1000")
    page.fill("#print-title", "Plan de situație – test")
    with page.expect_download(timeout=120_000) as download:
        page.click("#print-button")
    target = tmp_path / "print.pdf"
    download.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Plan de situație – test" in text
    assert "1:1" in text and "000" in text  # "Scara 1:1 000"
    assert "N " in text and "E " in text  # frame coordinates
    pages = subprocess.run(["pdfinfo", str(target)], capture_output=True, text=True).stdout
    assert re.search(r"^Pages:\s+1$", pages, re.MULTILINE), pages


def test_language_switch(page, live):
    page.goto(live.url("/portal/"))
    wait_for_map(page)
    # Romanian by default, even though the browser asks for English (Accept-Language)
    assert page.get_attribute("html", "lang") == "ro"
    assert page.locator("label[for=language-select]").inner_text() == "Limba"
    page.select_option("#language-select", "en")
    page.click("[data-testid=language-form] button[type=submit]")
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert page.locator("label[for=language-select]").inner_text() == "Language"
    assert "What can be built on a plot?" in page.inner_text("#panel")
    screenshot(page, "portal-english")
    # the officers' map in English: server text and the app's own catalogue
    login(page, live)
    wait_for_map(page)
    assert page.locator("#tab-layers").inner_text() == "Layers"
    groups = page.locator("#pane-layers fieldset.layer-group legend").all_inner_texts()
    assert "Cadastre" in groups and "County roads" in groups
    page.select_option("#language-select", "ro")
    page.click("[data-testid=language-form] button[type=submit]")
    page.wait_for_function("document.documentElement.lang === 'ro'")
    wait_for_map(page)
    assert page.locator("#tab-layers").inner_text() == "Straturi"


def test_citizen_parcel_status_shows_rules_and_no_owner(page, live, facts):
    page.goto(live.url("/portal/"))
    wait_for_map(page)
    page.fill("#portal-q", f"{facts.cadastral_number} {facts.uat_name}")
    page.press("#portal-q", "Enter")
    status = page.locator("[data-testid=parcel-status]")
    status.wait_for()
    assert status.locator("[data-field=cadastral-number]").inner_text() == facts.cadastral_number
    assert facts.utr in status.locator("[data-field=utr]").all_inner_texts()
    text = status.inner_text()
    assert "POT" in text and "CUT" in text and "Înălțimea maximă" in text
    assert "Avize necesare" in text
    assert status.locator("[data-field=road-zone]").get_attribute("data-in-road-zone") in {
        "da",
        "nu",
    }
    html = page.content()
    assert facts.holder_names, "the known parcel must have owners for this test to mean much"
    for name in facts.holder_names:
        assert name not in html
    screenshot(page, "portal-parcel-status")
    # the same by clicking the map, and the server-rendered page
    center_on(page, *facts.point)
    page.evaluate("document.getElementById('parcel-status').replaceChildren()")
    click_map_center(page)
    status.wait_for()
    assert status.locator("[data-field=cadastral-number]").inner_text() == facts.cadastral_number
    page.goto(live.url(f"/portal/imobil/{facts.siruta}/{facts.cadastral_number}/"))
    assert facts.utr in page.locator("[data-field=utr]").all_inner_texts()
    for name in facts.holder_names:
        assert name not in page.content()


def test_phone_sized_screen(browser, live, facts):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    try:
        page.goto(live.url("/portal/"))
        wait_for_map(page)
        map_box = page.locator("#map").bounding_box()
        panel_box = page.locator("#panel").bounding_box()
        assert map_box["width"] == pytest.approx(390, abs=2)
        assert map_box["height"] > 250 and panel_box["y"] >= map_box["y"] + map_box["height"] - 2
        page.fill("#portal-q", f"{facts.siruta}:{facts.cadastral_number}")
        page.press("#portal-q", "Enter")
        page.locator("[data-testid=parcel-status]").wait_for()
        screenshot(page, "portal-phone")
        page.click("#panel-toggle")
        assert page.get_attribute("#panel-toggle", "aria-expanded") == "false"
        assert page.locator("#panel").is_hidden()
    finally:
        context.close()


def test_a_footprint_drawn_on_the_map_is_handed_to_the_filing_form(
    officer_page, facts, permit_kinds
):
    """Parcel click -> draw a footprint -> analysis -> "Start an application" -> the
    filing form takes the draft over (parcel, footprint) with the CU kind chosen."""
    page = officer_page
    center_on(page, *facts.point)
    click_map_center(page)
    page.locator("[data-testid=parcel-card]").wait_for()
    page.click("#tab-tools")
    page.click("[data-tool=footprint]")
    box = page.locator("#map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    square = [(cx - 20, cy - 20), (cx + 20, cy - 20), (cx + 20, cy + 20), (cx - 20, cy + 20)]
    for x, y in [*square, square[0]]:
        page.mouse.click(x, y)
        page.wait_for_timeout(300)
    output = page.locator("[data-testid=tool-output]")
    output.locator("li.finding").first.wait_for()
    assert "POT propus" in output.inner_text()
    output.get_by_role("button").click()
    page.wait_for_url("**/portal/cerere-noua/")
    ref = f"{facts.siruta}:{facts.cadastral_number}"
    page.locator(f"[data-testid=apply-parcels] li[data-ref='{ref}']").wait_for()
    assert "amprenta" in page.locator("[data-testid=apply-drawn]").inner_text()
    assert page.locator("#apply-kind").input_value() == "cu"
    assert page.locator("#apply-subject").is_visible()
    screenshot(page, "apply-from-map")


def test_tracking_page_answers_a_wrong_key_without_details(page, live):
    page.goto(live.url("/portal/urmarire/"))
    page.fill("#track-number", "U-1/2020")
    page.fill("#track-key", "nu-e-cheia")
    page.click("#track-form button[type=submit]")
    alert = page.locator("[data-testid=track-result] [role=alert]")
    alert.wait_for()
    assert alert.inner_text()


@pytest.mark.django_db
def test_officers_navigation_only_for_officers(client, officer, django_user_model):
    """The officers' links (map, work queue, imports, archive, register) appear only to
    officers; a database test in this module also makes pytest-django create the test
    database the browser stack runs on when the module runs alone."""
    assert 'href="/import/"' not in client.get("/portal/").content.decode()
    citizen = django_user_model.objects.create_user("cetatean.nav", password="x-parola-lunga")
    client.force_login(citizen)
    assert 'href="/import/"' not in client.get("/portal/").content.decode()
    client.force_login(officer)
    page = client.get("/portal/").content.decode()
    assert 'href="/import/"' in page and 'href="/harta/cereri/"' in page
    assert 'href="/arhiva/"' in page and 'href="/registratura/"' in page
    client.force_login(citizen)
    page = client.get("/portal/").content.decode()
    assert 'href="/arhiva/"' not in page and 'href="/registratura/"' not in page
