"""Parcels (imobile) from staging into layers_parcel, with history and sub-records.

Keyed on (UAT, cadastral number). A staged parcel is new, unchanged (geometry and every
provided attribute equal, and for CGXML the same land uses, buildings and rights) or
changed; a changed parcel's previous state becomes a ParcelVersion row before it is
updated. Columns the input does not provide keep their stored values.
"""

from __future__ import annotations

from dataclasses import dataclass

from psycopg import sql

from import_cadastru.report import Report
from import_cadastru.staging import (
    analyze,
    copy_lines,
    create_temp,
    drop_temp,
    without_secondary,
)
from import_cadastru.writers.geometry import SourceCRS, polygonal

RAW = "imp_parcel_raw"
PARCELS = "imp_parcel"
USES = "imp_landuse"
BUILDINGS_RAW = "imp_building_raw"
BUILDINGS = "imp_building"
RIGHTS = "imp_right"
TOUCHED = "imp_touched"

RAW_COLUMNS = [
    ("seq", "bigint"),
    ("src", "text"),
    ("uat_id", "bigint"),
    ("uat_siruta", "bigint"),
    ("cadastral_number", "text"),
    ("land_book_number", "text"),
    ("eterra_id", "bigint"),
    ("address", "text"),
    ("intravilan", "boolean"),
    ("legal_area", "numeric(14,2)"),
    ("geom", "geometry"),
    # set (and geom left empty) when the reader found the geometry already stored
    ("geom_md5", "text"),
]
USE_COLUMNS = [
    ("seq", "bigint"),
    ("category", "varchar(2)"),
    ("area", "numeric(14,2)"),
    ("intravilan", "boolean"),
    ("land_plot", "varchar(30)"),
    ("plot_number", "varchar(30)"),
    ("title_number", "varchar(30)"),
]
BUILDING_COLUMNS = [
    ("seq", "bigint"),
    ("number", "smallint"),
    ("destination", "varchar(3)"),
    ("levels", "smallint"),
    ("legal_area", "numeric(12,2)"),
    ("geom", "geometry"),
]
RIGHT_COLUMNS = [
    ("seq", "bigint"),
    ("holder_kind", "varchar(3)"),
    ("holder_name", "varchar(200)"),
    ("holder_id_code", "varchar(20)"),
    ("unit", "varchar(40)"),
    ("right_kind", "varchar(20)"),
    ("share", "varchar(20)"),
    ("deed", "varchar(255)"),
    ("registered_on", "date"),
]
# Attribute columns that an input may or may not provide (the key and geometry always).
OPTIONAL = ("land_book_number", "eterra_id", "address", "intravilan", "legal_area")
TEXT_COLUMNS = {"land_book_number", "address"}

REJECT_REASONS = {
    "uat": "UAT necunoscut sau parcelă în afara UAT-urilor încărcate",
    "cadnr": "fără număr cadastral",
    "geom": "geometrie lipsă, goală sau nepoligonală (nici după reparare)",
}


def create_staging(cursor, *, subrecords: bool) -> None:
    create_temp(cursor, RAW, RAW_COLUMNS)
    if subrecords:
        create_temp(cursor, USES, USE_COLUMNS)
        create_temp(cursor, BUILDINGS_RAW, BUILDING_COLUMNS)
        create_temp(cursor, RIGHTS, RIGHT_COLUMNS)


def drop_staging(cursor) -> None:
    drop_temp(cursor, RAW, PARCELS, USES, BUILDINGS_RAW, BUILDINGS, RIGHTS, TOUCHED)


def _merged(column: str, provided: set[str]) -> sql.Composable:
    """The value a parcel will have: staged when provided, else the stored one (the
    stored parcel's columns travel with the staged row as p_<column>)."""
    col = sql.Identifier(column)
    stored = sql.Identifier(f"p_{column}")
    if column in provided:
        if column in TEXT_COLUMNS:
            return sql.SQL("COALESCE(k.{}, '')").format(col)
        if column == "intravilan":
            return sql.SQL("COALESCE(k.intravilan, false)")
        return sql.SQL("k.{}").format(col)
    if column in TEXT_COLUMNS:
        return sql.SQL("COALESCE(k.{}, '')").format(stored)
    if column == "intravilan":
        # New parcels without the attribute: in intravilan when their interior point is.
        return sql.SQL(
            "COALESCE(k.p_intravilan, EXISTS (SELECT 1 FROM layers_intravilan i "
            "WHERE i.uat_id = k.uat_id AND k.geom IS NOT NULL AND NOT ST_IsEmpty(k.geom) "
            "AND ST_Intersects(i.geom, ST_PointOnSurface(k.geom))))"
        )
    return sql.SQL("k.{}").format(stored)


