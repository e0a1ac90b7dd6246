"""Seed data for registers and kinds of request, from DOMAIN.md (values marked "verify"
there are data here, editable in the admin, never constants in code).

`seed(apps)` is idempotent; the data migration runs it with the historical models.
"""

from __future__ import annotations

from typing import Any

REGISTERS: list[dict[str, str]] = [
    {"code": "intrari-urbanism", "prefix": "U", "name": "Registrul cererilor de urbanism"},
    {"code": "intrari-drumuri", "prefix": "D", "name": "Registrul cererilor privind drumurile"},
    {"code": "registratura", "prefix": "RG", "name": "Registratura generală"},
    {"code": "acte-cu", "prefix": "CU", "name": "Registrul certificatelor de urbanism"},
    {"code": "acte-ac", "prefix": "AC", "name": "Registrul autorizațiilor de construire"},
    {"code": "acte-ad", "prefix": "AD", "name": "Registrul autorizațiilor de desființare"},
    {"code": "acte-ap", "prefix": "AP", "name": "Registrul acordurilor prealabile"},
    {"code": "acte-aa", "prefix": "AA", "name": "Registrul autorizațiilor de amplasare/acces"},
]

_CU_DOCS = [
    ("cerere", "Cerere-tip pentru emiterea certificatului de urbanism (formular F.1)", True),
    ("plan-incadrare", "Plan de încadrare în zonă (1:10 000 – 1:500)", True),
    (
        "extras-cadastral",
        "Extras de plan cadastral pe ortofotoplan și extras de carte funciară pentru informare",
        True,
    ),
    ("taxa", "Documentul de plată a taxei de eliberare", True),
]
_AC_DOCS = [
    ("cerere", "Cerere-tip pentru emiterea autorizației", True),
    ("cu", "Certificatul de urbanism (copie)", True),
    (
        "drept",
        "Documentul care atestă dreptul de a construi / desființa (extras CF actualizat)",
        True,
    ),
    ("documentatie", "Documentația tehnică (D.T.A.C. / D.T.A.D.)", True),
    ("avize", "Avizele și acordurile cerute prin certificatul de urbanism", True),
    ("mediu", "Actul administrativ al autorității pentru protecția mediului", False),
    ("taxa", "Documentul de plată a taxei de autorizare", True),
]
_ROAD_DOCS_PRELIMINARY = [
    ("cerere", "Cerere pentru emiterea acordului prealabil", True),
    ("cu", "Certificatul de urbanism valabil (copie)", True),
    ("plan-incadrare", "Plan de încadrare în zonă 1:2 000 / 1:5 000", True),
    ("plan-situatie", "Plan de situație 1:500 cu drumul județean și poziția km+m", True),
    ("memoriu", "Memoriu tehnic (funcțiunea, accesul, traficul estimat)", True),
]
_ROAD_DOCS_ACCESS = [
    ("cerere", "Cerere pentru emiterea autorizației de amplasare și/sau acces", True),
    ("acord", "Acordul prealabil valabil (copie)", True),
    ("proiect", "Proiectul tehnic al accesului / amplasării, verificat", True),
    ("plan-situatie", "Plan de situație 1:500 cu drumul județean și poziția km+m", True),
    ("tarif", "Dovada plății tarifului de emitere", True),
]
_GENERAL_DOCS = [("cerere", "Cererea / petiția semnată", False)]

