"""Vector features to COPY lines, in-process or in worker processes (no Django here)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyogrio.raw

from import_cadastru.mapping import TARGET_COLUMNS, convert_array, copy_text


@dataclass(frozen=True)
class Slice:
    """Features [start, start + count) of one layer, and how to turn them into rows."""

    gdal_path: str
    layer: str
    encoding: str | None
    target: str
    sources: dict[str, tuple[str, Any]]  # column -> ('field', name) | ('value', constant)
    staged_cols: tuple[str, ...]
    name: str  # shown in the report
    seq0: int  # seq of feature 0 of the layer
    start: int
    count: int
    skip_known: bool = False  # leave out geometries whose md5 is in the known set


# WKB (little-endian) headers: the database stores a Polygon as a one-part MultiPolygon
_POLYGON = b"\x01\x03\x00\x00\x00"
_MULTIPOLYGON = b"\x01\x06\x00\x00\x00"
_AS_MULTI = _MULTIPOLYGON + b"\x01\x00\x00\x00"

# md5 prefixes (first 8 bytes, as signed big-endian int64, sorted) of the stored
# geometries, set once per process: see init_known
_known: np.ndarray | None = None


def init_known(known: np.ndarray | None) -> None:
    """Pool initializer (and in-process set-up): the fingerprints of stored geometries."""
    global _known  # per-process state of a worker pool
    _known = known


def known_geometries(geometry) -> tuple[np.ndarray, list[str | None]]:
    """Which WKB geometries are, byte for byte, already stored (by the md5 of their
    storage form, as layers_parcel.geom_md5 computes it), and those md5s.

    Only a 64-bit prefix is looked up here; the writer compares the full md5 with the
    stored parcel of the same key and fetches the geometry again when they differ.
    """
    n = len(geometry)
    if _known is None or not len(_known):
        return np.zeros(n, dtype=bool), [None] * n
    # the storage form: a Polygon becomes a one-part MultiPolygon; other types (and
    # big-endian WKB) cannot be byte-equal to a stored geometry
    storage = [
        (_AS_MULTI + g if g[:5] == _POLYGON else g if g[:5] == _MULTIPOLYGON else b"")
        if g is not None
        else b""
        for g in geometry
    ]
    md5 = hashlib.md5
    digests = [md5(g).digest() for g in storage]
    prefixes = np.frombuffer(b"".join([d[:8] for d in digests]), dtype=">i8").astype(np.int64)
    where = np.minimum(np.searchsorted(_known, prefixes), len(_known) - 1)
    hit = (_known[where] == prefixes) & np.array([bool(g) for g in storage], dtype=bool)
    return hit, [d.hex() if h else None for d, h in zip(digests, hit.tolist(), strict=True)]


def read_slice(part: Slice) -> tuple[list[str], list[dict], int]:
    """(COPY lines, issues, rejected count) of a slice; runs in a worker process."""
    fields = sorted({ref for kind, ref in part.sources.values() if kind == "field"})
    meta, _fids, geometry, values = pyogrio.raw.read(
        part.gdal_path,
        layer=part.layer,
        encoding=part.encoding,
        columns=fields,
        force_2d=True,
        skip_features=part.start,
        max_features=part.count,
    )
    data = dict(zip([str(f) for f in meta["fields"]], values, strict=True))
    return batch_lines(part, geometry, data, part.seq0 + part.start)


def note_attribute_errors(
    errors: dict[int, str], column, part: Slice, seq0: int, bad: dict, issues: list
) -> None:
    """A column's conversion errors: a required column rejects the row (`bad`, first
    message per row), any other becomes an attribute issue of the report."""
    for i, message in errors.items():
        if column.required:
            bad.setdefault(i, f"{column.label or column.name}: {message}")
        else:
            issues.append(
                {
                    "kind": "attribute",
                    "source": f"{part.name}#{seq0 + i}",
                    "key": "",
                    "detail": f"{column.name}: {message}",
                }
            )


def batch_lines(
    part: Slice, geometry, fields: dict, seq0: int
) -> tuple[list[str], list[dict], int]:
    """COPY lines built column by column; a feature with a bad required value is
    rejected here, with the reason."""
    columns = {c.name: c for c in TARGET_COLUMNS[part.target]}
    n = len(geometry)
    seqs = list(map(str, range(seq0, seq0 + n)))
    prefix = copy_text(f"{part.name}#")
    cols: list[list[str]] = []
    bad: dict[int, str] = {}
    issues: list[dict] = []
    key: list[str] | None = None
    hits, digests = known_geometries(geometry) if part.skip_known else (np.zeros(n, dtype=bool), [])
    for col in part.staged_cols:
        if col == "seq":
            cols.append(seqs)
        elif col == "src":
            cols.append([prefix + s for s in seqs])
        elif col == "geom":
            cols.append(
                [
                    "\\N" if g is None or hit else g.hex()
                    for g, hit in zip(geometry, hits.tolist(), strict=True)
                ]
            )
        elif col == "geom_md5":
            cols.append([d or "\\N" for d in digests] if digests else ["\\N"] * n)
        else:
            column = columns.get(col)
            source = part.sources.get(col)
            if column is None or source is None:
                cols.append(["\\N"] * n)
            elif source[0] == "value":
                cols.append([copy_text(source[1])] * n)
            else:
                converted, errors = convert_array(column, fields[source[1]])
                cols.append(converted)
                note_attribute_errors(errors, column, part, seq0, bad, issues)
            if col == "cadastral_number":
                key = cols[-1]
    rows = zip(*cols, strict=True)
    if not bad:
        return ["\t".join(row) + "\n" for row in rows], issues, 0
    lines = []
    for i, row in enumerate(rows):
        if i in bad:
            shown = key[i] if key and key[i] != "\\N" else ""
            issues.append(
                {
                    "kind": "rejected",
                    "source": f"{part.name}#{seq0 + i}",
                    "key": shown,
                    "detail": bad[i],
                }
            )
        else:
            lines.append("\t".join(row) + "\n")
    return lines, issues, len(bad)