def _id_sequence(cursor) -> str:
    cursor.execute("SELECT pg_get_serial_sequence('layers_parcel', 'id')")
    return cursor.fetchone()[0]


def validity_constraint(cursor) -> str | None:
    """The name of the parcel table's validated CHECK (ST_IsValid(geom)) constraint, if
    it has one: with it, PostgreSQL itself refuses to store an invalid geometry."""
    cursor.execute(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'layers_parcel'::regclass "
        "AND contype = 'c' AND convalidated "
        "AND pg_get_constraintdef(oid) = 'CHECK (st_isvalid(geom))'"
    )
    row = cursor.fetchone()
    return row[0] if row else None


def normalise(
    cursor,
    *,
    crs: SourceCRS,
    provided: set[str],
    spatial_uat: bool,
    shape: bool = True,
    assume_valid: bool = False,
    duplicates: bool = True,
) -> None:
    """Build imp_parcel: storage geometry (repaired), resolved UAT, the matching stored
    parcel and the action (new / same / changed / rejected), then mark duplicates.

    A staged geometry equal to the stored one is valid (the table's constraint says so),
    so validity is only computed for the others: a no-change re-import skips it. Equal
    means the same WKB, compared by md5 with the stored geom_md5, so the join with the
    stored parcels carries no geometry.
    `shape` converts closed lines (DXF) to polygons; inputs known to hold polygons skip it.
    `assume_valid` skips the validity test altogether: only for a write that the table's
    validity constraint checks, and that is redone without it if the constraint refuses
    a geometry (see write_checked), so each geometry is tested once, not twice.
    `duplicates=False`: the reader saw every key once, so none is searched for here
    (and the staging gets no index by seq: only sub-records and duplicates use it; nor
    statistics: the caller runs analyze_staging if anything is to be written).
    """
    spatial = (
        sql.SQL(
            ", (SELECT x.id FROM layers_uat x WHERE g.g1 IS NOT NULL AND NOT ST_IsEmpty(g.g1) "
            "AND ST_Intersects(x.geom, ST_PointOnSurface(CASE WHEN ST_IsValid(g.g1) THEN g.g1 "
            "ELSE ST_MakeValid(g.g1) END)) ORDER BY x.siruta LIMIT 1)"
        )
        if spatial_uat
        else sql.SQL("")
    )
    merged = {c: _merged(c, provided) for c in OPTIONAL}
    same = sql.SQL(" AND ").join(
        [sql.SQL("k.same_geom")]
        + [
            sql.SQL("k.{} IS NOT DISTINCT FROM {}").format(sql.Identifier(f"p_{c}"), merged[c])
            for c in OPTIONAL
        ]
    )
    source_geom = crs.expression(sql.SQL("r.geom"))
    # OFFSET 0 keeps each subquery from being inlined, so every geometry function runs
    # once per row instead of once per reference.
    query = sql.SQL(
        """
        CREATE TEMP TABLE {parcels} ON COMMIT DROP AS
        WITH g AS (
            SELECT r.seq, r.src, r.uat_id AS uat_hint, r.uat_siruta,
                   NULLIF(btrim(r.cadastral_number), '') AS cadastral_number,
                   r.land_book_number, r.eterra_id, r.address, r.intravilan, r.legal_area,
                   r.geom IS NULL AND r.geom_md5 IS NOT NULL AS left_out, r.geom_md5,
                   {shape} AS g1
            FROM {raw} r
        ),
        u AS (
            SELECT g.*, COALESCE(g.uat_hint, us.id {spatial}) AS uat_id,
                   ST_Multi(g.g1) AS m1
            FROM g LEFT JOIN layers_uat us ON us.siruta = g.uat_siruta
            OFFSET 0
        ),
        j AS (
            SELECT u.*, p0.id AS pid, {stored},
                   u.left_out AND p0.geom_md5 IS NOT DISTINCT FROM u.geom_md5 AS kept,
                   CASE WHEN u.left_out THEN p0.geom_md5 IS NOT DISTINCT FROM u.geom_md5
                        WHEN p0.id IS NULL OR u.m1 IS NULL THEN false
                        ELSE p0.geom_md5 = md5(ST_AsBinary(u.m1)) END AS same_geom
            FROM u LEFT JOIN layers_parcel p0
              ON p0.uat_id = u.uat_id AND p0.cadastral_number = u.cadastral_number
            OFFSET 0
        ),
        v AS (
            SELECT j.*, {valid} AS ok
            FROM j {fence}
        ),
        k AS (
            SELECT v.*, CASE WHEN v.ok THEN v.m1 ELSE {repaired} END AS geom,
                   {reason} AS invalid_reason
            FROM v {fence}
        )
        SELECT k.seq, k.src, k.uat_id, k.uat_siruta, k.cadastral_number, k.pid AS parcel_id,
               {lbn} AS land_book_number, {eterra} AS eterra_id, {address} AS address,
               {intravilan} AS intravilan, {legal} AS legal_area,
               k.geom, k.ok AS was_valid, k.invalid_reason, NULL::text AS first_src,
               k.left_out AND NOT k.kept AS unconfirmed, k.left_out,
               CASE WHEN k.uat_id IS NULL THEN 'uat'
                    WHEN k.cadastral_number IS NULL THEN 'cadnr'
                    WHEN NOT k.kept AND (k.geom IS NULL OR ST_IsEmpty(k.geom)) THEN 'geom'
               END AS reject,
               CASE WHEN k.uat_id IS NULL OR k.cadastral_number IS NULL
                         OR (NOT k.kept AND (k.geom IS NULL OR ST_IsEmpty(k.geom)))
                    THEN 'rejected'
                    WHEN k.pid IS NULL THEN 'new'
                    WHEN {same} THEN 'same'
                    ELSE 'changed' END AS action,
               -- a new parcel's id is drawn here (a rejected one's is left unused): the
               -- insert writes it, and the parcels it touched are known without a join
               -- of the staging with the table
               CASE WHEN k.pid IS NULL THEN nextval({sequence}::regclass) END AS new_id
        FROM k
        """
    ).format(
        parcels=sql.Identifier(PARCELS),
        sequence=sql.Literal(_id_sequence(cursor)),
        raw=sql.Identifier(RAW),
        shape=polygonal(source_geom) if shape else source_geom,
        spatial=spatial,
        valid=sql.SQL(
            "true" if assume_valid else "CASE WHEN j.same_geom THEN true ELSE ST_IsValid(j.g1) END"
        ),
        # with validity taken as given nothing costly is left to compute twice
        fence=sql.SQL("" if assume_valid else "OFFSET 0"),
        repaired=sql.SQL("ST_Multi(ST_CollectionExtract(ST_MakeValid(v.g1), 3))"),
        reason=sql.SQL("CASE WHEN NOT v.ok THEN ST_IsValidReason(v.g1) END"),
        lbn=merged["land_book_number"],
        eterra=merged["eterra_id"],
        address=merged["address"],
        intravilan=merged["intravilan"],
        legal=merged["legal_area"],
        same=same,
        # one join with the stored parcels: their attributes come along with the key
        stored=sql.SQL(", ").join(
            sql.SQL("p0.{} AS {}").format(sql.Identifier(c), sql.Identifier(f"p_{c}"))
            for c in OPTIONAL
        ),
    )
    cursor.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(PARCELS)))
    cursor.execute(query)
    # Duplicates inside the input: the first occurrence wins. A hash aggregate on the
    # key, rather than a window sort that would drag every geometry through it.
    if duplicates:
        # statistics first: the duplicate search then hashes the keys instead of
        # sorting them, and the findings' queries scan rather than walk the seq index
        # (without a duplicate search, the caller analyses when there is anything to
        # write: see analyze_staging)
        analyze_staging(cursor)
        cursor.execute(_DUPLICATES)
        # for the joins by seq that follow (sub-records, duplicates' first occurrences);
        # a file known to have no duplicate is a vector file: none follows
        cursor.execute(sql.SQL("CREATE INDEX ON {} (seq)").format(sql.Identifier(PARCELS)))


