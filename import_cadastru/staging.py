"""TEMP staging tables and COPY: how an import gets its rows into PostgreSQL.

Staging tables are TEMP and live inside the import's transaction (ON COMMIT DROP, and
dropped explicitly at the end so two imports can run in one outer transaction, as
tests do): a killed process leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg import sql
from psycopg.copy import QueuedLibpqWriter

CHUNK_BYTES = 8 * 1024 * 1024


def create_temp(cursor, name: str, columns: Sequence[tuple[str, str]]) -> None:
    """(Re)create a TEMP table; column types are literals from this package's code."""
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))
    cols = sql.SQL(", ").join(
        sql.SQL("{} {}").format(sql.Identifier(col), sql.SQL(kind)) for col, kind in columns
    )
    cursor.execute(
        sql.SQL("CREATE TEMP TABLE {} ({}) ON COMMIT DROP").format(sql.Identifier(name), cols)
    )


def drop_temp(cursor, *names: str) -> None:
    for name in names:
        cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(name)))


def copy_lines(cursor, table: str, columns: Sequence[str], lines: Iterable[str]) -> int:
    """COPY text-format lines (each ending in a newline) into a staging table."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    count = 0
    buf: list[str] = []
    size = 0
    with cursor.copy(statement) as copy:
        for line in lines:
            buf.append(line)
            size += len(line)
            count += 1
            if size >= CHUNK_BYTES:
                copy.write("".join(buf))
                buf, size = [], 0
        if buf:
            copy.write("".join(buf))
    return count


@contextmanager
def copy_stream(cursor, table: str, columns: Sequence[str]) -> Iterator[Callable[[bytes], None]]:
    """A COPY (text format) into a staging table that takes whole chunks of lines; a
    writer thread sends them, so the caller prepares the next chunk meanwhile."""
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    raw = getattr(cursor, "cursor", cursor)  # Django's wrapper around psycopg's cursor
    with raw.copy(statement, writer=QueuedLibpqWriter(raw)) as copy:

        def write(chunk: bytes) -> None:
            if chunk:
                copy.write(chunk)

        yield write


def fetch_bytea(cursor, query: str) -> bytes | None:
    """The one bytea value a query returns, transferred in binary (Django's client-side
    cursors take results as text: hex, twice the size, then decoded)."""
    connection = getattr(cursor, "cursor", cursor).connection  # the psycopg connection
    with psycopg.Cursor(connection) as raw:
        raw.execute(query, binary=True)
        row = raw.fetchone()
    return row[0] if row else None


def analyze(cursor, *tables: str) -> None:
    """Statistics for the planner: staging tables are large and fresh."""
    for table in tables:
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))


_CONSTRAINTS = """
SELECT c.conname, pg_get_constraintdef(c.oid), c.contype
FROM pg_constraint c
WHERE c.conrelid = %(t)s::regclass AND c.contype IN ('c', 'f', 'u')
  -- a unique constraint that a foreign key of another table relies on stays
  AND NOT (c.contype = 'u' AND EXISTS (
        SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid))
ORDER BY c.contype DESC, c.conname
"""
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = %(t)s::regclass AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""


@contextmanager
def without_secondary(cursor, table: str) -> Iterator[None]:
    """Load a table the way pg_restore does: drop its secondary indexes, unique, check
    and foreign-key constraints, let the caller insert, then rebuild each once.

    Building an index by sorting, and checking a foreign key with one join, costs a
    fraction of maintaining them row by row. DDL is transactional: a failed import
    restores them with its rollback. The definitions come from the catalogue, so they
    come back exactly as they were; re-adding a constraint checks every row, so nothing
    that violates one can be committed. The ACCESS EXCLUSIVE lock this takes hides the
    table from readers until the commit: only for (nearly) empty tables.
    """
    cursor.execute(_CONSTRAINTS, {"t": table})
    constraints = cursor.fetchall()
    cursor.execute(_INDEXES, {"t": table})
    indexes = cursor.fetchall()
    ident = sql.Identifier(table)
    if any(kind == "f" for _n, _d, kind in constraints):
        # a constraint with pending deferred checks cannot be dropped: run them now
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for name, _definition, _kind in constraints:
        cursor.execute(
            sql.SQL("ALTER TABLE {} DROP CONSTRAINT {}").format(ident, sql.Identifier(name))
        )
    for name, _definition in indexes:
        cursor.execute(sql.SQL("DROP INDEX {}").format(sql.Identifier(name)))
    yield
    # unique constraints first (their index), then plain indexes, checks, foreign keys
    for name, definition, kind in sorted(constraints, key=lambda c: "ucf".index(c[2])):
        if kind == "u":
            cursor.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                    ident, sql.Identifier(name), sql.SQL(definition)
                )
            )
    for _name, definition in indexes:
        cursor.execute(definition)
    for name, definition, kind in sorted(constraints, key=lambda c: "ucf".index(c[2])):
        if kind != "u":
            cursor.execute(
                sql.SQL("ALTER TABLE {} ADD CONSTRAINT {} {}").format(
                    ident, sql.Identifier(name), sql.SQL(definition)
                )
            )
