"""{% if user|officer %}: the officers' navigation only for officers (layers.access);
{% if user|registry_officer %}: the register book for officers and front-desk clerks."""

from __future__ import annotations

from django import template

from layers.access import is_officer
from registratura.access import is_registry_officer

register = template.Library()


@register.filter
def officer(user) -> bool:
    return is_officer(user)


@register.filter
def registry_officer(user) -> bool:
    return is_registry_officer(user)