def analyze_staging(cursor) -> None:
    """Statistics of the normalised staging, for the statements that join it."""
    cursor.execute(
        "ANALYZE imp_parcel (seq, action, parcel_id, uat_id, cadastral_number, reject, "
        "was_valid, unconfirmed)"
    )


@dataclass
class Summary:
    """What one scan of the normalised staging tells (see staged_summary)."""

    left_out: int  # features whose geometry the reader left out, as stored
    unconfirmed: list[int]  # of those, the ones not stored under their own key (seq)
    by_action: dict[str, int]  # what apply will do: new / same / changed / rejected
    rejected: int  # rejections and duplicates (staging_findings)
    repaired: int  # invalid geometries repaired (staging_findings)


def staged_summary(cursor) -> Summary:
    """One scan of imp_parcel (a million rows after a county's import) for: how many
    features the reader left the geometry out of, as already stored, and those of them
    not stored under their own key, by seq (a renumbered parcel, another UAT: they need
    their geometry, and normalise must run again once it is staged); the counts of the
    actions (for apply) and of the findings (for staging_findings)."""
    cursor.execute(
        "SELECT count(*) FILTER (WHERE left_out), "
        "COALESCE(array_agg(seq ORDER BY seq) FILTER (WHERE unconfirmed), '{}'), "
        "count(*) FILTER (WHERE action = 'new'), count(*) FILTER (WHERE action = 'same'), "
        "count(*) FILTER (WHERE action = 'changed'), "
        "count(*) FILTER (WHERE action = 'rejected'), "
        "count(*) FILTER (WHERE reject IS NOT NULL), "
        "count(*) FILTER (WHERE was_valid = false AND action <> 'rejected') FROM imp_parcel"
    )
    left_out, unconfirmed, new, same, changed, rejected_rows, rejected, repaired = cursor.fetchone()
    by_action = {"new": new, "same": same, "changed": changed, "rejected": rejected_rows}
    return Summary(
        left_out=left_out,
        unconfirmed=list(unconfirmed),
        by_action={k: v for k, v in by_action.items() if v},
        rejected=rejected,
        repaired=repaired,
    )


