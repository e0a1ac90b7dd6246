"""Field mapping for vector imports: which source field (or constant) feeds which column.

Each target lists its columns with the field names commonly found in Romanian GIS
files, so most files import without options; `--field col=FIELD`, `--set col=VALUE` or a
small TOML mapping file override them. Values are converted here, in Python, so a bad
value is reported per feature instead of aborting a SQL statement.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from import_cadastru.readers.cgxml import CEDILLA
from import_cadastru.readers.errors import InputRefused

Converter = Callable[[Any], Any]


class BadValue(ValueError):
    pass


def _fold(name: str) -> str:
    """Field names compared without case, diacritics, spaces or punctuation."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", ascii_name.lower())


def _text(max_length: int) -> Converter:
    def convert(value: Any) -> str | None:
        if value is None:
            return None
        if isinstance(value, float):
            if value != value:  # NaN
                return None
            value = int(value) if value.is_integer() else value
        text = str(value).strip().translate(CEDILLA)
        if not text or text == "_empty":
            return None
        if len(text) > max_length:
            raise BadValue(f"text mai lung de {max_length} caractere")
        return text

    convert.max_length = max_length  # type: ignore[attr-defined] - read by convert_array
    return convert


def _decimal(places: int, max_digits: int) -> Converter:
    limit = Decimal(10) ** (max_digits - places)

    def convert(value: Any) -> Decimal | None:
        if value is None or (isinstance(value, float) and value != value):
            return None
        text = str(value).strip().replace(",", ".")
        if not text or text == "_empty":
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise BadValue(f"„{text[:20]}” nu este un număr") from None
        if not number.is_finite() or abs(number) >= limit:
            raise BadValue(f"„{text[:20]}” este în afara domeniului")
        return number.quantize(Decimal(1).scaleb(-places))

    return convert


def _integer(low: int, high: int) -> Converter:
    def convert(value: Any) -> int | None:
        if value is None or (isinstance(value, float) and value != value):
            return None
        text = str(value).strip().upper()
        if not text or text == "_EMPTY":
            return None
        text = re.sub(r"^C(?=\d)", "", text)  # building numbers "C1"
        try:
            number = int(float(text)) if re.fullmatch(r"-?\d+(\.0+)?", text) else int(text)
        except ValueError:
            raise BadValue(f"„{text[:20]}” nu este un număr întreg") from None
        if not low <= number <= high:
            raise BadValue(f"{number} este în afara domeniului {low}–{high}")
        return number

    convert.bounds = (low, high)  # type: ignore[attr-defined] - read by convert_array
    return convert


def _boolean(value: Any) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool | int) and not isinstance(value, float):
        return bool(value)
    text = _fold(str(value))
    if not text or text == "empty":
        return None
    if text in {"1", "true", "t", "da", "d", "y", "yes", "intravilan", "i"}:
        return True
    if text in {"0", "false", "f", "nu", "n", "no", "extravilan", "e"}:
        return False
    raise BadValue(f"„{str(value)[:20]}” nu este da/nu")


def _choice(choices: dict[str, str]) -> Converter:
    """Accept a code or a label (without diacritics or case)."""
    folded = {_fold(k): v for k, v in choices.items()}

    def convert(value: Any) -> str | None:
        if value is None or not str(value).strip():
            return None
        key = _fold(str(value))
        if key in folded:
            return folded[key]
        raise BadValue(f"valoare necunoscută „{str(value)[:30]}”")

    return convert


ROAD_NUMBER = re.compile(r"^(DJ|DN|DC|A)?\s*(\d{1,3})\s*([A-Z]?)$")


def _road_number(value: Any) -> str | None:
    text = _text(20)(value)
    if text is None:
        return None
    match = ROAD_NUMBER.match(text.upper().replace(".", " ").strip())
    if not match:
        raise BadValue(f"„{text}” nu este un număr de drum (ex. DJ 107A)")
    prefix, digits, letter = match.groups()
    return f"{prefix or 'DJ'} {int(digits)}{letter}"


