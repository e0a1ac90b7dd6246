"""TEMP staging tables and COPY: how an import gets its rows into PostgreSQL.

Staging tables are TEMP and live inside the import's transaction (ON COMMIT DROP, and
dropped explicitly at the end so two imports can run in one outer transaction, as
tests do): a killed process leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from psycopg import sql

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


def analyze(cursor, *tables: str) -> None:
    """Statistics for the planner: staging tables are large and fresh."""
    for table in tables:
        cursor.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