def fill_geometries(cursor, lines: list[str]) -> None:
    """Put back the geometries of those features (`lines`: their full staging rows)."""
    create_temp(cursor, "imp_parcel_fill", RAW_COLUMNS)
    copy_lines(cursor, "imp_parcel_fill", [c for c, _ in RAW_COLUMNS], lines)
    cursor.execute(
        "UPDATE imp_parcel_raw r SET geom = f.geom, geom_md5 = NULL "
        "FROM imp_parcel_fill f WHERE r.seq = f.seq"
    )
    drop_temp(cursor, "imp_parcel_fill")


_DUPLICATES = """
UPDATE imp_parcel s SET reject = 'duplicate', action = 'rejected', first_src = d.first_src
FROM (
    SELECT x.seq, f.src AS first_src
    FROM (SELECT uat_id, cadastral_number, min(seq) AS first_seq
          FROM imp_parcel WHERE reject IS NULL
          GROUP BY uat_id, cadastral_number HAVING count(*) > 1) k
    JOIN imp_parcel x ON x.uat_id = k.uat_id AND x.cadastral_number = k.cadastral_number
                     AND x.seq <> k.first_seq AND x.reject IS NULL
    JOIN imp_parcel f ON f.seq = k.first_seq
) d
WHERE s.seq = d.seq
"""


