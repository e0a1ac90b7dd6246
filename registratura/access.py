"""Who may use the register of documents: officers (layers.access) and the front-desk
group. Everyone else is refused, since every entry carries personal data."""

from __future__ import annotations

from layers.access import is_officer

FRONT_DESK_GROUP = "registratura"


def is_registry_officer(user) -> bool:
    """Officers and front-desk clerks; never anonymous users or citizens."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return is_officer(user) or user.groups.filter(name=FRONT_DESK_GROUP).exists()
