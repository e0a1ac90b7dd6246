"""Fixtures for the register tests: seeded kinds and registers (transactional tests flush
them), a private MEDIA_ROOT, officers, a front-desk clerk and a citizen."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib.auth.models import Group

from permits import seed as permits_seed
from registratura import seed
from registratura.access import FRONT_DESK_GROUP
from registratura.services import documents as services

PASSWORD = "parola-lunga-123"


@pytest.fixture(autouse=True)
def seeded(django_db_setup, django_db_blocker):
    """Registers (permits' seed) and document kinds; transactional tests truncate them."""
    with django_db_blocker.unblock():
        permits_seed.seed(django_apps)
        seed.seed(django_apps)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def clerk(django_user_model):
    """A front-desk clerk: in the registratura group, not a GIS officer."""
    user = django_user_model.objects.create_user(
        "ghiseu", password=PASSWORD, email="ghiseu@example.org"
    )
    user.groups.add(Group.objects.get_or_create(name=FRONT_DESK_GROUP)[0])
    return user


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user("cetatean", password=PASSWORD)


@pytest.fixture
def incoming(clerk):
    """Register a front-desk document; keyword arguments override the defaults."""

    def make(**fields):
        values = {
            "kind": "petitie",
            "channel": "ghiseu",
            "correspondent": services.Correspondent(
                name="Ștefan Țîrlea", address="Str. Florilor 3, Mureșeni", contact="0740111222"
            ),
            "subject": "Groapă pe DJ 107A la km 12+300",
            "user": clerk,
        }
        values.update(fields)
        return services.register_incoming(**values)

    return make