@dataclass(frozen=True)
class Column:
    name: str
    sql_type: str
    convert: Converter
    aliases: tuple[str, ...] = ()
    required: bool = False
    label: str = ""


CATEGORY = {
    "autostrada": "autostrada",
    "A": "autostrada",
    "national": "national",
    "DN": "national",
    "judetean": "judetean",
    "DJ": "judetean",
    "comunal": "comunal",
    "DC": "comunal",
}
RESTRICTION_KINDS = {
    "monument": "monument",
    "monument istoric": "monument",
    "LMI": "monument",
    "zona_protectie_monument": "zona_protectie_monument",
    "zona de protectie a monumentului": "zona_protectie_monument",
    "zona protectie monument": "zona_protectie_monument",
    "natura2000": "natura2000",
    "natura 2000": "natura2000",
    "sit natura 2000": "natura2000",
    "SCI": "natura2000",
    "SPA": "natura2000",
    "ROSCI": "natura2000",
    "ROSPA": "natura2000",
    "inundabil": "inundabil",
    "zona inundabila": "inundabil",
    "servitute_utilitati": "servitute_utilitati",
    "servitute": "servitute_utilitati",
    "culoar retele": "servitute_utilitati",
    "aeroport": "aeroport",
    "altele": "altele",
    "alta restrictie": "altele",
}
DESTINATIONS = {
    "CL": "CL",
    "locuinta": "CL",
    "CA": "CA",
    "anexa": "CA",
    "CAS": "CAS",
    "administrativ": "CAS",
    "social-cultural": "CAS",
    "CIE": "CIE",
    "industrial": "CIE",
    "edilitar": "CIE",
}

SIRUTA = Column(
    "uat_siruta",
    "bigint",
    _integer(1, 999_999),
    ("siruta", "sirsup", "cod_siruta", "siruta_uat", "uat_siruta", "cod_uat", "uat"),
    label="cod SIRUTA al UAT-ului",
)
CADASTRAL = Column(
    "cadastral_number",
    "text",
    _text(30),
    (
        "nr_cad",
        "nrcad",
        "cad_nr",
        "nr_cadastral",
        "numar_cadastral",
        "cadastral_number",
        "cadgenno",
        "cad",
        "ie",
        "nr_ie",
        "id_imobil",
    ),
    required=True,
    label="număr cadastral",
)

