"""Seed the road-zone widths from OG 43/1997 (values marked "verify" in DOMAIN.md).

Outside localities the protection zone's outer edge is measured from the axis (motorway
50 m, national 22 m, county 20 m, communal 18 m). Inside localities the street profile of
the urban plan applies; the seed gives a typical profile that counties edit.
"""

from django.db import migrations

RULES = [
    # category, intravilan, ampriză half-width, safety, protection from axis, traffic gen.
    ("autostrada", False, 13.0, 5.0, 50.0, 50.0),
    ("national", False, 6.0, 1.5, 22.0, 30.0),
    ("judetean", False, 5.0, 1.5, 20.0, 30.0),
    ("comunal", False, 4.0, 1.5, 18.0, None),
    ("national", True, 6.0, 1.5, 12.0, None),
    ("judetean", True, 5.0, 1.5, 10.0, None),
    ("comunal", True, 4.0, 1.0, 8.0, None),
]


def seed(apps, schema_editor):
    rule = apps.get_model("layers", "RoadZoneRule")
    for category, intravilan, half, safety, protection, traffic in RULES:
        rule.objects.get_or_create(
            category=category,
            intravilan=intravilan,
            defaults={
                "ampriza_half_width": half,
                "safety_width": safety,
                "protection_distance": protection,
                "traffic_generator_distance": traffic,
                "legal_basis": "OG 43/1997 art. 16-19, 46-47; anexa nr. 1"
                if not intravilan
                else "OG 43/1997; profilul stradal din PUG (de verificat)",
            },
        )


class Migration(migrations.Migration):
    dependencies = [("layers", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