# Unchanged parcels whose land uses, buildings or rights differ from the stored ones:
# a row that the file and the database do not hold the same number of times (multisets
# compared by one hash aggregate per table on the values as they would be stored, not by
# sorted text signatures per parcel). Building geometries compare by their EWKB.
_SUBRECORD_SIGNATURES = """
WITH cand AS (SELECT seq, parcel_id FROM imp_parcel WHERE action = 'same'),
uses (parcel_id, side, a, b, c, d, e, f) AS (
    SELECT c.parcel_id, 1, u.category, u.area, u.intravilan, COALESCE(u.land_plot, ''),
           COALESCE(u.plot_number, ''), COALESCE(u.title_number, '')
    FROM imp_landuse u JOIN cand c ON c.seq = u.seq
    UNION ALL
    SELECT l.parcel_id, -1, l.category, l.area, l.intravilan, l.land_plot, l.plot_number,
           l.title_number
    FROM layers_landuse l JOIN cand c ON c.parcel_id = l.parcel_id
),
blds (parcel_id, side, a, b, c, d, e) AS (
    SELECT c.parcel_id, 1, b.number, b.destination, b.levels, b.legal_area,
           ST_AsEWKB(b.geom)
    FROM imp_building b JOIN cand c ON c.seq = b.seq
    WHERE b.geom IS NOT NULL AND NOT ST_IsEmpty(b.geom)
    UNION ALL
    SELECT b.parcel_id, -1, b.number, b.destination, b.levels, b.legal_area,
           ST_AsEWKB(b.geom)
    FROM layers_building b JOIN cand c ON c.parcel_id = b.parcel_id
),
rights (parcel_id, side, a, b, c, d, e, f, g, h) AS (
    SELECT c.parcel_id, 1, r.holder_kind, r.holder_name, COALESCE(r.holder_id_code, ''),
           COALESCE(r.unit, ''), r.right_kind, COALESCE(r.share, '1/1'),
           COALESCE(r.deed, ''), r.registered_on
    FROM imp_right r JOIN cand c ON c.seq = r.seq
    UNION ALL
    SELECT r.parcel_id, -1, r.holder_kind, r.holder_name, r.holder_id_code, r.unit,
           r.right_kind, r.share, r.deed, r.registered_on
    FROM layers_propertyright r JOIN cand c ON c.parcel_id = r.parcel_id
),
differs AS (
    SELECT parcel_id FROM uses GROUP BY parcel_id, a, b, c, d, e, f HAVING sum(side) <> 0
    UNION
    SELECT parcel_id FROM blds GROUP BY parcel_id, a, b, c, d, e HAVING sum(side) <> 0
    UNION
    SELECT parcel_id FROM rights GROUP BY parcel_id, a, b, c, d, e, f, g, h
    HAVING sum(side) <> 0
)
UPDATE imp_parcel s SET action = 'changed'
FROM differs d WHERE s.action = 'same' AND s.parcel_id = d.parcel_id
"""

# OFFSET 0 keeps the subqueries from being inlined: each building is tested for validity
# once, not once per reference to `ok`
_NORMALISE_BUILDINGS = """
CREATE TEMP TABLE imp_building ON COMMIT DROP AS
WITH v AS (
    SELECT b.seq, b.number, b.destination, b.levels, b.legal_area,
           ST_SetSRID(b.geom, %(srid)s) AS g1
    FROM imp_building_raw b JOIN imp_parcel s ON s.seq = b.seq
    WHERE s.action <> 'rejected'
    OFFSET 0
), w AS (SELECT v.*, ST_IsValid(g1) AS ok FROM v OFFSET 0)
SELECT seq, number, destination, levels, legal_area,
       CASE WHEN ok THEN ST_Multi(g1)
            ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(g1), 3)) END AS geom,
       ok AS was_valid, CASE WHEN NOT ok THEN ST_IsValidReason(g1) END AS invalid_reason
FROM w
"""


def normalise_subrecords(cursor, *, srid: int) -> None:
    """Buildings in storage shape, then unchanged parcels whose land uses, buildings or
    rights differ become changed."""
    cursor.execute("DROP TABLE IF EXISTS imp_building")
    cursor.execute(_NORMALISE_BUILDINGS, {"srid": srid})
    cursor.execute("CREATE INDEX ON imp_building (seq)")
    cursor.execute("CREATE INDEX ON imp_landuse (seq)")
    cursor.execute("CREATE INDEX ON imp_right (seq)")
    # only their join key: statistics of the building geometries would cost more than
    # the joins they could plan better
    for table in (BUILDINGS, USES, RIGHTS):
        cursor.execute(sql.SQL("ANALYZE {} (seq)").format(sql.Identifier(table)))
    cursor.execute(_SUBRECORD_SIGNATURES)


