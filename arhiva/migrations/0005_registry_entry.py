import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("arhiva", "0004_ows_layer"),
        ("registratura", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="archivedocument",
            name="registry_entry",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="archived_acts",
                to="registratura.registryentry",
                verbose_name="cererea la care răspunde (nr. înregistrare)",
            ),
        ),
    ]
