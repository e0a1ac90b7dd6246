"""{% if user|officer %}: the officers' navigation only for officers (layers.access)."""

from __future__ import annotations

from django import template

from layers.access import is_officer

register = template.Library()


@register.filter
def officer(user) -> bool:
    return is_officer(user)
