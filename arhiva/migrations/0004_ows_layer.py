"""The map layer of archived acts: a public-column view in schema `ows` (kind, number,
year, date, parcel, how it was linked; never the address or the text) registered in the
layer registry for the officers' groups only, like `cladiri`.

One row per act and linked parcel (the parcel's outline), plus the acts an officer
placed by a point (a 5 m circle); disposed-of acts are not shown."""

from django.db import migrations

VIEW = """
CREATE OR REPLACE VIEW ows.arhiva_acte AS
SELECT l.id, d.id AS act_id, k.code AS tip, k.name AS tip_denumire, d.number AS numar,
       d.year AS an, d.act_date AS data_act,
       upper(k.code) || ' ' || d.number || '/' || d.year AS eticheta,
       p.cadastral_number AS nr_cadastral, u.siruta, l.method AS legatura,
       p.geom::geometry(MultiPolygon, 3844) AS geom
FROM arhiva_parcellink l
JOIN arhiva_archivedocument d ON d.id = l.document_id
JOIN arhiva_documentkind k ON k.id = d.kind_id
JOIN layers_parcel p ON p.id = l.parcel_id
JOIN layers_uat u ON u.id = p.uat_id
WHERE d.disposal_id IS NULL
UNION ALL
SELECT -d.id, d.id, k.code, k.name, d.number, d.year, d.act_date,
       upper(k.code) || ' ' || d.number || '/' || d.year,
       NULL, u.siruta, 'manual',
       ST_Multi(ST_Buffer(d.location, 5, 4))::geometry(MultiPolygon, 3844)
FROM arhiva_archivedocument d
JOIN arhiva_documentkind k ON k.id = d.kind_id
LEFT JOIN layers_uat u ON u.id = d.uat_id
WHERE d.location IS NOT NULL AND d.disposal_id IS NULL;
"""

def register(apps, schema_editor):
    from arhiva.seed import register_layer

    register_layer(apps)


def unregister(apps, schema_editor):
    apps.get_model("layers", "Layer").objects.filter(name="arhiva_acte").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("arhiva", "0003_seed_nomenclator"),
        ("layers", "0005_seed_layer_registry"),
    ]
    operations = [
        migrations.RunSQL(VIEW, "DROP VIEW IF EXISTS ows.arhiva_acte;"),
        migrations.RunPython(register, unregister),
    ]
