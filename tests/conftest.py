"""Shared fixtures: the test database gets the demo county once per session (per worker)."""

from __future__ import annotations

import pytest

DEMO_PARCELS = 5_000


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the demo county into the test database; tests roll back on top of it. At the
    end, MapServer's pooled connections to it are closed."""
    from django.core.management import call_command

    with django_db_blocker.unblock():
        from layers import demo

        if not demo.county_exists():
            demo.generate_county(parcels=DEMO_PARCELS)
        call_command("ensure_demo_users", verbosity=0)
        # MapServer (WMS tests, map extracts) reads the test database through its role.
        from layers.publishing.services import ensure_ows_role

        ensure_ows_role()
    yield
    # Extracts drawn in this process keep MapServer's PostGIS connections pooled; the test
    # database is dropped next.
    from layers.publishing.extracts import close_pooled_connections

    close_pooled_connections()


@pytest.fixture
def officer(django_user_model):
    return django_user_model.objects.get(username="demo.officer")


@pytest.fixture(autouse=True)
def _default_language():
    """LocaleMiddleware leaves the last request's language active in the thread: a test
    that asked in English must not make the next test on the same worker run in English."""
    from django.conf import settings
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)
