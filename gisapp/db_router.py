"""Read replica routing: spatial reads (map, analysis, OGC-facing queries) may go to a
PostgreSQL streaming replica; everything else, and every read inside a transaction that
may have written, goes to the primary."""

from __future__ import annotations

from django.conf import settings
from django.db import connections

REPLICA = "replica"
REPLICA_APPS = {"layers"}


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if not replica_configured() or model._meta.app_label not in REPLICA_APPS:
            return None
        if connections["default"].in_atomic_block:
            return "default"  # read your own writes
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        return "default"

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == "default"