TARGET_COLUMNS: dict[str, list[Column]] = {
    "parcels": [
        SIRUTA,
        CADASTRAL,
        Column(
            "land_book_number",
            "text",
            _text(30),
            ("nr_cf", "cf", "carte_funciara", "nrcf", "land_book_number", "paperlbno"),
        ),
        Column(
            "eterra_id", "bigint", _integer(0, 2**62), ("eterra_id", "id_eterra", "e2identifier")
        ),
        Column("address", "text", _text(255), ("adresa", "address", "adr", "localizare")),
        Column("intravilan", "boolean", _boolean, ("intravilan", "intra", "in_intravilan")),
        Column(
            "legal_area",
            "numeric(14,2)",
            _decimal(2, 14),
            ("sup_acte", "suprafata_acte", "s_acte", "supr_acte", "legal_area", "parcellegalarea"),
        ),
    ],
    "buildings": [
        SIRUTA,
        CADASTRAL,
        Column(
            "number",
            "integer",
            _integer(1, 32767),
            ("nr_constr", "nr_c", "buildno", "numar", "nr", "number", "constructie"),
            required=True,
            label="număr construcție (C1, C2…)",
        ),
        Column(
            "destination",
            "varchar(3)",
            _choice(DESTINATIONS),
            ("destinatie", "buildingdestination", "dest", "destination", "functiune"),
            required=True,
            label="destinație (CL, CA, CAS, CIE)",
        ),
        Column("levels", "integer", _integer(1, 200), ("niveluri", "levelsno", "nr_niv", "levels")),
        Column(
            "legal_area",
            "numeric(12,2)",
            _decimal(2, 12),
            ("sup_acte", "legalarea", "suprafata_acte", "legal_area"),
        ),
    ],
    "roads": [
        Column(
            "number",
            "text",
            _road_number,
            ("nr_drum", "numar", "number", "drum", "cod", "cod_drum", "indicativ", "ref"),
            required=True,
            label="număr drum (DJ 107A)",
        ),
        Column("name", "text", _text(200), ("denumire", "nume", "name", "traseu")),
        Column("administrator", "text", _text(200), ("administrator", "admin")),
        Column("category", "varchar(12)", _choice(CATEGORY), ("categorie", "category", "clasa")),
        Column(
            "km_start",
            "numeric(8,3)",
            _decimal(3, 8),
            ("km_start", "km_inceput", "km0", "pozitie_km"),
        ),
    ],
    "zones": [
        Column(
            "plan_id",
            "bigint",
            _integer(1, 2**62),
            ("plan", "plan_id"),
            required=True,
            label="planul urbanistic (--set plan=ID)",
        ),
        Column(
            "code",
            "text",
            _text(20),
            ("utr", "cod_utr", "cod", "code"),
            required=True,
            label="cod UTR",
        ),
        Column("name", "text", _text(200), ("denumire", "nume", "name")),
        Column(
            "dominant_function",
            "text",
            _text(200),
            ("functiune", "functiune_dominanta", "functiunea", "dominant_function"),
        ),
        Column("allowed_uses", "text", _text(10_000), ("utilizari_admise", "admise")),
        Column(
            "conditioned_uses",
            "text",
            _text(10_000),
            ("utilizari_admise_conditionat", "admise_conditionat", "conditionate"),
        ),
        Column("forbidden_uses", "text", _text(10_000), ("utilizari_interzise", "interzise")),
        Column(
            "pot_max",
            "numeric(5,2)",
            _decimal(2, 5),
            ("pot", "pot_max", "potmax"),
            required=True,
            label="POT maxim",
        ),
        Column(
            "cut_max",
            "numeric(5,2)",
            _decimal(2, 5),
            ("cut", "cut_max", "cutmax"),
            required=True,
            label="CUT maxim",
        ),
        Column(
            "height_max",
            "numeric(6,2)",
            _decimal(2, 6),
            ("hmax", "h_max", "inaltime", "inaltime_max", "height_max"),
        ),
        Column(
            "levels_max",
            "integer",
            _integer(0, 200),
            ("niv_max", "nr_niv_max", "niveluri_max", "levels_max"),
        ),
        Column("height_regime", "text", _text(30), ("regim", "regim_inaltime", "rh")),
        Column("notes", "text", _text(10_000), ("observatii", "obs", "notes")),
    ],
    "restrictions": [
        Column(
            "kind",
            "varchar(30)",
            _choice(RESTRICTION_KINDS),
            ("tip", "kind", "categorie"),
            required=True,
            label="tip restricție",
        ),
        Column("code", "text", _text(60), ("cod", "code", "cod_lmi", "sitecode")),
        Column(
            "name",
            "text",
            _text(255),
            ("denumire", "nume", "name", "sitename"),
            required=True,
            label="denumire",
        ),
        Column("legal_basis", "text", _text(255), ("temei", "temei_legal", "legal_basis")),
        Column("authority", "text", _text(255), ("autoritate", "avizator", "authority")),
        Column("approval", "text", _text(255), ("aviz", "aviz_necesar", "approval")),
    ],
    "intravilan": [
        SIRUTA,
        Column(
            "locality",
            "text",
            _text(120),
            ("localitate", "locality", "nume", "denumire"),
            required=True,
            label="localitate",
        ),
        Column(
            "locality_siruta",
            "bigint",
            _integer(1, 999_999),
            ("siruta_loc", "siruta_localitate", "cod_siruta_localitate", "locality_siruta"),
        ),
    ],
}


