"""Plain-language summary of what the rules allow on a parcel, for the citizen portal.

Built from the parcel card (layers.api_map.parcel_card), which carries no personal data.
Sentences are translated with Django's gettext (Romanian source, English catalogue).
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

BAND_LABELS = {
    "ampriza": gettext_noop("ampriză"),
    "siguranta": gettext_noop("zonă de siguranță"),
    "protectie": gettext_noop("zonă de protecție"),
}


def _num(value: float, decimals: int = 0) -> str:
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _uses(text: str) -> list[str]:
    return [part.strip() for part in (text or "").replace(";", ",").split(",") if part.strip()]


def zone_summary(zone: dict[str, Any], parcel_area: float) -> dict[str, Any]:
    """The rules of one UTR in sentences a citizen understands, with the numbers for this
    parcel (footprint and floor area allowed)."""
    pot, cut = float(zone["pot_max"]), float(zone["cut_max"])
    rules = [
        _(
            "Construcțiile pot ocupa cel mult %(pot)s%% din teren (POT), adică aproximativ "
            "%(area)s m² la sol."
        )
        % {"pot": _num(pot, 0 if pot == int(pot) else 1), "area": _num(parcel_area * pot / 100)},
        _(
            "Suprafața desfășurată a tuturor nivelurilor poate fi de cel mult %(cut)s × "
            "suprafața terenului (CUT), adică aproximativ %(area)s m²."
        )
        % {"cut": _num(cut, 2), "area": _num(parcel_area * cut)},
    ]
    if zone.get("height_max") is not None:
        height = float(zone["height_max"])
        text = _("Înălțimea maximă a clădirilor: %(h)s m") % {"h": _num(height, 0)}
        if zone.get("levels_max"):
            text += _(", cel mult %(n)s niveluri deasupra solului") % {"n": zone["levels_max"]}
        if zone.get("height_regime"):
            text += f" ({zone['height_regime']})"
        rules.append(text + ".")
    return {
        "code": zone["code"],
        "name": zone["name"],
        "plan": zone.get("plan") or "",
        "decision": zone.get("decision") or "",
        "decision_date": zone.get("decision_date") or "",
        "dominant_function": zone.get("dominant_function") or "",
        "percent": zone.get("percent"),
        "rules": rules,
        "allowed": _uses(zone.get("allowed_uses", "")),
        "conditioned": _uses(zone.get("conditioned_uses", "")),
        "forbidden": _uses(zone.get("forbidden_uses", "")),
    }


def road_summary(card: dict[str, Any]) -> str:
    road = card.get("road")
    if not road:
        return _("Terenul nu este lângă un drum județean.")
    if card.get("in_road_zone"):
        return _(
            "Terenul se află în zona drumului județean %(road)s (%(band)s, %(km)s). Pentru a "
            "construi sau a face un acces la drum este nevoie de acordul prealabil și de "
            "autorizația de amplasare și/sau acces ale administratorului drumului (%(admin)s)."
        ) % {
            "road": road["number"],
            "band": _(BAND_LABELS.get(road["innermost_band"], road["innermost_band"])),
            "km": road["nearest_km"],
            "admin": road.get("administrator") or _("administratorul drumului"),
        }
    return _(
        "Terenul nu se află în zona drumului județean; cel mai apropiat drum județean este "
        "%(road)s, la %(dist)s m (%(km)s)."
    ) % {"road": road["number"], "dist": _num(road["distance_m"]), "km": road["nearest_km"]}


def parcel_summary(card: dict[str, Any]) -> dict[str, Any]:
    area = float(card["measured_area_m2"])
    zones = [zone_summary(z, area * (z.get("percent") or 100) / 100) for z in card["zones"]]
    return {
        "card": card,
        "zones": zones,
        "no_zone": not zones,
        "road": road_summary(card),
        "restrictions": card["restrictions"],
        "approvals": card["approvals"],
        "in_road_zone": card["in_road_zone"],
    }
