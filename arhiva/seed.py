"""The nomenclator arhivistic and the kinds of archived acts, as seeded data.

The periods are the usual ones of county councils' urbanism departments (verify against
the institution's nomenclator approved by the National Archives); they are data, edited in
the admin, never constants in code. Used by migration 0003 and by tests that run after a
transactional test flushed the tables.
"""

from __future__ import annotations

# code, name, years (None = permanent)
RETENTION = [
    ("P", "Permanent", None),
    ("C30", "30 de ani", 30),
    ("C10", "10 ani", 10),
    ("C5", "5 ani", 5),
    ("C3", "3 ani", 3),
]

# code, name, retention code
KINDS = [
    ("cu", "Certificat de urbanism", "C10"),
    ("ac", "Autorizație de construire", "P"),
    ("ad", "Autorizație de desființare", "P"),
    ("ap", "Acord prealabil (drum județean)", "C10"),
    ("aa", "Autorizație de amplasare și acces în zona drumului", "C10"),
    ("pv", "Proces-verbal de recepție", "P"),
    ("avz", "Aviz", "C10"),
    ("cor", "Corespondență", "C5"),
]


def seed(apps) -> None:
    retention_model = apps.get_model("arhiva", "RetentionClass")
    kind_model = apps.get_model("arhiva", "DocumentKind")
    classes = {}
    for code, name, years in RETENTION:
        classes[code] = retention_model.objects.get_or_create(
            code=code, defaults={"name": name, "years": years}
        )[0]
    for code, name, retention in KINDS:
        kind_model.objects.get_or_create(
            code=code, defaults={"name": name, "retention": classes[retention]}
        )


# The map layer of archived acts (view ows.arhiva_acte, migration 0004).
ATTRIBUTES = [
    "act_id",
    "tip",
    "tip_denumire",
    "numar",
    "an",
    "data_act",
    "eticheta",
    "nr_cadastral",
    "siruta",
    "legatura",
]
OFFICER_GROUPS = ["urbanism", "drumuri"]


def register_layer(apps) -> None:
    """The `arhiva_acte` layer of the registry, for the officers' groups only."""
    layer_model = apps.get_model("layers", "Layer")
    group_model = apps.get_model("auth", "Group")
    layer, created = layer_model.objects.get_or_create(
        name="arhiva_acte",
        defaults={
            "title": "Acte arhivate",
            "abstract": "Acte emise în trecut (arhiva digitală), pe imobilele la care se referă.",
            "group": "cadastru",
            "order": 85,
            "source_kind": "view",
            "source": "arhiva_acte",
            "geometry_type": "polygon",
            "max_scale": 25000,
            "label_attribute": "eticheta",
            "label_max_scale": 2500,
            "queryable_attributes": ATTRIBUTES,
            "access": "restricted",
        },
    )
    if not created:
        return
    for name in OFFICER_GROUPS:
        layer.allowed_groups.add(group_model.objects.get_or_create(name=name)[0])
    apps.get_model("layers", "StyleClass").objects.create(
        layer=layer,
        name="Act arhivat",
        order=0,
        fill_color="#e7298a",
        fill_opacity=20,
        stroke_color="#ae017e",
        stroke_width=1.5,
        label_color="#7a0177",
    )
