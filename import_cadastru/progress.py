"""Progress callbacks that write to the run record, for imports running as a job.

The import's own transaction holds its data until the end, so progress goes through a
second, autocommit connection. It updates the run row with SKIP LOCKED: once the import
transaction itself writes the row (at the very end), progress updates are skipped
instead of waiting on it.
"""

from __future__ import annotations

import contextlib
import time

import psycopg
from django.db import connection
from psycopg import sql

from import_cadastru.models import ImportRun

_UPDATE = sql.SQL(
    "UPDATE {table} SET progress_stage = %s, progress_done = %s, progress_total = %s "
    "WHERE id IN (SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)"
).format(table=sql.Identifier(ImportRun._meta.db_table))


class DatabaseProgress:
    """Callable progress(stage, done, total) that updates an ImportRun at most every
    `interval` seconds (and at every change of stage)."""

    def __init__(self, run_id: int, interval: float = 0.5) -> None:
        self.run_id = run_id
        self.interval = interval
        self._last = 0.0
        self._stage = None
        self._conn: psycopg.Connection | None = None

    def _connection(self) -> psycopg.Connection:
        if self._conn is None:
            params = connection.settings_dict
            kwargs = {
                "dbname": params["NAME"],
                "user": params.get("USER") or None,
                "password": params.get("PASSWORD") or None,
                "host": params.get("HOST") or None,
                "port": params.get("PORT") or None,
            }
            self._conn = psycopg.connect(
                autocommit=True, **{k: v for k, v in kwargs.items() if v is not None}
            )
            self._conn.execute("SET lock_timeout = '1s'")
        return self._conn

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if stage == self._stage and now - self._last < self.interval and done < total:
            return
        self._stage, self._last = stage, now
        # progress is best effort: the import itself must never fail for it
        with contextlib.suppress(psycopg.Error):
            self._connection().execute(_UPDATE, (stage[:60], done, total, self.run_id))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
