"""Browser tests of the web map and the citizen portal: headless Debian Chromium driven by
Playwright against the real stack (nginx + Django runserver + MapServer FastCGI pool) on
the test database. Nothing is skipped: a missing build or browser fails with a message.

Django refuses database access while Playwright's sync API runs an event loop in this
thread, so everything the tests need from the database is read first (`facts`), and the
browser lives only for this package's tests.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from frontend.assets import FrontendNotBuilt, manifest
from layers import orthophoto
from layers.publishing import services
from layers.publishing.mapfile import mapserver_config
from tests.frontend.stack import serve

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM_BIN", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-background-networking",
]
OFFICER = ("demo.officer", "demo-parola-2024")


@dataclass(frozen=True)
class Facts:
    """Known features of the demo county, read before the browser starts."""

    parcel_id: int
    siruta: int
    uat_name: str
    cadastral_number: str
    point: tuple[float, float]  # inside the parcel (point on surface)
    bbox: tuple[float, float, float, float]
    utr: str
    holder_names: tuple[str, ...]
    road: str
    km_text: str
    km_point: tuple[float, float]
    boundary_point: tuple[float, float]
    boundary_parcels: tuple[int, ...]
    boundary_winner: int


def _read_facts() -> Facts:
    from layers.models import CountyRoad, PropertyRight
    from layers.roads import parse_km, point_at_km

    with connection.cursor() as cursor:
        # a house plot with a UTR and an owner, away from the county edge
        cursor.execute(
            "SELECT p.id, u.siruta, u.name, p.cadastral_number, ST_X(s.pt), ST_Y(s.pt), "
            "ST_XMin(p.geom), ST_YMin(p.geom), ST_XMax(p.geom), ST_YMax(p.geom), z.code "
            "FROM layers_parcel p JOIN layers_uat u ON u.id = p.uat_id "
            "CROSS JOIN LATERAL (SELECT ST_PointOnSurface(p.geom) AS pt) s "
            "JOIN layers_zone z ON ST_Contains(z.geom, p.geom) "
            "WHERE p.intravilan AND EXISTS (SELECT 1 FROM layers_propertyright r "
            "  WHERE r.parcel_id = p.id AND r.holder_kind = 'pf') "
            "ORDER BY p.id OFFSET 37 LIMIT 1"
        )
        pid, siruta, uat, number, x, y, *bbox, utr = cursor.fetchone()
        # a point on the boundary shared by two parcels (middle of a common edge)
        cursor.execute(
            "SELECT ST_X(m), ST_Y(m) FROM ("
            "  SELECT ST_LineInterpolatePoint(ST_LineMerge(ST_Intersection("
            "    ST_Boundary(a.geom), ST_Boundary(b.geom))), 0.5) AS m "
            "  FROM layers_parcel a JOIN layers_parcel b ON a.id < b.id "
            "   AND ST_Touches(a.geom, b.geom) "
            "  WHERE a.id = %s "
            "   AND GeometryType(ST_LineMerge(ST_Intersection(ST_Boundary(a.geom), "
            "       ST_Boundary(b.geom)))) = 'LINESTRING' LIMIT 1) s",
            [pid],
        )
        bx, by = cursor.fetchone()
        cursor.execute(
            "SELECT id FROM layers_parcel WHERE ST_Intersects(geom, "
            "ST_SetSRID(ST_MakePoint(%s, %s), 3844)) "
            "ORDER BY ST_Distance(ST_Centroid(geom), ST_SetSRID(ST_MakePoint(%s, %s), 3844)), id",
            [bx, by, bx, by],
        )
        boundary = tuple(row[0] for row in cursor.fetchall())
    holders = tuple(
        PropertyRight.objects.filter(parcel_id=pid).values_list("holder_name", flat=True)
    )
    road = CountyRoad.objects.get(number="DJ 107")
    km_text = "km 1+350"
    point = point_at_km(road, parse_km(km_text))
    return Facts(
        parcel_id=pid,
        siruta=siruta,
        uat_name=uat,
        cadastral_number=number,
        point=(x, y),
        bbox=tuple(bbox),
        utr=utr,
        holder_names=holders,
        road=road.number,
        km_text=km_text,
        km_point=(point.x, point.y),
        boundary_point=(bx, by),
        boundary_parcels=boundary,
        boundary_winner=boundary[0],
    )


@pytest.fixture(scope="session")
def frontend_build() -> dict:
    try:
        return manifest()
    except FrontendNotBuilt as exc:
        pytest.fail(f"{exc}. The browser tests need the built front-end.", pytrace=False)


@pytest.fixture(scope="session")
def facts(django_db_setup, django_db_blocker) -> Facts:
    with django_db_blocker.unblock():
        return _read_facts()


@pytest.fixture(scope="session")
def live(django_db_setup, django_db_blocker, tmp_path_factory, frontend_build, facts):
    """nginx + Django (with the map's URLs) + MapServer on the test database."""
    ows_dir = tmp_path_factory.mktemp("frontend-ows")
    run_dir = tmp_path_factory.mktemp("frontend-run")
    media_dir = tmp_path_factory.mktemp("frontend-media")
    old, old_media = settings.OWS_DIR, settings.MEDIA_ROOT
    settings.OWS_DIR = str(ows_dir)
    # the test process assembles dossiers (no worker) into the server's media
    settings.MEDIA_ROOT = str(media_dir)
    if not connection.settings_dict["NAME"].startswith("test_"):
        # pytest-django creates the test database only when some collected test asks for
        # the database (a django_db mark or the db fixture); never serve a real one.
        pytest.fail(
            f"the browser stack would run on {connection.settings_dict['NAME']!r}, not a "
            "test database: collect at least one database test with these tests",
            pytrace=False,
        )
    with django_db_blocker.unblock():
        services.ensure_ows_role()
        if not orthophoto.demo_orthophoto_path().exists():
            orthophoto.paint_demo_orthophoto(orthophoto.demo_orthophoto_path())
        services.republish_all()
        db = connection.settings_dict
    database_url = (
        f"postgis://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    try:
        with serve(
            database_url=database_url,
            ows_dir=ows_dir,
            run_dir=run_dir,
            config_file=mapserver_config(ows_dir),
            extra_env={
                "DJANGO_MEDIA_ROOT": str(media_dir),
                # e-mails (verification codes, registration) as files the tests read
                "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
                "DJANGO_EMAIL_FILE_PATH": str(run_dir / "mail"),
                "PERMITS_EMAIL_VERIFICATION": "true",
            },
        ) as stack:
            yield stack
    finally:
        settings.OWS_DIR, settings.MEDIA_ROOT = old, old_media


@pytest.fixture(scope="module")
def browser(live, facts):
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: install the Debian package `chromium`",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-US")
    context.set_default_timeout(30_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    assert not errors, f"JavaScript errors: {errors}"


def login(page, live) -> None:
    page.goto(live.url("/cont/autentificare/?next=/harta/"))
    page.fill("#id_username", OFFICER[0])
    page.fill("#id_password", OFFICER[1])
    page.click("form.stack-form button[type=submit]")
    page.wait_for_url("**/harta/")


@pytest.fixture
def officer_page(page, live):
    login(page, live)
    wait_for_map(page)
    return page


@contextmanager
def orm(django_db_blocker) -> Iterator[None]:
    """Database access from a browser test: Playwright's sync API keeps an event loop in
    this thread, and the ORM calls made here are synchronous. Writes commit (the live
    server must see them)."""
    from django.db import connections

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with django_db_blocker.unblock():
            yield
            # opened in Playwright's context, so pytest-django would not close it and the
            # test database could not be dropped at the end
            connections.close_all()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


def mails(live) -> list[str]:
    """The e-mails the live server sent (file backend), oldest first."""
    folder = live.run_dir / "mail"
    if not folder.exists():
        return []
    return [p.read_text() for p in sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)]


def wait_for_map(page, timeout: float = 20_000) -> None:
    page.wait_for_selector("body[data-map-ready]", state="attached", timeout=timeout)


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def clean_artifacts() -> None:  # pragma: no cover - manual helper
    shutil.rmtree(ARTIFACTS, ignore_errors=True)


@pytest.fixture
def permit_kinds(django_db_blocker) -> None:
    """The seeded kinds and registers, committed: transactional permits tests that ran
    earlier in this worker flushed the permits tables (seed data included)."""
    from django.apps import apps

    from permits.seed import seed
    from registratura.seed import seed as seed_register_book

    with orm(django_db_blocker):
        seed(apps)
        seed_register_book(apps)
