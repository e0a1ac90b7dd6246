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
