"""Seed departments and document kinds from DOMAIN.md (data, editable in the admin)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from registratura.seed import seed

    seed(apps)


class Migration(migrations.Migration):
    dependencies = [("registratura", "0002_documents")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
