"""The front-desk clerks' group: clerks register documents without being GIS officers
(registratura.access). Its members are chosen in the admin."""

from django.db import migrations

FRONT_DESK_GROUP = "registratura"  # registratura.access.FRONT_DESK_GROUP


def forwards(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=FRONT_DESK_GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("registratura", "0003_seed_kinds"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
