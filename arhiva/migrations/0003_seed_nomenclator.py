"""Seed the nomenclator arhivistic and the kinds of archived acts.

The periods are the usual ones of county councils' urbanism departments (verify against
the institution's nomenclator approved by the National Archives); they are data, edited in
the admin, never constants in code.
"""

from django.db import migrations

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


def seed(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [("arhiva", "0002_search")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
