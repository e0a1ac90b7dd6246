"""Seed the registers and kinds of request from DOMAIN.md (data, editable in the admin)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from permits.seed import seed

    seed(apps)


class Migration(migrations.Migration):
    dependencies = [("permits", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