_HISTORY = """
INSERT INTO layers_parcelversion (
    parcel_id, version, land_book_number, eterra_id, address, intravilan, legal_area,
    attributes, geom, valid_from, valid_to, source, import_ref)
SELECT p.id, p.version, p.land_book_number, p.eterra_id, p.address, p.intravilan,
       p.legal_area,
       jsonb_build_object(
           'cadastral_number', p.cadastral_number,
           'measured_area', round(p.measured_area::numeric, 2),
           'land_uses', COALESCE((
               SELECT jsonb_agg(jsonb_build_object(
                   'category', l.category, 'area', l.area, 'intravilan', l.intravilan,
                   'land_plot', l.land_plot, 'plot_number', l.plot_number,
                   'title_number', l.title_number) ORDER BY l.id)
               FROM layers_landuse l WHERE l.parcel_id = p.id), '[]'::jsonb),
           'buildings', COALESCE((
               SELECT jsonb_agg(jsonb_build_object(
                   'number', b.number, 'destination', b.destination, 'levels', b.levels,
                   'legal_area', b.legal_area, 'built_area', round(b.built_area::numeric, 2),
                   'geom', ST_AsText(b.geom)) ORDER BY b.number)
               FROM layers_building b WHERE b.parcel_id = p.id), '[]'::jsonb),
           'rights_count', (SELECT count(*) FROM layers_propertyright r
                            WHERE r.parcel_id = p.id)),
       p.geom, p.valid_from, %(at)s, p.source, p.import_ref
FROM imp_parcel s JOIN layers_parcel p ON p.id = s.parcel_id
WHERE s.action = 'changed'
"""

_UPDATE = """
UPDATE layers_parcel p
SET land_book_number = s.land_book_number, eterra_id = s.eterra_id, address = s.address,
    intravilan = s.intravilan, legal_area = s.legal_area, geom = COALESCE(s.geom, p.geom),
    source = %(source)s, import_ref = %(ref)s, imported_at = %(at)s,
    version = p.version + 1, valid_from = %(at)s
FROM imp_parcel s
WHERE s.action = 'changed' AND p.id = s.parcel_id
"""

_INSERT = """
INSERT INTO layers_parcel (
    id, uat_id, cadastral_number, land_book_number, eterra_id, address, intravilan,
    legal_area, geom, source, import_ref, imported_at, version, valid_from)
SELECT new_id, uat_id, cadastral_number, land_book_number, eterra_id, address, intravilan,
       legal_area, geom, %(source)s, %(ref)s, %(at)s, 1, %(at)s
FROM imp_parcel WHERE action = 'new'
"""
# Concurrent imports are serialised by an advisory lock; ON CONFLICT covers a parcel
# added meanwhile by other means (the admin). A bulk load skips it: its table is locked
# and the unique constraint, re-added at the end, checks every key.
_ON_CONFLICT = " ON CONFLICT (uat_id, cadastral_number) DO NOTHING"
INITIAL_LOAD_MIN = 50_000  # from this many new parcels into a (nearly) empty table
# its indexes and constraints are rebuilt once after the insert

_TOUCHED = """
CREATE TEMP TABLE imp_touched ON COMMIT DROP AS
SELECT s.seq, s.src, s.action, p.id AS parcel_id, p.uat_id, p.cadastral_number
FROM imp_parcel s JOIN layers_parcel p
  ON p.uat_id = s.uat_id AND p.cadastral_number = s.cadastral_number
WHERE s.action IN ('new', 'changed')
"""
# After a bulk load (no ON CONFLICT: every new parcel was written, under the id drawn for
# it in normalise), the same without the join.
_TOUCHED_BULK = """
CREATE TEMP TABLE imp_touched ON COMMIT DROP AS
SELECT seq, src, action, COALESCE(parcel_id, new_id) AS parcel_id, uat_id, cadastral_number
FROM imp_parcel WHERE action IN ('new', 'changed')
"""

