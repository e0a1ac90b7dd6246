"""Seed the nomenclator arhivistic and the kinds of archived acts (arhiva.seed)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from arhiva.seed import seed

    seed(apps)


class Migration(migrations.Migration):
    dependencies = [("arhiva", "0002_search")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
