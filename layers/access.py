"""Who is an officer: the groups that see restricted layers and personal data."""

from __future__ import annotations

URBANISM = "urbanism"
ROADS = "drumuri"
OFFICER_GROUPS = (URBANISM, ROADS)


def is_officer(user) -> bool:
    """Officers are staff members of an officers' group (or superusers)."""
    if not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or user.groups.filter(name__in=OFFICER_GROUPS).exists()


def storable_credentials(username: str, password: str) -> bool:
    """PostgreSQL text cannot hold NUL: such credentials are refused before the login
    throttle (django-axes) tries to look them up or record them (a 500 otherwise)."""
    return "\x00" not in username and "\x00" not in password
