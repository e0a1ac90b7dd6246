"""Public-column views in schema `ows`: the only relations MapServer's role may read.

MapServer applies WFS 1.x filters even on unpublished columns, so personal data must not
be reachable at all: these views carry public attributes only, and the `ows` database
role (layers.publishing.dbrole) gets SELECT on this schema and nothing else.
"""

from django.db import migrations

VIEWS = {
    "uat": """
        SELECT u.id, u.siruta, u.name AS denumire, u.kind AS tip, u.county AS judet, u.geom
        FROM layers_uat u""",
    "intravilan": """
        SELECT i.id, i.locality AS localitate, u.name AS uat, u.siruta, i.geom
        FROM layers_intravilan i LEFT JOIN layers_uat u ON u.id = i.uat_id""",
    "parcele": """
        SELECT p.id, p.cadastral_number AS nr_cadastral, p.land_book_number AS nr_cf,
               u.name AS uat, u.siruta,
               CASE WHEN p.intravilan THEN 'da' ELSE 'nu' END AS intravilan,
               round(p.measured_area::numeric, 2) AS suprafata,
               (SELECT string_agg(DISTINCT l.category, ',' ORDER BY l.category)
                  FROM layers_landuse l WHERE l.parcel_id = p.id) AS folosinta,
               p.geom
        FROM layers_parcel p LEFT JOIN layers_uat u ON u.id = p.uat_id""",
    "cladiri": """
        SELECT b.id, 'C' || b.number AS nr_constructie, p.cadastral_number AS nr_cadastral,
               u.siruta, b.destination AS destinatie, b.levels AS niveluri,
               round(b.built_area::numeric, 2) AS suprafata_construita, b.geom
        FROM layers_building b LEFT JOIN layers_parcel p ON p.id = b.parcel_id
        LEFT JOIN layers_uat u ON u.id = p.uat_id""",
    "drumuri_judetene": """
        SELECT r.id, r.number AS numar, r.name AS denumire, r.category AS categorie,
               r.administrator, r.km_start, round(ST_Length(r.geom)::numeric, 1) AS lungime_m,
               r.geom
        FROM layers_countyroad r""",
    "zona_drumului": """
        SELECT z.id, r.number AS drum, z.band AS banda,
               CASE WHEN z.intravilan THEN 'da' ELSE 'nu' END AS intravilan, z.geom
        FROM layers_roadzone z LEFT JOIN layers_countyroad r ON r.id = z.road_id""",
    "pug_utr": """
        SELECT z.id, z.code AS cod, z.name AS denumire, z.dominant_function AS functiune,
               z.pot_max, z.cut_max, z.height_max AS h_max, z.levels_max AS niveluri_max,
               z.height_regime AS regim_inaltime, p.kind AS plan, p.title AS plan_titlu,
               p.decision_number AS hcl, u.siruta, z.geom
        FROM layers_zone z LEFT JOIN layers_urbanplan p ON p.id = z.plan_id
        LEFT JOIN layers_uat u ON u.id = p.uat_id""",
    "restrictii": """
        SELECT r.id, r.kind AS tip, r.code AS cod, r.name AS denumire,
               r.legal_basis AS temei_legal, r.authority AS autoritate, r.approval AS aviz,
               r.geom
        FROM layers_restriction r""",
}

CREATE = "CREATE SCHEMA IF NOT EXISTS ows;\n" + "\n".join(
    f"CREATE OR REPLACE VIEW ows.{name} AS {sql};" for name, sql in VIEWS.items()
)
DROP = "DROP SCHEMA IF EXISTS ows CASCADE;"


class Migration(migrations.Migration):
    dependencies = [("layers", "0003_history_and_registry")]
    operations = [migrations.RunSQL(CREATE, DROP)]
