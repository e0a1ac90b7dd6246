"""What the dossier and the draft act say: the template context built from the
application, the analysis and the cadastre (the templates only lay it out)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from permits.models import Application, Purpose

ACT_TEMPLATES = "permits/pdf/acts/{code}.html"
GENERIC_ACT = "permits/pdf/acts/generic.html"
SEVERITY_LABELS = {
    "ok": "conform",
    "info": "informare",
    "warning": "atenție",
    "violation": "neconform",
    "approval": "aviz necesar",
}
BAND_LABELS = {
    "ampriza": "ampriză",
    "siguranta": "zonă de siguranță",
    "protectie": "zonă de protecție",
}


def issuer_name() -> str:
    """The authority named on the documents (configurable, defaults to the OWS publisher)."""
    return getattr(settings, "PERMITS_ISSUER", "") or settings.OWS_CONTACT["organization"]


def _dominant(zones: list[dict[str, Any]]) -> dict[str, Any] | None:
    return max(zones, key=lambda z: z.get("area_m2") or 0) if zones else None


def _plans(zones: list[dict[str, Any]]) -> list[dict[str, Any]]:
    seen, plans = set(), []
    for zone in zones:
        key = (zone.get("plan"), zone.get("decision"))
        if key in seen:
            continue
        seen.add(key)
        plans.append(
            {
                "title": zone.get("plan"),
                "kind": zone.get("plan_kind"),
                "decision": zone.get("decision"),
                "decision_date": zone.get("decision_date"),
                "valid_until": zone.get("valid_until"),
            }
        )
    return plans


def act_templates(application: Application) -> list[str]:
    return [ACT_TEMPLATES.format(code=application.kind.code), GENERIC_ACT]


def dossier_context(
    *,
    application: Application,
    analysis: dict[str, Any],
    cadastre: list[dict[str, Any]],
    extracts: list,
    version: int,
    generated_at: datetime,
    warnings: list[str],
) -> dict[str, Any]:
    zones = analysis.get("zones") or []
    uats = analysis.get("uats") or []
    road = analysis.get("road")
    findings = [
        {**f, "severity_label": SEVERITY_LABELS.get(f.get("severity"), f.get("severity"))}
        for f in analysis.get("findings") or []
    ]
    road_bands = [
        {**b, "band_label": BAND_LABELS.get(b.get("band"), b.get("band"))}
        for b in analysis.get("road_bands") or []
    ]
    registration = application.registration
    return {
        "issuer": issuer_name(),
        "county": (uats[0].get("county") if uats else "") or settings.DEMO_COUNTY_NAME,
        "uat_names": ", ".join(u.get("name", "") for u in uats),
        "application": application,
        "kind": application.kind,
        "applicant": application.applicant,
        "purpose": Purpose(application.purpose).label if application.purpose else "",
        "registration": registration,
        "registered_on": timezone.localtime(registration.registered_at) if registration else None,
        "parcels": cadastre,
        "analysis": analysis,
        "subject": analysis.get("subject") or {},
        "intravilan": analysis.get("intravilan") or {},
        "zones": zones,
        "zone": _dominant(zones),
        "plans": _plans(zones),
        "restrictions": analysis.get("restrictions") or [],
        "road": road,
        "road_band_label": BAND_LABELS.get(road.get("innermost_band")) if road else None,
        "road_bands": road_bands,
        "findings": findings,
        "violations": [f for f in findings if f.get("severity") == "violation"],
        "approvals": analysis.get("approvals") or [],
        "extracts": extracts,
        "version": version,
        "generated_at": timezone.localtime(generated_at),
        "warnings": warnings,
        "act_templates": act_templates(application),
        "validity_months": application.kind.validity_months_default,
    }
