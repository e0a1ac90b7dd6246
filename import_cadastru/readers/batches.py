"""Vector features to COPY lines, in-process or in worker processes (no Django here)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    for col in part.staged_cols:
        if col == "seq":
            cols.append(seqs)
        elif col == "src":
            cols.append([prefix + s for s in seqs])
        elif col == "geom":
            cols.append(["\\N" if g is None else g.hex() for g in geometry])
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