def copy_text(value: Any) -> str:
    """A converted value in COPY text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def convert_array(column: Column, values) -> tuple[list[str], dict[int, str]]:
    """A whole column of a batch as COPY text, and the errors by feature index.

    The common cases (integers from integer arrays, decimals from float arrays, clean
    strings) take fast paths; anything else goes value by value through the converter.
    """
    import numpy as np

    arr = np.asarray(values)
    errors: dict[int, str] = {}
    kind = column.sql_type
    items = arr.tolist()
    convert = column.convert
    if arr.dtype.kind in "iub" and kind == "boolean":
        return ["t" if v else "f" for v in items], errors
    bounds = getattr(convert, "bounds", None)
    if arr.dtype.kind in "iu" and bounds:
        low, high = bounds
        if arr.size == 0 or (int(arr.min()) >= low and int(arr.max()) <= high):
            return list(map(str, items)), errors
    if arr.dtype.kind == "f" and kind.startswith("numeric"):
        places = int(kind.split(",")[1].rstrip(")"))
        digits = int(kind.split("(")[1].split(",")[0])
        limit = 10.0 ** (digits - places)
        fmt = f"%.{places}f"
        out = []
        for i, v in enumerate(items):
            if v != v:
                out.append("\\N")
            elif abs(v) >= limit:
                errors[i] = f"{v} este în afara domeniului"
                out.append("\\N")
            else:
                out.append(fmt % v)
        return out, errors
    max_length = getattr(convert, "max_length", None)
    out = []
    append = out.append
    for i, v in enumerate(items):
        if max_length is not None and v.__class__ is str:
            text = v.strip()
            if not text or text == "_empty":
                append("\\N")
                continue
            if (
                len(text) <= max_length
                and "\\" not in text
                and "\t" not in text
                and "\n" not in text
                and "\r" not in text
            ):
                append(text if text.isascii() else text.translate(CEDILLA))
                continue
        try:
            append(copy_text(convert(v)))
        except BadValue as exc:
            errors[i] = str(exc)
            append("\\N")
    return out, errors


@dataclass
class Mapping:
    """For each column: ('field', source field name) or ('value', converted constant)."""

    target: str
    sources: dict[str, tuple[str, Any]]

    @property
    def provided(self) -> set[str]:
        return set(self.sources)

    @property
    def fields(self) -> list[str]:
        return sorted({ref for kind, ref in self.sources.values() if kind == "field"})


def build_mapping(
    target: str,
    source_fields: list[str],
    fields: dict[str, str],
    values: dict[str, str],
) -> Mapping:
    """Explicit fields, then constants, then the usual names; refuse unknown names."""
    columns = {c.name: c for c in TARGET_COLUMNS[target]}
    by_fold = {_fold(f): f for f in source_fields}
    for name in list(fields) + list(values):
        if name not in columns:
            raise InputRefused(
                f"coloana „{name}” nu există pentru destinația {target} "
                f"(coloane: {', '.join(columns)})"
            )
    sources: dict[str, tuple[str, Any]] = {}
    for name, column in columns.items():
        if name in fields:
            field_name = by_fold.get(_fold(fields[name]))
            if field_name is None:
                raise InputRefused(
                    f"câmpul „{fields[name]}” (pentru {name}) nu există în fișier "
                    f"(câmpuri: {', '.join(source_fields[:30])})"
                )
            sources[name] = ("field", field_name)
        elif name in values:
            try:
                sources[name] = ("value", column.convert(values[name]))
            except BadValue as exc:
                raise InputRefused(f"valoare invalidă pentru {name}: {exc}") from None
        else:
            for alias in column.aliases:
                if _fold(alias) in by_fold:
                    sources[name] = ("field", by_fold[_fold(alias)])
                    break
    return Mapping(target, sources)


def load_mapping_file(path: Path) -> dict[str, Any]:
    """A TOML mapping file: optional `target`, `layer`, `srs`, and [fields] / [values]."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputRefused(f"fișierul de corespondență nu poate fi citit: {exc}") from None
    unknown = set(data) - {"target", "layer", "srs", "encoding", "fields", "values"}
    if unknown:
        raise InputRefused(f"chei necunoscute în fișierul de corespondență: {sorted(unknown)}")
    return {
        "target": data.get("target"),
        "layer": data.get("layer"),
        "srs": data.get("srs"),
        "encoding": data.get("encoding"),
        "fields": {str(k): str(v) for k, v in data.get("fields", {}).items()},
        "values": {str(k): str(v) for k, v in data.get("values", {}).items()},
    }
