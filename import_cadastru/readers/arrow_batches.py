"""Vector layers read through GDAL's columnar (Arrow) interface and turned into COPY text
column by column with pyarrow.compute kernels (no Django here).

Reading a GeoPackage as Arrow record batches is several times faster than feature by
feature, and a batch's COPY text is assembled in C++ (one join per row, NULLs as \\N),
so a million parcels cost seconds instead of a Python loop per value. Each column of a
batch takes the vectorised path only when every value is an ordinary one, and then gives
exactly what `mapping.convert_array` gives; a column holding anything else (a value too
long, not a number, out of range, nulls where the fast path does not expect them) goes
value by value through the same converter, so the same features are rejected or
reported with the same messages.

The stream is read sequentially (GDAL's Arrow reader skips features by reading them),
so this path reads a layer in one process; inputs it does not suit (3D or unknown
geometry types, no pyarrow) are read by `batches.read_slice` as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from import_cadastru.mapping import CEDILLA, TARGET_COLUMNS, Column, convert_array, copy_text
from import_cadastru.readers.batches import Slice, known_geometries, note_attribute_errors

try:  # pragma: no cover - the dependency is declared; without it the raw path reads
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyogrio.raw
except ImportError:  # pragma: no cover
    pa = pc = None

# what str.strip() strips: every character str.isspace() accepts (none above U+3000)
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())
_CEDILLA_PAIRS = [(chr(k), v) for k, v in CEDILLA.items()]
# two ASCII hex digits per byte value, as one little-endian uint16
_HEX = np.array([int.from_bytes(f"{i:02x}".encode(), "little") for i in range(256)], "<u2")
_NULL = "\\N"


def available() -> bool:
    return pa is not None


def suits(geometry_type: str | None) -> bool:
    """Whether a layer can be read this way: Arrow gives geometries as stored, so only
    2D types are taken (the raw reader forces 2D); unknown or mixed types are not."""
    if pa is None or not geometry_type:
        return False
    kind = geometry_type.strip()
    return not kind.endswith(("Z", "M")) and kind.lower() not in ("unknown", "none")


def stream(
    part: Slice, batch_size: int, keys: list | None = None
) -> Iterator[tuple[int, bytes, list[dict[str, Any]], int]]:
    """(features read, COPY text, issues, rejected) per record batch of the whole layer
    (`part` describes the layer; its start and count are ignored). With `keys`, each
    batch appends the parcel keys it staged (see batch_text)."""
    fields = sorted({ref for kind, ref in part.sources.values() if kind == "field"})
    with pyogrio.raw.open_arrow(
        part.gdal_path,
        layer=part.layer,
        encoding=part.encoding,
        columns=fields,
        batch_size=batch_size,
        use_pyarrow=True,
    ) as (meta, reader):
        geometry_name = meta.get("geometry_name") or "wkb_geometry"
        seq = part.seq0
        for batch in reader:
            n = batch.num_rows
            if not n:
                continue
            names = batch.schema.names
            geometry = batch.column(names.index(geometry_name))
            data = {name: batch.column(i) for i, name in enumerate(names) if name in fields}
            payload, issues, rejected = batch_text(part, geometry, data, seq, keys)
            yield n, payload, issues, rejected
            seq += n
    # the batches' memory goes back to the system for the writing that follows
    pa.default_memory_pool().release_unused()


def unique_keys(keys: list) -> bool:
    """Whether the keys collected by batch_text are all different (NULLs aside)."""
    if not keys:
        return True
    every = pa.chunked_array([k.cast(pa.large_string()) for k in keys], type=pa.large_string())
    present = len(every) - every.null_count
    return pc.count_distinct(every, mode="only_valid").as_py() == present


def _plain(array):
    """The storage array of an extension type (GDAL tags WKB as geoarrow.wkb)."""
    return array.storage if isinstance(array.type, pa.ExtensionType) else array


def hex_strings(geometry) -> Any:
    """WKB as hex text (what the geometry input function reads), for a whole batch at
    once: every byte through a 256-entry table, offsets doubled."""
    geometry = _plain(geometry)
    if not pa.types.is_large_binary(geometry.type):
        geometry = geometry.cast(pa.large_binary())
    _validity, offsets_buf, data_buf = geometry.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)[
        geometry.offset : geometry.offset + len(geometry) + 1
    ]
    data = np.frombuffer(data_buf, dtype=np.uint8)[offsets[0] : offsets[-1]] if data_buf else []
    text = _HEX[data].tobytes() if len(data) else b""
    hexed = pa.LargeStringArray.from_buffers(
        len(geometry), pa.py_buffer(((offsets - offsets[0]) * 2).tobytes()), pa.py_buffer(text)
    )
    if geometry.null_count:
        hexed = pc.if_else(geometry.is_valid(), hexed, pa.scalar(None, pa.large_string()))
    return hexed


def fixed_point_text(numbers: np.ndarray, present: np.ndarray, places: int) -> Any:
    """`"%.{places}f" % value` for every present value (NULL for the others), computed for
    the whole array: the value times 10**places rounded half to even, which is what
    the format gives (the exact binary value, correctly rounded) wherever the product's
    own rounding cannot have crossed a half; values that close to a half (exact ties
    included) are formatted one by one."""
    fmt = f"%.{places}f"
    if places < 1:
        pairs = zip(numbers.tolist(), present.tolist(), strict=True)
        return pa.array([fmt % v if ok else None for v, ok in pairs], pa.string())
    values = np.where(present, numbers, 0.0)
    scaled = values * 10.0**places
    whole = np.rint(scaled)
    # the product is within 2**-53 of its own size from the exact one: twice that margin
    near_half = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) <= np.abs(scaled) * 2.3e-16
    units = np.abs(whole).astype(np.int64)
    scale = 10**places
    integral = pc.cast(pa.array(units // scale), pa.string())
    fraction = pc.utf8_lpad(pc.cast(pa.array(units % scale), pa.string()), places, "0")
    sign = pc.if_else(pa.array(np.signbit(values)), "-", "")
    text = pc.binary_join_element_wise(
        pc.binary_join_element_wise(sign, integral, ""), fraction, "."
    )
    text = pc.if_else(pa.array(present), text, pa.scalar(None, pa.string()))
    odd = np.flatnonzero(near_half & present)
    if len(odd):
        exact = pa.array([fmt % v for v in numbers[odd].tolist()], pa.string())
        mask = np.zeros(len(numbers), dtype=bool)
        mask[odd] = True
        text = pc.replace_with_mask(text, pa.array(mask), exact)
    return text


def _fast(column: Column, values) -> Any | None:
    """The column as text, vectorised, or None when some value needs the converter."""
    kind = column.sql_type
    convert = column.convert
    vtype = values.type
    nulls = values.null_count
    if kind == "boolean" and (pa.types.is_integer(vtype) or pa.types.is_boolean(vtype)):
        if nulls:
            return None
        truth = values if pa.types.is_boolean(vtype) else pc.not_equal(values, 0)
        return pc.if_else(truth, "t", "f")
    bounds = getattr(convert, "bounds", None)
    if bounds and pa.types.is_integer(vtype):
        if nulls:
            return None
        if len(values):
            low, high = pc.min_max(values).values()
            if low.as_py() < bounds[0] or high.as_py() > bounds[1]:
                return None
        return pc.cast(values, pa.string())
    if pa.types.is_floating(vtype) and kind.startswith("numeric"):
        places = int(kind.split(",")[1].rstrip(")"))
        digits = int(kind.split("(")[1].split(",")[0])
        limit = 10.0 ** (digits - places)
        numbers = values.to_numpy(zero_copy_only=False).astype(np.float64)
        finite = ~np.isnan(numbers)
        if (np.abs(numbers[finite]) >= limit).any():
            return None
        return fixed_point_text(numbers, finite, places)
    max_length = getattr(convert, "max_length", None)
    if max_length is not None and (pa.types.is_string(vtype) or pa.types.is_large_string(vtype)):
        text = pc.utf8_trim(values, characters=WHITESPACE)
        if len(text) and (pc.max(pc.utf8_length(text)).as_py() or 0) > max_length:
            return None
        # which characters occur is asked of the column's bytes at once (a search in
        # them costs a fraction of a kernel pass over the strings); a character found
        # outside the column's own strings only costs a replacement that changes nothing
        data = _string_bytes(text)
        if not pc.all(pc.string_is_ascii(text)).as_py():
            for old, new in _CEDILLA_PAIRS:
                if old.encode() in data:
                    text = pc.replace_substring(text, old, new)
        for old, new in (("\\", "\\\\"), ("\t", "\\t"), ("\n", "\\n"), ("\r", "\\r")):
            if old.encode() in data:
                text = pc.replace_substring(text, old, new)
        empty = pc.or_kleene(pc.equal(text, ""), pc.equal(text, "_empty"))
        return pc.if_else(empty, pa.scalar(None, text.type), text)
    return None


def _string_bytes(strings) -> bytes:
    """The data buffer of a string array: every byte of its strings (and possibly more,
    for a slice of a larger array)."""
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    data = strings.buffers()[2]
    return data.to_pybytes() if data is not None else b""


def _column_text(column: Column, values) -> tuple[Any, dict[int, str]]:
    """(text array, errors by row) of one mapped field of a batch."""
    values = _plain(values)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    fast = _fast(column, values)
    if fast is not None:
        return fast, {}
    # the converter, value by value, on what the raw reader would have given
    out, errors = convert_array(column, values.to_numpy(zero_copy_only=False))
    return pa.array(out, pa.string()), errors


def batch_text(
    part: Slice, geometry, fields: dict, seq0: int, keys: list | None = None
) -> tuple[bytes | memoryview, list[dict], int]:
    """COPY text of a record batch, the issues found and how many features were
    rejected (a bad required value), as batches.batch_lines gives them.

    With `keys` (a list), the staged rows' parcel keys, SIRUTA and cadastral number as
    staged, are appended to it as one text array (NULL where either is missing): the
    caller can tell that a file has no duplicate key without asking the database."""
    columns = {c.name: c for c in TARGET_COLUMNS[part.target]}
    n = len(geometry)
    seq_numbers = pc.cast(pa.array(np.arange(seq0, seq0 + n, dtype=np.int64)), pa.string())
    prefix = copy_text(f"{part.name}#")
    cols: list = []
    bad: dict[int, str] = {}
    issues: list[dict] = []
    key = None
    if part.skip_known:
        hits, digests = known_geometries(_plain(geometry).to_pylist())
    else:
        hits, digests = None, None
    for col in part.staged_cols:
        if col == "seq":
            cols.append(seq_numbers)
        elif col == "src":
            cols.append(pc.binary_join_element_wise(pa.scalar(prefix), seq_numbers, ""))
        elif col == "geom":
            if hits is not None and hits.any():
                # the geometries left out are not even encoded
                plain = _plain(geometry)
                cols.append(
                    hex_strings(pc.if_else(pa.array(hits), pa.scalar(None, plain.type), plain))
                )
            else:
                cols.append(hex_strings(geometry))
        elif col == "geom_md5":
            cols.append(pa.array(digests, pa.string()) if digests else pa.nulls(n, pa.string()))
        else:
            column = columns.get(col)
            source = part.sources.get(col)
            if column is None or source is None:
                cols.append(pa.nulls(n, pa.string()))
            elif source[0] == "value":
                constant = copy_text(source[1])
                cols.append(
                    pa.nulls(n, pa.string()) if constant == _NULL else pa.array([constant] * n)
                )
            else:
                text, errors = _column_text(column, fields[source[1]])
                cols.append(text)
                note_attribute_errors(errors, column, part, seq0, bad, issues)
            if col == "cadastral_number":
                key = cols[-1]
    if bad:
        for i in sorted(bad):
            shown = key[i].as_py() if key is not None else None
            issues.append(
                {
                    "kind": "rejected",
                    "source": f"{part.name}#{seq0 + i}",
                    "key": "" if shown in (None, _NULL) else shown,
                    "detail": bad[i],
                }
            )
        keep = np.ones(n, dtype=bool)
        keep[list(bad)] = False
        mask = pa.array(keep)
        cols = [c.filter(mask) for c in cols]
    if keys is not None and {"uat_siruta", "cadastral_number"} <= set(part.staged_cols):
        keys.append(
            pc.binary_join_element_wise(
                cols[part.staged_cols.index("uat_siruta")].cast(pa.large_string()),
                cols[part.staged_cols.index("cadastral_number")].cast(pa.large_string()),
                pa.scalar("\x1f", pa.large_string()),
            )
        )
    if not cols or not len(cols[0]):
        return b"", issues, len(bad)
    text = pa.large_string()
    cols = [c if c.type == text else c.cast(text) for c in cols]
    lines = pc.binary_join_element_wise(
        *cols, pa.scalar("\t", text), null_handling="replace", null_replacement=_NULL
    )
    # each line ends with a newline
    lines = pc.binary_join_element_wise(lines, pa.scalar("", text), pa.scalar("\n", text))
    return _concatenated(lines), issues, len(bad)


def _concatenated(strings) -> memoryview:
    """The bytes of all strings of an array, back to back (its data buffer, not
    copied)."""
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    if not pa.types.is_large_string(strings.type):
        strings = strings.cast(pa.large_string())
    _validity, offsets_buf, data_buf = strings.buffers()
    offsets = np.frombuffer(offsets_buf, dtype=np.int64)
    start, end = offsets[strings.offset], offsets[strings.offset + len(strings)]
    return memoryview(data_buf)[start:end] if data_buf else memoryview(b"")