KINDS: list[dict[str, Any]] = [
    {
        "code": "cu",
        "name": "Certificat de urbanism",
        "act_name": "Certificat de urbanism",
        "family": "urbanism",
        "legal_basis": "Legea 50/1991; Ordinul MDRL 839/2009 (formular F.6)",
        "deadline_days": 15,
        "register": "intrari-urbanism",
        "act_register": "acte-cu",
        "officer_group": "urbanism",
        "needs_subject": True,
        "asks_purpose": True,
        "asks_building": True,
        "builds_dossier": True,
        "validity_months_min": 6,
        "validity_months_max": 24,
        "validity_months_default": 12,
        "extension_months_max": 12,
        "extension_notice_days": 15,
        "notes": "Act de informare: același conținut pentru orice solicitant pe același imobil.",
        "order": 10,
        "documents": _CU_DOCS,
    },
    {
        "code": "ac",
        "name": "Autorizație de construire",
        "act_name": "Autorizație de construire",
        "family": "urbanism",
        "legal_basis": "Legea 50/1991, art. 7 alin. (1)",
        "deadline_days": 30,
        "register": "intrari-urbanism",
        "act_register": "acte-ac",
        "officer_group": "urbanism",
        "needs_subject": True,
        "asks_building": True,
        "builds_dossier": True,
        "validity_months_min": 12,
        "validity_months_max": 12,
        "validity_months_default": 12,
        "extension_months_max": 12,
        "extension_notice_days": 15,
        "prerequisite": "cu",
        "notes": "Termenul de valabilitate privește începerea lucrărilor.",
        "order": 20,
        "documents": _AC_DOCS,
    },
    {
        "code": "ac-anexe",
        "name": "Autorizație de construire – anexe gospodărești / agricole",
        "act_name": "Autorizație de construire",
        "family": "urbanism",
        "legal_basis": "Legea 50/1991, art. 7 alin. (1)",
        "deadline_days": 15,
        "register": "intrari-urbanism",
        "act_register": "acte-ac",
        "officer_group": "urbanism",
        "needs_subject": True,
        "asks_building": True,
        "builds_dossier": True,
        "validity_months_min": 12,
        "validity_months_max": 12,
        "validity_months_default": 12,
        "extension_months_max": 12,
        "extension_notice_days": 15,
        "prerequisite": "cu",
        "order": 25,
        "documents": _AC_DOCS,
    },
    {
        "code": "ad",
        "name": "Autorizație de desființare",
        "act_name": "Autorizație de desființare",
        "family": "urbanism",
        "legal_basis": "Legea 50/1991, art. 7 alin. (1)",
        "deadline_days": 30,
        "register": "intrari-urbanism",
        "act_register": "acte-ad",
        "officer_group": "urbanism",
        "needs_subject": True,
        "builds_dossier": True,
        "validity_months_min": 12,
        "validity_months_max": 12,
        "validity_months_default": 12,
        "extension_months_max": 12,
        "extension_notice_days": 15,
        "prerequisite": "cu",
        "order": 30,
        "documents": _AC_DOCS,
    },
    {
        "code": "acord-prealabil",
        "name": "Acord prealabil al administratorului drumului județean",
        "act_name": "Acord prealabil",
        "family": "drumuri",
        "legal_basis": "OG 43/1997, art. 46",
        "deadline_days": 30,
        "register": "intrari-drumuri",
        "act_register": "acte-ap",
        "officer_group": "drumuri",
        "needs_subject": True,
        "asks_building": True,
        "asks_access": True,
        "builds_dossier": True,
        "prerequisite": "cu",
        "notes": "Necesită un certificat de urbanism valabil; nu permite executarea lucrărilor; "
        "pentru o singură funcțiune declarată.",
        "order": 40,
        "documents": _ROAD_DOCS_PRELIMINARY,
    },
    {
        "code": "autorizatie-acces",
        "name": "Autorizație de amplasare și/sau acces în zona drumului județean",
        "act_name": "Autorizație de amplasare și/sau acces în zona drumului",
        "family": "drumuri",
        "legal_basis": "OG 43/1997, art. 46",
        "deadline_days": 30,
        "register": "intrari-drumuri",
        "act_register": "acte-aa",
        "officer_group": "drumuri",
        "needs_subject": True,
        "asks_building": True,
        "asks_access": True,
        "builds_dossier": True,
        "prerequisite": "acord-prealabil",
        "notes": "Necesită acordul prealabil valabil; contract și tarif cu administratorul "
        "drumului.",
        "order": 50,
        "documents": _ROAD_DOCS_ACCESS,
    },
    {
        "code": "audienta",
        "name": "Cerere de audiență",
        "family": "general",
        "register": "registratura",
        "order": 90,
        "documents": _GENERAL_DOCS,
    },
    {
        "code": "informatii-publice",
        "name": "Cerere de informații de interes public",
        "family": "general",
        "legal_basis": "Legea 544/2001",
        "deadline_days": 10,
        "extended_deadline_days": 30,
        "register": "registratura",
        "notes": "30 de zile dacă cererea este complexă (cu notificare în 10 zile); refuzul se "
        "comunică în 5 zile.",
        "order": 91,
        "documents": _GENERAL_DOCS,
    },
    {
        "code": "petitie",
        "name": "Petiție",
        "family": "general",
        "legal_basis": "OG 27/2002",
        "deadline_days": 30,
        "extended_deadline_days": 45,
        "register": "registratura",
        "notes": "Prelungire cu cel mult 15 zile; petițiile greșit îndreptate se redirecționează "
        "în 5 zile; petițiile anonime se clasează fără răspuns.",
        "order": 92,
        "documents": _GENERAL_DOCS,
    },
]


def _register_model(apps):
    """Registers live in registratura; permits 0002 runs before they moved there."""
    try:
        return apps.get_model("registratura", "Register")
    except LookupError:
        return apps.get_model("permits", "Register")


def seed(apps) -> None:
    """Create or update the seed registers, kinds and their documents."""
    Register = _register_model(apps)
    ApplicationKind = apps.get_model("permits", "ApplicationKind")
    RequiredDocument = apps.get_model("permits", "RequiredDocument")
    registers = {}
    for row in REGISTERS:
        registers[row["code"]], _ = Register.objects.update_or_create(
            code=row["code"], defaults={"prefix": row["prefix"], "name": row["name"]}
        )
    kinds = {}
    for row in KINDS:
        values = dict(row)
        documents = values.pop("documents")
        prerequisite = values.pop("prerequisite", None)
        values["register"] = registers[values["register"]]
        if values.get("act_register"):
            values["act_register"] = registers[values["act_register"]]
        values["prerequisite"] = kinds.get(prerequisite) if prerequisite else None
        code = values.pop("code")
        kinds[code], _ = ApplicationKind.objects.update_or_create(code=code, defaults=values)
        for order, (doc_code, name, mandatory) in enumerate(documents):
            RequiredDocument.objects.update_or_create(
                kind=kinds[code],
                code=doc_code,
                defaults={"name": name, "mandatory": mandatory, "order": order},
            )