_INSERT_USES = (
    "INSERT INTO layers_landuse (parcel_id, category, area, intravilan, land_plot, "
    "plot_number, title_number) "
    "SELECT t.parcel_id, u.category, u.area, u.intravilan, COALESCE(u.land_plot, ''), "
    "COALESCE(u.plot_number, ''), COALESCE(u.title_number, '') "
    "FROM imp_landuse u JOIN imp_touched t ON t.seq = u.seq"
)
_INSERT_BUILDINGS = (
    "INSERT INTO layers_building (parcel_id, number, destination, levels, legal_area, geom) "
    "SELECT t.parcel_id, n.number, n.destination, n.levels, n.legal_area, n.geom "
    "FROM imp_building n JOIN imp_touched t ON t.seq = n.seq "
    "WHERE n.geom IS NOT NULL AND NOT ST_IsEmpty(n.geom)"
)
_INSERT_RIGHTS = (
    "INSERT INTO layers_propertyright (parcel_id, holder_kind, holder_name, holder_id_code, "
    "unit, right_kind, share, deed, registered_on) "
    "SELECT t.parcel_id, r.holder_kind, r.holder_name, COALESCE(r.holder_id_code, ''), "
    "COALESCE(r.unit, ''), r.right_kind, COALESCE(r.share, '1/1'), COALESCE(r.deed, ''), "
    "r.registered_on "
    "FROM imp_right r JOIN imp_touched t ON t.seq = r.seq"
)
_SUBRECORDS = [
    "DELETE FROM layers_landuse l USING imp_touched t "
    "WHERE t.action = 'changed' AND l.parcel_id = t.parcel_id",
    _INSERT_USES,
    "DELETE FROM layers_building b USING imp_touched t "
    "WHERE t.action = 'changed' AND b.parcel_id = t.parcel_id AND NOT EXISTS ("
    "SELECT 1 FROM imp_building n WHERE n.seq = t.seq AND n.number = b.number "
    "AND n.geom IS NOT NULL AND NOT ST_IsEmpty(n.geom))",
    _INSERT_BUILDINGS
    + " ON CONFLICT (parcel_id, number) DO UPDATE SET destination = EXCLUDED.destination, "
    "levels = EXCLUDED.levels, legal_area = EXCLUDED.legal_area, geom = EXCLUDED.geom "
    "WHERE (layers_building.destination, layers_building.levels, layers_building.legal_area, "
    "layers_building.geom) IS DISTINCT FROM (EXCLUDED.destination, EXCLUDED.levels, "
    "EXCLUDED.legal_area, EXCLUDED.geom)",
    "DELETE FROM layers_propertyright r USING imp_touched t "
    "WHERE t.action = 'changed' AND r.parcel_id = t.parcel_id",
    _INSERT_RIGHTS,
]
# A first load (parcels loaded in bulk, none changed): every sub-record is new and
# belongs to a new parcel, so there is nothing to delete or update, and each table is
# filled like the parcel table, its indexes and constraints rebuilt once (the unique
# (parcel, number) constraint, the foreign keys and the validity check are re-checked
# on every row as they are re-added).
_SUBRECORD_LOADS = (
    ("layers_landuse", _INSERT_USES),
    ("layers_building", _INSERT_BUILDINGS),
    ("layers_propertyright", _INSERT_RIGHTS),
)


@dataclass
class Applied:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    parcel_ids: list[int] | None = None
    parcel_keys: list[tuple[int, str]] | None = None  # (UAT SIRUTA, cadastral number)


