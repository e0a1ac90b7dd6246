"""The registers and their numbers move here from `permits` (state only: the tables keep
their names and rows; permits 0001 creates them on a fresh database). Content types are
renamed so that permissions granted on them survive the move."""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MOVED = ["register", "registercounter", "registryentry"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="permits", model__in=MOVED).update(
        app_label="registratura"
    )


def unmove_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="registratura", model__in=MOVED).update(
        app_label="permits"
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("permits", "0002_seed_kinds"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Register",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("code", models.SlugField(max_length=30, unique=True, verbose_name="cod")),
                        ("name", models.CharField(max_length=200, verbose_name="denumire")),
                        ("prefix", models.CharField(help_text="ex. „CU” în „CU-12/2025”", max_length=12, unique=True, validators=[django.core.validators.RegexValidator("^[A-Z][A-Z0-9]{0,11}$", "Majuscule și cifre.")], verbose_name="prefix afișat")),
                    ],
                    options={
                        "verbose_name": "registru",
                        "verbose_name_plural": "registre",
                        "ordering": ["code"],
                        "db_table": "permits_register",
                    },
                ),
                migrations.CreateModel(
                    name="RegisterCounter",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="an")),
                        ("last_number", models.PositiveIntegerField(default=0, verbose_name="ultimul număr")),
                        ("last_at", models.DateTimeField(blank=True, null=True, verbose_name="ultima înregistrare")),
                        ("register", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="counters", to="registratura.register", verbose_name="registru")),
                    ],
                    options={
                        "verbose_name": "contor de registru",
                        "verbose_name_plural": "contoare de registru",
                        "db_table": "permits_registercounter",
                        "constraints": [models.UniqueConstraint(fields=("register", "year"), name="permits_counter_uniq")],
                    },
                ),
                migrations.CreateModel(
                    name="RegistryEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("year", models.PositiveSmallIntegerField(verbose_name="an")),
                        ("number", models.PositiveIntegerField(verbose_name="număr")),
                        ("registered_at", models.DateTimeField(verbose_name="data înregistrării")),
                        ("reference", models.CharField(blank=True, max_length=100, verbose_name="document")),
                        ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="înregistrat de")),
                        ("register", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="entries", to="registratura.register", verbose_name="registru")),
                    ],
                    options={
                        "verbose_name": "înregistrare",
                        "verbose_name_plural": "înregistrări",
                        "ordering": ["register_id", "year", "number"],
                        "db_table": "permits_registryentry",
                        "constraints": [models.UniqueConstraint(fields=("register", "year", "number"), name="permits_registryentry_uniq")],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, unmove_content_types),
    ]
