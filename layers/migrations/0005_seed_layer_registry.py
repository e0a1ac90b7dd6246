"""Seed the layer registry with the stable public layers of the product."""

from django.db import migrations

# name, title, group, order, source kind, source, geometry, min/max scale denominators,
# label attribute, label max scale, queryable attributes, restricted to groups
LAYERS = [
    (
        "ortofoto",
        "Ortofotoplan",
        "fundal",
        10,
        "raster",
        "ortofoto/ortofoto.tif",
        "raster",
        None,
        None,
        "",
        None,
        [],
        [],
    ),
    (
        "uat",
        "Unități administrativ-teritoriale",
        "cadastru",
        20,
        "view",
        "uat",
        "polygon",
        None,
        None,
        "denumire",
        200000,
        ["siruta", "denumire", "tip", "judet"],
        [],
    ),
    (
        "intravilan",
        "Intravilan",
        "urbanism",
        30,
        "view",
        "intravilan",
        "polygon",
        None,
        None,
        "",
        None,
        ["localitate", "uat", "siruta"],
        [],
    ),
    (
        "pug_utr",
        "PUG – unități teritoriale de referință",
        "urbanism",
        40,
        "view",
        "pug_utr",
        "polygon",
        None,
        50000,
        "cod",
        25000,
        [
            "cod",
            "denumire",
            "functiune",
            "pot_max",
            "cut_max",
            "h_max",
            "niveluri_max",
            "regim_inaltime",
            "plan",
            "hcl",
            "siruta",
        ],
        [],
    ),
    (
        "restrictii",
        "Restricții",
        "restrictii",
        50,
        "view",
        "restrictii",
        "polygon",
        None,
        None,
        "",
        None,
        ["tip", "cod", "denumire", "temei_legal", "autoritate", "aviz"],
        [],
    ),
    (
        "zona_drumului",
        "Zona drumului județean",
        "drumuri",
        60,
        "view",
        "zona_drumului",
        "polygon",
        None,
        25000,
        "",
        None,
        ["drum", "banda", "intravilan"],
        [],
    ),
    (
        "parcele",
        "Parcele (imobile)",
        "cadastru",
        70,
        "view",
        "parcele",
        "polygon",
        None,
        25000,
        "nr_cadastral",
        2500,
        ["nr_cadastral", "nr_cf", "uat", "siruta", "intravilan", "suprafata", "folosinta"],
        [],
    ),
    (
        "cladiri",
        "Construcții",
        "cadastru",
        80,
        "view",
        "cladiri",
        "polygon",
        None,
        10000,
        "nr_constructie",
        1500,
        [
            "nr_constructie",
            "nr_cadastral",
            "siruta",
            "destinatie",
            "niveluri",
            "suprafata_construita",
        ],
        ["urbanism", "drumuri"],
    ),
    (
        "drumuri_judetene",
        "Drumuri județene",
        "drumuri",
        90,
        "view",
        "drumuri_judetene",
        "line",
        None,
        None,
        "numar",
        100000,
        ["numar", "denumire", "categorie", "administrator", "km_start", "lungime_m"],
        [],
    ),
]

# layer: (name, filter attribute, value, fill, fill opacity, stroke, width, label color)
CLASSES = {
    "uat": [("Limită UAT", "", "", "", 100, "#6a3d9a", 2.0, "#6a3d9a")],
    "intravilan": [("Intravilan", "", "", "#fdbf6f", 25, "#ff7f00", 1.5, "")],
    "pug_utr": [("UTR", "", "", "#a6cee3", 20, "#1f78b4", 1.5, "#1f78b4")],
    "restrictii": [
        ("Monument istoric", "tip", "monument", "#6a3d9a", 70, "#3f007d", 1.0, ""),
        (
            "Zonă de protecție monument",
            "tip",
            "zona_protectie_monument",
            "#cab2d6",
            30,
            "#6a3d9a",
            1.0,
            "",
        ),
        ("Sit Natura 2000", "tip", "natura2000", "#33a02c", 30, "#006d2c", 1.0, ""),
        ("Zonă inundabilă", "tip", "inundabil", "#1f78b4", 35, "#08519c", 1.0, ""),
        ("Culoar rețele", "tip", "servitute_utilitati", "#ff7f00", 35, "#a63603", 1.0, ""),
        ("Altă restricție", "", "", "#969696", 30, "#525252", 1.0, ""),
    ],
    "zona_drumului": [
        ("Ampriză", "banda", "ampriza", "#fb9a99", 60, "", 0, ""),
        ("Zonă de siguranță", "banda", "siguranta", "#fdbf6f", 45, "", 0, ""),
        ("Zonă de protecție", "banda", "protectie", "#ffff99", 40, "", 0, ""),
    ],
    "parcele": [
        ("Parcelă în intravilan", "intravilan", "da", "#fff2cc", 100, "#b15928", 0.8, "#7f2704"),
        ("Parcelă în extravilan", "", "", "#e5f5e0", 100, "#b15928", 0.8, "#7f2704"),
    ],
    "cladiri": [("Construcție", "", "", "#bdbdbd", 100, "#525252", 0.8, "#252525")],
    "drumuri_judetene": [("Drum județean", "", "", "", 100, "#e31a1c", 3.0, "#a50f15")],
}


def seed(apps, schema_editor):
    layer_model = apps.get_model("layers", "Layer")
    style_model = apps.get_model("layers", "StyleClass")
    group_model = apps.get_model("auth", "Group")
    for (
        name,
        title,
        group,
        order,
        kind,
        source,
        geometry,
        min_scale,
        max_scale,
        label,
        label_scale,
        attrs,
        groups,
    ) in LAYERS:
        layer, created = layer_model.objects.get_or_create(
            name=name,
            defaults={
                "title": title,
                "group": group,
                "order": order,
                "source_kind": kind,
                "source": source,
                "geometry_type": geometry,
                "min_scale": min_scale,
                "max_scale": max_scale,
                "label_attribute": label,
                "label_max_scale": label_scale,
                "queryable_attributes": attrs,
                "access": "restricted" if groups else "public",
            },
        )
        if not created:
            continue
        for group_name in groups:
            layer.allowed_groups.add(group_model.objects.get_or_create(name=group_name)[0])
        for n, (cls, attr, value, fill, opacity, stroke, width, label_color) in enumerate(
            CLASSES.get(name, [])
        ):
            style_model.objects.create(
                layer=layer,
                name=cls,
                order=n,
                filter_attribute=attr,
                filter_value=value,
                fill_color=fill,
                fill_opacity=opacity,
                stroke_color=stroke,
                stroke_width=width,
                label_color=label_color,
            )


class Migration(migrations.Migration):
    dependencies = [("layers", "0004_ows_views"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
