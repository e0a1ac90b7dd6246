"""The connection for read-only spatial queries written in SQL (the replica when one is
configured and no write transaction is open; see gisapp.db_router)."""

from __future__ import annotations

import hashlib
import re
import weakref
from typing import Any

from django.db import connections, router

from layers.models import Parcel


def read_connection():
    return connections[router.db_for_read(Parcel) or "default"]


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# psycopg connections (sessions) that hold a statement, by statement name.
_prepared: dict[str, weakref.WeakSet] = {}


def fetchone_prepared(name: str, sql: str, params: dict[str, Any]) -> tuple | None:
    """One row of `sql` (named %(x)s parameters, each cast to its type in the SQL),
    PREPAREd once per database session and EXECUTEd after that: for the analysis, planning
    its statements cost more than running them. Prepared statements outlive rollbacks;
    a new session (reconnect) prepares again."""
    order = list(dict.fromkeys(_PLACEHOLDER.findall(sql)))
    positional = _PLACEHOLDER.sub(lambda m: f"${order.index(m.group(1)) + 1}", sql)
    statement = f"{name}_{hashlib.sha256(sql.encode()).hexdigest()[:10]}"
    connection = read_connection()
    with connection.cursor() as cursor:
        sessions = _prepared.setdefault(statement, weakref.WeakSet())
        if connection.connection not in sessions:
            cursor.execute(f"PREPARE {statement} AS {positional}")
            sessions.add(connection.connection)
        placeholders = ", ".join(["%s"] * len(order))
        cursor.execute(f"EXECUTE {statement}({placeholders})", [params[k] for k in order])
        return cursor.fetchone()
