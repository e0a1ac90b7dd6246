"""The connection for read-only spatial queries written in SQL (the replica when one is
configured and no write transaction is open; see gisapp.db_router)."""

from __future__ import annotations

from django.db import connections, router

from layers.models import Parcel


def read_connection():
    return connections[router.db_for_read(Parcel) or "default"]