def _bulk_target(cursor, new: int) -> bool:
    """Whether to fill the parcel table with its indexes and constraints rebuilt once:
    a large load into an empty or nearly empty table (a county's first import)."""
    if new < INITIAL_LOAD_MIN:
        return False
    cursor.execute("SELECT count(*) FROM (SELECT 1 FROM layers_parcel LIMIT %s) q", [new // 10 + 1])
    return cursor.fetchone()[0] <= new // 10


def counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT action, count(*) FROM imp_parcel GROUP BY action")
    return dict(cursor.fetchall())


def apply(
    cursor, *, source: str, ref: str, at, subrecords: bool, by_action: dict | None = None
) -> Applied:
    """History, updates, inserts and (CGXML) sub-records; returns the counters.

    `at` is the run's timestamp: the end of the old versions, the start of the new.
    `by_action`: the staging's counts, when the caller has them (staged_summary).
    """
    if by_action is None:
        by_action = counts(cursor)
    params = {"source": source[:40], "ref": ref[:64], "at": at}
    changed, new = by_action.get("changed", 0), by_action.get("new", 0)
    # statements with no row to write are skipped (each would scan the staging)
    if changed:
        cursor.execute(_HISTORY, params)
        cursor.execute(_UPDATE, params)
    bulk = _bulk_target(cursor, new)
    if bulk:
        with without_secondary(cursor, "layers_parcel"):
            cursor.execute(_INSERT, params)
        # the joins that follow need the new size; geometry statistics are left to
        # autovacuum after the commit
        cursor.execute("ANALYZE layers_parcel (id, uat_id, cadastral_number)")
    elif new:
        cursor.execute(_INSERT + _ON_CONFLICT, params)
    cursor.execute("DROP TABLE IF EXISTS imp_touched")
    if bulk:
        cursor.execute(_TOUCHED_BULK)
    else:
        cursor.execute(_TOUCHED if new or changed else _TOUCHED + " AND false")
    # the validation's joins with the parcel table are planned on the real size
    analyze(cursor, TOUCHED)
    if subrecords:
        cursor.execute("CREATE INDEX ON imp_touched (seq)")
        if bulk and not changed:
            for table, statement in _SUBRECORD_LOADS:
                with without_secondary(cursor, table):
                    cursor.execute(statement)
        else:
            for statement in _SUBRECORDS:
                cursor.execute(statement)
    cursor.execute(
        "SELECT t.parcel_id, u.siruta, t.cadastral_number FROM imp_touched t "
        "JOIN layers_uat u ON u.id = t.uat_id ORDER BY t.parcel_id"
    )
    ids: list[int] = []
    keys: list[tuple[int, str]] = []
    # in slices: a county's million rows are never held twice (as rows and as lists)
    while rows := cursor.fetchmany(50_000):
        ids += [row[0] for row in rows]
        keys += [(siruta, cad) for _id, siruta, cad in rows]
    return Applied(
        created=by_action.get("new", 0),
        updated=by_action.get("changed", 0),
        unchanged=by_action.get("same", 0),
        rejected=by_action.get("rejected", 0),
        parcel_ids=ids,
        parcel_keys=keys,
    )


def staging_findings(
    cursor, report: Report, *, limit: int = 500, counted: tuple[int, int] | None = None
) -> None:
    """Rejections, duplicates and repaired geometries found while normalising (one
    scan counts them, unless `counted` gives them; their details are fetched only when
    there are some)."""
    if counted is None:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE reject IS NOT NULL), "
            "count(*) FILTER (WHERE was_valid = false AND action <> 'rejected') FROM imp_parcel"
        )
        counted = cursor.fetchone()
    rejected, repaired = counted
    if rejected:
        _rejections(cursor, report, limit)
    if repaired:
        cursor.execute(
            "SELECT src, cadastral_number, invalid_reason FROM imp_parcel "
            "WHERE was_valid = false AND action <> 'rejected' ORDER BY seq LIMIT %s",
            [limit],
        )
        report.add_counted(
            "invalid_repaired",
            repaired,
            [
                {"source": s, "key": c, "detail": f"geometrie invalidă reparată: {r}"}
                for s, c, r in cursor.fetchall()
            ],
        )


def _rejections(cursor, report: Report, limit: int) -> None:
    cursor.execute(
        "SELECT reject, count(*) FROM imp_parcel WHERE reject IS NOT NULL GROUP BY reject"
    )
    totals = dict(cursor.fetchall())
    cursor.execute(
        "SELECT reject, src, COALESCE(cadastral_number, ''), uat_siruta, first_src, "
        "was_valid, invalid_reason FROM imp_parcel WHERE reject IS NOT NULL "
        "ORDER BY seq LIMIT %s",
        [limit * 4],
    )
    items: dict[str, list[dict]] = {}
    for reject, src, cad, siruta, first_src, was_valid, reason in cursor.fetchall():
        if reject == "duplicate":
            detail = f"număr cadastral repetat în fișier; prima apariție: {first_src}"
            kind = "duplicate"
        else:
            detail = REJECT_REASONS[reject]
            if reject == "uat" and siruta:
                detail = f"UAT necunoscut (SIRUTA {siruta})"
            if reject == "geom" and was_valid is False and reason:
                detail += f": {reason}"
            kind = "rejected"
        items.setdefault(kind, []).append({"source": src, "key": cad, "detail": detail})
    report.add_counted("duplicate", totals.pop("duplicate", 0), items.get("duplicate", []))
    report.add_counted("rejected", sum(totals.values()), items.get("rejected", []))


def building_findings(cursor, report: Report, *, limit: int = 500) -> None:
    cursor.execute(
        "SELECT s.src, s.cadastral_number, b.number, b.was_valid, b.invalid_reason, "
        "b.geom IS NULL OR ST_IsEmpty(b.geom) AS lost "
        "FROM imp_building b JOIN imp_parcel s ON s.seq = b.seq "
        "WHERE NOT b.was_valid OR b.geom IS NULL OR ST_IsEmpty(b.geom) ORDER BY b.seq"
    )
    for src, cad, number, _valid, reason, lost in cursor.fetchall():
        if lost:
            report.add(
                "rejected_building", src, cad, f"C{number}: geometrie nereparabilă ({reason})"
            )
        else:
            report.add(
                "invalid_repaired", src, cad, f"C{number}: geometrie invalidă reparată: {reason}"
            )
