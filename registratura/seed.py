"""Seed departments and document kinds from DOMAIN.md (data, edited in the admin when the
law changes). `seed(apps)` is idempotent; the data migration runs it with historical
models. Kinds of permit requests are not seeded here: the permit module registers them
with its own kinds' deadlines (registratura.services.documents.record_incoming)."""

from __future__ import annotations

from typing import Any

GENERAL_REGISTER = "registratura"

DEPARTMENTS: list[dict[str, str]] = [
    {"code": "registratura", "name": "Registratură și relații cu publicul"},
    {"code": "urbanism", "name": "Direcția de urbanism și amenajarea teritoriului"},
    {"code": "drumuri", "name": "Direcția de administrare a drumurilor județene"},
    {"code": "juridic", "name": "Serviciul juridic"},
]

KINDS: list[dict[str, Any]] = [
    {
        "code": "petitie",
        "name": "Petiție",
        "legal_basis": "OG 27/2002",
        "deadline_days": 30,
        "extended_deadline_days": 45,
        "department": "registratura",
        "notes": "Prelungire cu cel mult 15 zile; petițiile greșit îndreptate se redirecționează "
        "în 5 zile; petițiile anonime se clasează fără răspuns.",
        "order": 10,
    },
    {
        "code": "informatii-publice",
        "name": "Cerere de informații de interes public",
        "legal_basis": "Legea 544/2001",
        "deadline_days": 10,
        "extended_deadline_days": 30,
        "department": "registratura",
        "notes": "30 de zile dacă cererea este complexă (cu notificare în 10 zile); refuzul se "
        "comunică în 5 zile.",
        "order": 20,
    },
    {
        "code": "adresa",
        "name": "Adresă / corespondență de la o instituție",
        "legal_basis": "OG 27/2002",
        "deadline_days": 30,
        "department": None,
        "order": 30,
    },
    {
        "code": "informare",
        "name": "Document spre informare (fără răspuns)",
        "legal_basis": "",
        "deadline_days": None,
        "department": None,
        "order": 40,
    },
    {
        "code": "raspuns",
        "name": "Răspuns",
        "legal_basis": "",
        "deadline_days": None,
        "department": None,
        "order": 90,
    },
    {
        "code": "act-emis",
        "name": "Act emis",
        "legal_basis": "",
        "deadline_days": None,
        "department": None,
        "order": 91,
    },
]


def seed(apps) -> None:
    """Create or update the seed departments and document kinds."""
    Department = apps.get_model("registratura", "Department")
    DocumentKind = apps.get_model("registratura", "DocumentKind")
    departments = {}
    for row in DEPARTMENTS:
        departments[row["code"]], _ = Department.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"]}
        )
    for row in KINDS:
        values = dict(row)
        code = values.pop("code")
        department = values.pop("department")
        values["department"] = departments[department] if department else None
        DocumentKind.objects.update_or_create(code=code, defaults=values)
