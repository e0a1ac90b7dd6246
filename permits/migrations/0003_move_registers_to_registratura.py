"""Register, RegisterCounter and RegistryEntry now live in `registratura` (one numbering
mechanism for the permit module and the register of documents). State only: the tables,
their rows and foreign keys stay as they are; only Django's idea of the owner changes."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("permits", "0002_seed_kinds"),
        ("registratura", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="applicationkind",
                    name="register",
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="application_kinds", to="registratura.register", verbose_name="registru de intrare"),
                ),
                migrations.AlterField(
                    model_name="applicationkind",
                    name="act_register",
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="act_kinds", to="registratura.register", verbose_name="registrul actelor emise"),
                ),
                migrations.AlterField(
                    model_name="application",
                    name="registration",
                    field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="application", to="registratura.registryentry", verbose_name="număr de înregistrare"),
                ),
                migrations.AlterField(
                    model_name="issuedact",
                    name="registration",
                    field=models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name="act", to="registratura.registryentry", verbose_name="număr act"),
                ),
                migrations.AlterField(
                    model_name="historicalapplication",
                    name="registration",
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="registratura.registryentry", verbose_name="număr de înregistrare"),
                ),
                migrations.AlterField(
                    model_name="historicalissuedact",
                    name="registration",
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name="+", to="registratura.registryentry", verbose_name="număr act"),
                ),
                migrations.DeleteModel(name="RegistryEntry"),
                migrations.DeleteModel(name="RegisterCounter"),
                migrations.DeleteModel(name="Register"),
            ],
        ),
    ]
