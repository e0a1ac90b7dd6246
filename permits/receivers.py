"""Listeners to signals of lower apps (layers): the cadastre changed under open requests."""

from __future__ import annotations

from django.dispatch import receiver

from layers.signals import cadastre_changed


@receiver(cadastre_changed, dispatch_uid="permits.cadastre_changed")
def on_cadastre_changed(sender, parcel_ids=(), parcel_keys=(), **kwargs) -> None:
    """Flag the open applications on those parcels (by id, or by UAT + cadastral number
    for parcels the import deleted) and queue a fresh dossier (cheap here: a few queries
    and updates; the heavy work runs in the worker)."""
    from permits.services.assembly import flag_cadastre_change

    flag_cadastre_change(parcel_ids=list(parcel_ids or ()), parcel_keys=list(parcel_keys or ()))
