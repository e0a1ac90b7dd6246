"""Keep the derived road-zone bands current when a road, a rule or an intravilan changes.

Only single edits (admin, API) go through here; bulk imports call
`layers.services.rebuild_road_zones` once at the end instead.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Max
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from layers.models import CountyRoad, Intravilan, Layer, Parcel, RoadZoneRule, StyleClass
from layers.services import rebuild_road_zones, roads_near

# Sent by whoever changes the cadastre in bulk (imports), after the commit, with
# `parcel_ids`: the parcels created or changed, and `parcel_keys`: (UAT SIRUTA, cadastral
# number) pairs of parcels created, changed or deleted (a deleted parcel has no id left to
# send). Higher apps (permits) listen to flag stale analyses.
logger = logging.getLogger(__name__)

cadastre_changed = Signal()


def announce_cadastre_change(sender, *, context: str = "", **changes) -> None:
    """Send `cadastre_changed` once the change is committed (imports, single edits): a
    listener that fails is logged, never allowed to undo the change."""

    def send() -> None:
        for receiver_, result in cadastre_changed.send_robust(sender=sender, **changes):
            if isinstance(result, Exception):
                logger.error(
                    "cadastre_changed receiver %r failed%s", receiver_, context, exc_info=result
                )

    transaction.on_commit(send)


@receiver(post_save, sender=Parcel)
def parcel_saved(sender, instance: Parcel, raw: bool = False, **kwargs) -> None:
    """A parcel edited one at a time (admin): its open applications need a new analysis."""
    if not raw:
        announce_cadastre_change(Parcel, parcel_ids=[instance.pk])


@receiver(post_delete, sender=Parcel)
def parcel_deleted(sender, instance: Parcel, **kwargs) -> None:
    """A deleted parcel has no id left to match: name it by UAT SIRUTA + cadastral number."""
    key = (instance.uat.siruta, instance.cadastral_number)
    announce_cadastre_change(Parcel, parcel_keys=[key])


@receiver(post_save, sender=CountyRoad)
def road_saved(sender, instance: CountyRoad, raw: bool = False, **kwargs) -> None:
    if not raw:
        rebuild_road_zones(road_ids=[instance.pk])


@receiver([post_save, post_delete], sender=RoadZoneRule)
def rule_changed(sender, instance: RoadZoneRule, raw: bool = False, **kwargs) -> None:
    if not raw:
        ids = CountyRoad.objects.filter(category=instance.category).values_list("pk", flat=True)
        rebuild_road_zones(road_ids=list(ids))


@receiver([post_save, post_delete], sender=Intravilan)
def intravilan_changed(sender, instance: Intravilan, raw: bool = False, **kwargs) -> None:
    if raw or instance.geom is None:
        return
    # Every road whose zone this intravilan may clip lies within the widest protection zone.
    reach = RoadZoneRule.objects.aggregate(d=Max("protection_distance"))["d"] or 0
    rebuild_road_zones(road_ids=roads_near(instance.geom.hexewkb.decode(), float(reach)))


@receiver([post_save, post_delete], sender=Layer)
@receiver([post_save, post_delete], sender=StyleClass)
def registry_changed(sender, raw: bool = False, **kwargs) -> None:
    """Regenerate the mapfiles once the registry change is committed."""
    if not raw:
        from layers.publishing.services import republish_all

        transaction.on_commit(republish_all)


@receiver(m2m_changed, sender=Layer.allowed_groups.through)
def layer_access_changed(sender, action: str, **kwargs) -> None:
    if action.startswith("post_"):
        from layers.publishing.services import republish_all

        transaction.on_commit(republish_all)
