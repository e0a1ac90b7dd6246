"""Roads, UTR zones, restrictions, intravilan and buildings: staging to the spatial tables.

One generic, set-based path keyed on each layer's natural key: a staged feature is new,
unchanged or changed; changed rows are updated in place (only the columns the input
provides), new rows inserted (ON CONFLICT on the layer's unique constraint when it has
one). Parcels have their own writer, with history.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from psycopg import sql

from import_cadastru.report import Report
from import_cadastru.staging import analyze, create_temp, drop_temp
from import_cadastru.writers.geometry import SourceCRS, linear, polygonal, repaired

RAW = "imp_feature_raw"
STAGED = "imp_feature"

_UAT_BY_SIRUTA_OR_PLACE = (
    "COALESCE((SELECT u.id FROM layers_uat u WHERE u.siruta = x.uat_siruta), "
    "CASE WHEN x.uat_siruta IS NULL AND x.g IS NOT NULL AND NOT ST_IsEmpty(x.g) THEN "
    "(SELECT u.id FROM layers_uat u WHERE ST_Intersects(u.geom, ST_PointOnSurface(x.g)) "
    "ORDER BY u.siruta LIMIT 1) END)"
)


@dataclass(frozen=True)
class Spec:
    """How one layer is keyed, resolved and written."""

    table: str
    geom_kind: str  # "polygon" or "line"
    columns: tuple[str, ...]  # target columns an input may provide (besides geom)
    key: tuple[str, ...]  # key expressions with {a} for the table alias
    conflict: tuple[str, ...] = ()  # unique constraint columns, for ON CONFLICT
    resolved: dict[str, str] = field(default_factory=dict)  # column -> SQL over x.*
    staged_only: tuple[str, ...] = ()  # raw columns used for resolution only
    # SQL over the staged row's own columns: fills NULLs of provided columns and the
    # columns an input does not provide, so NOT NULL columns never receive NULL
    defaults: dict[str, str] = field(default_factory=dict)
    label: str = "{a}.id::text"  # how a row is named in the report
    required: tuple[str, ...] = ()


SPECS: dict[str, Spec] = {
    "roads": Spec(
        table="layers_countyroad",
        geom_kind="line",
        columns=("number", "name", "administrator", "category", "km_start"),
        key=("{a}.number",),
        conflict=("number",),
        defaults={"name": "''", "administrator": "''", "category": "'judetean'", "km_start": "0"},
        label="{a}.number",
        required=("number",),
    ),
    "zones": Spec(
        table="layers_zone",
        geom_kind="polygon",
        columns=(
            "plan_id",
            "code",
            "name",
            "dominant_function",
            "allowed_uses",
            "conditioned_uses",
            "forbidden_uses",
            "pot_max",
            "cut_max",
            "height_max",
            "levels_max",
            "height_regime",
            "notes",
        ),
        key=("{a}.plan_id", "{a}.code"),
        conflict=("plan_id", "code"),
        defaults={
            "name": "COALESCE(code, '')",
            "dominant_function": "''",
            "allowed_uses": "''",
            "conditioned_uses": "''",
            "forbidden_uses": "''",
            "height_regime": "''",
            "notes": "''",
        },
        label="{a}.code",
        required=("plan_id", "code", "pot_max", "cut_max"),
    ),
    "restrictions": Spec(
        table="layers_restriction",
        geom_kind="polygon",
        columns=("kind", "code", "name", "legal_basis", "authority", "approval"),
        key=(
            "{a}.kind",
            "CASE WHEN COALESCE({a}.code, '') <> '' THEN 'c:' || {a}.code "
            "ELSE 'n:' || {a}.name END",
        ),
        defaults={"code": "''", "legal_basis": "''", "authority": "''", "approval": "''"},
        label="{a}.kind || ' ' || COALESCE(NULLIF({a}.code, ''), {a}.name)",
        required=("kind", "name"),
    ),
    "intravilan": Spec(
        table="layers_intravilan",
        geom_kind="polygon",
        columns=("uat_id", "locality", "locality_siruta"),
        key=("{a}.uat_id", "{a}.locality"),
        resolved={"uat_id": _UAT_BY_SIRUTA_OR_PLACE},
        staged_only=("uat_siruta",),
        label="{a}.locality",
        required=("uat_id", "locality"),
    ),
    "buildings": Spec(
        table="layers_building",
        geom_kind="polygon",
        columns=("parcel_id", "number", "destination", "levels", "legal_area"),
        key=("{a}.parcel_id", "{a}.number"),
        conflict=("parcel_id", "number"),
        resolved={
            "uat_id": _UAT_BY_SIRUTA_OR_PLACE,
            # by cadastral number when given, else the parcel under the building
            "parcel_id": (
                "CASE WHEN x.cadastral_number IS NOT NULL THEN "
                "(SELECT p.id FROM layers_parcel p WHERE p.cadastral_number = x.cadastral_number "
                "AND p.uat_id = {uat}) "
                "WHEN x.g IS NOT NULL AND NOT ST_IsEmpty(x.g) THEN "
                "(SELECT p.id FROM layers_parcel p "
                "WHERE ST_Intersects(p.geom, ST_PointOnSurface(x.g)) ORDER BY p.id LIMIT 1) END"
            ),
        },
        staged_only=("uat_siruta", "cadastral_number"),
        defaults={"levels": "1"},
        label="COALESCE(x_cad, '') || ' C' || {a}.number",
        required=("parcel_id", "number", "destination"),
    ),
}


def raw_columns(target: str, types: dict[str, str]) -> list[tuple[str, str]]:
    spec = SPECS[target]
    names = [*spec.staged_only, *(c for c in spec.columns if c not in spec.resolved)]
    return (
        [("seq", "bigint"), ("src", "text")]
        + [(n, types[n]) for n in names]
        + [("geom", "geometry")]
    )


def create_staging(cursor, target: str, types: dict[str, str]) -> list[str]:
    cols = raw_columns(target, types)
    create_temp(cursor, RAW, cols)
    return [c for c, _ in cols]


def drop_staging(cursor) -> None:
    drop_temp(cursor, RAW, STAGED)


def _expr(template: str, alias: str) -> sql.Composable:
    return sql.SQL(template.replace("{a}", "{alias}")).format(alias=sql.Identifier(alias))


def normalise(cursor, target: str, *, crs: SourceCRS, provided: set[str]) -> None:
    """Build imp_feature: storage geometry (repaired), resolved keys, duplicate rank,
    the matching stored row and the action."""
    spec = SPECS[target]
    fill = [c for c in spec.columns if c in provided and c in spec.defaults]
    if fill:
        cursor.execute(
            sql.SQL("UPDATE {} SET {}").format(
                sql.Identifier(RAW),
                sql.SQL(", ").join(
                    sql.SQL("{c} = COALESCE({c}, {d})").format(
                        c=sql.Identifier(c), d=sql.SQL(spec.defaults[c])
                    )
                    for c in fill
                ),
            )
        )
    shape = (polygonal if spec.geom_kind == "polygon" else linear)(
        crs.expression(sql.SQL("r.geom"))
    )
    geom_expr, reason_expr = repaired(spec.geom_kind)
    resolved = spec.resolved
    resolved_sql = sql.SQL("").join(
        sql.SQL(", {} AS {}").format(
            sql.SQL(expr.replace("{uat}", resolved.get("uat_id", "NULL").join("()"))),
            sql.Identifier(name),
        )
        for name, expr in resolved.items()
    )
    match = sql.SQL(" AND ").join(
        sql.SQL("{} = {}").format(_expr(k, "t"), _expr(k, "k")) for k in spec.key
    )
    written = [c for c in spec.columns if c in provided or c in resolved]
    same = sql.SQL(" AND ").join(
        [sql.SQL("t.geom = k.g")]
        + [sql.SQL("t.{c} IS NOT DISTINCT FROM k.{c}").format(c=sql.Identifier(c)) for c in written]
    )
    missing = sql.SQL(" ").join(
        sql.SQL("WHEN k.{} IS NULL THEN {}").format(sql.Identifier(c), sql.Literal(f"required:{c}"))
        for c in spec.required
    )
    query = sql.SQL(
        """
        CREATE TEMP TABLE {staged} ON COMMIT DROP AS
        WITH g AS (SELECT r.*, {shape} AS g1 FROM {raw} r),
        v AS (SELECT g.*, ST_IsValid(g.g1) AS ok FROM g),
        x AS (SELECT v.*, {geom} AS g, {reason} AS invalid_reason FROM v),
        k AS (
            SELECT y.*, row_number() OVER w AS rn, first_value(y.src) OVER w AS first_src
            FROM (SELECT x.* {resolved} FROM x) y
            WINDOW w AS (PARTITION BY {key_y} ORDER BY y.seq)
        ),
        m AS (
            SELECT k.*, t.id AS target_id, ({same}) AS is_same,
                   CASE {missing}
                        WHEN k.g IS NULL OR ST_IsEmpty(k.g) THEN 'geom'
                        WHEN k.rn > 1 THEN 'duplicate' END AS reject
            FROM k LEFT JOIN {table} t ON {match}
        )
        SELECT m.*, CASE WHEN m.reject IS NOT NULL THEN 'rejected'
                         WHEN m.target_id IS NULL THEN 'new'
                         WHEN m.is_same THEN 'same' ELSE 'changed' END AS action
        FROM m
        """
    ).format(
        staged=sql.Identifier(STAGED),
        raw=sql.Identifier(RAW),
        shape=shape,
        geom=geom_expr,
        reason=reason_expr,
        resolved=resolved_sql,
        key_y=_key_y(spec),
        same=same,
        missing=missing,
        table=sql.Identifier(spec.table),
        match=match,
    )
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(STAGED)))
    cursor.execute(query)
    analyze(cursor, STAGED)


def _key_y(spec: Spec) -> sql.Composable:
    return sql.SQL(", ").join(_expr(k, "y") for k in spec.key)


@dataclass
class Written:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    ids: list[int] = field(default_factory=list)  # rows created or changed
    parcel_ids: list[int] = field(default_factory=list)  # buildings: their parcels


def apply(cursor, target: str, *, provided: set[str]) -> Written:
    spec = SPECS[target]
    cursor.execute(
        sql.SQL("SELECT action, count(*) FROM {} GROUP BY action").format(sql.Identifier(STAGED))
    )
    by_action = dict(cursor.fetchall())
    written = [c for c in spec.columns if c in provided or c in spec.resolved]
    cursor.execute(
        sql.SQL(
            "UPDATE {table} t SET {sets}, geom = s.g FROM {staged} s "
            "WHERE s.action = 'changed' AND t.id = s.target_id"
        ).format(
            table=sql.Identifier(spec.table),
            staged=sql.Identifier(STAGED),
            sets=sql.SQL(", ").join(
                sql.SQL("{c} = s.{c}").format(c=sql.Identifier(c)) for c in written
            ),
        )
    )
    insert_cols = [c for c in spec.columns if c in written or c in spec.defaults]
    values = [
        sql.SQL("s.{}").format(sql.Identifier(c)) if c in written else sql.SQL(spec.defaults[c])
        for c in insert_cols
    ]
    conflict = (
        sql.SQL(" ON CONFLICT ({}) DO NOTHING").format(
            sql.SQL(", ").join(map(sql.Identifier, spec.conflict))
        )
        if spec.conflict
        else sql.SQL("")
    )
    cursor.execute(
        sql.SQL(
            "INSERT INTO {table} ({cols}, geom) SELECT {vals}, s.g FROM {staged} s "
            "WHERE s.action = 'new' ORDER BY s.seq{conflict}"
        ).format(
            table=sql.Identifier(spec.table),
            cols=sql.SQL(", ").join(map(sql.Identifier, insert_cols)),
            vals=sql.SQL(", ").join(values),
            staged=sql.Identifier(STAGED),
            conflict=conflict,
        )
    )
    match = sql.SQL(" AND ").join(
        sql.SQL("{} = {}").format(_expr(k, "t"), _expr(k, "k")) for k in spec.key
    )
    cursor.execute(
        sql.SQL(
            "SELECT DISTINCT t.id{parcel} FROM {table} t JOIN {staged} k ON {match} "
            "WHERE k.action IN ('new', 'changed') ORDER BY t.id"
        ).format(
            parcel=sql.SQL(", t.parcel_id") if target == "buildings" else sql.SQL(""),
            table=sql.Identifier(spec.table),
            staged=sql.Identifier(STAGED),
            match=match,
        )
    )
    rows = cursor.fetchall()
    return Written(
        created=by_action.get("new", 0),
        updated=by_action.get("changed", 0),
        unchanged=by_action.get("same", 0),
        rejected=by_action.get("rejected", 0),
        ids=[r[0] for r in rows],
        parcel_ids=sorted({r[1] for r in rows}) if target == "buildings" else [],
    )


REJECTS = {
    "geom": "geometrie lipsă, goală sau de alt tip (nici după reparare)",
    "duplicate": "cheie repetată în fișier",
}


def findings(cursor, target: str, report: Report, labels: dict[str, str], limit: int = 500):
    """Rejections, duplicates and repaired geometries of the staged features."""
    spec = SPECS[target]
    label = _expr(spec.label.replace("x_cad", "{a}.cadastral_number"), "s")
    cursor.execute(
        sql.SQL(
            "SELECT s.reject, s.src, {label}, s.first_src, s.was_ok, s.invalid_reason "
            "FROM (SELECT *, ok AS was_ok FROM {staged}) s "
            "WHERE s.reject IS NOT NULL OR s.was_ok = false ORDER BY s.seq LIMIT %s"
        ).format(label=label, staged=sql.Identifier(STAGED)),
        [limit * 3],
    )
    for reject, src, key, first_src, was_ok, reason in cursor.fetchall():
        key = key or ""
        if reject == "duplicate":
            report.add(
                "duplicate", src, key, f"cheie repetată în fișier; prima apariție: {first_src}"
            )
        elif reject and reject.startswith("required:"):
            col = reject.split(":", 1)[1]
            report.add("rejected", src, key, f"lipsește {labels.get(col, col)}")
        elif reject:
            detail = REJECTS[reject] + (f": {reason}" if was_ok is False and reason else "")
            report.add("rejected", src, key, detail)
        elif was_ok is False:
            report.add("invalid_repaired", src, key, f"geometrie invalidă reparată: {reason}")


def road_ids_near_intravilan(cursor) -> list[int]:
    """Roads whose zone an imported intravilan (old or new outline) may clip."""
    cursor.execute(
        """
        WITH reach AS (SELECT COALESCE(MAX(protection_distance), 0)::float8 AS d
                       FROM layers_roadzonerule),
        shapes AS (
            SELECT g FROM imp_feature WHERE action IN ('new', 'changed')
            UNION ALL
            SELECT t.geom FROM layers_intravilan t JOIN imp_feature s ON t.id = s.target_id
            WHERE s.action = 'changed'
        )
        SELECT DISTINCT r.id FROM layers_countyroad r JOIN shapes z
          ON ST_DWithin(r.geom, z.g, (SELECT d FROM reach))
        ORDER BY r.id
        """
    )
    return [row[0] for row in cursor.fetchall()]
