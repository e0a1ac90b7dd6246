"""Linking archived acts to parcels: by cadastral number in the act's UAT, else by the
act's address matched against parcel addresses (trigram similarity after unaccent, with
the house number required to agree), else the act waits in the unplaced queue for an
officer to place it on the map."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arhiva.models import ArchiveDocument, ParcelLink
from layers.models import UAT, Parcel

# Below this similarity an address is not trusted to designate a parcel (the demo's
# "Str. X nr. N, UAT" against "strada X nr N UAT" scores about 0.6-0.8).
ADDRESS_MIN_SCORE = 0.45
# A runner-up this close to the best match makes the address ambiguous (the same street
# and number in two localities when the address names neither).
AMBIGUITY_MARGIN = 0.1
# Candidates read from the database before the house-number check.
ADDRESS_CANDIDATES = 25
_NUMBER = re.compile(r"\b(?:nr\.?|numarul|numărul)\s*([0-9]+[a-z]?)\b", re.IGNORECASE)
_ANY_NUMBER = re.compile(r"\b([0-9]+[a-z]?)\b", re.IGNORECASE)


@dataclass(frozen=True)
class AddressMatch:
    parcel_id: int
    address: str
    score: float


def house_number(address: str) -> str | None:
    """The house number of an address ("nr. 12A" → "12a"), or None when it has none."""
    found = _NUMBER.search(address) or _ANY_NUMBER.search(address)
    return found.group(1).lower() if found else None


def _uat_in_address(address: str) -> int | None:
    """The UAT whose name the address ends with or contains (longest name wins)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM layers_uat"
            " WHERE arhiva_fold(%s) ~ ('\\m' || arhiva_fold(name) || '\\M')"
            " ORDER BY length(name) DESC LIMIT 1",
            [address],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def match_address(address: str, *, uat_id: int | None) -> AddressMatch | None:
    """The one parcel whose address best matches, or None when nothing matches well
    enough, the house number differs, or two parcels match equally (ambiguous)."""
    address = address.strip()
    if not address:
        return None
    uat_id = uat_id or _uat_in_address(address)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.address, similarity(arhiva_fold(p.address), arhiva_fold(%s)) AS s"
            " FROM layers_parcel p WHERE arhiva_fold(p.address) %% arhiva_fold(%s)"
            " AND (%s::bigint IS NULL OR p.uat_id = %s) ORDER BY s DESC, p.id LIMIT %s",
            [address, address, uat_id, uat_id, ADDRESS_CANDIDATES],
        )
        rows = cursor.fetchall()
    wanted = house_number(address)
    if wanted:
        rows = [r for r in rows if house_number(r[1]) == wanted]
    rows = [r for r in rows if r[2] >= ADDRESS_MIN_SCORE]
    if not rows or (len(rows) > 1 and rows[0][2] - rows[1][2] < AMBIGUITY_MARGIN):
        return None
    return AddressMatch(parcel_id=rows[0][0], address=rows[0][1], score=round(rows[0][2], 3))


@transaction.atomic
def link_document(document: ArchiveDocument, *, user=None) -> str:
    """Link a new act to its parcels; return its placement (linked or unplaced)."""
    links: list[ParcelLink] = []
    if document.cadastral_numbers and document.uat_id:
        parcels = Parcel.objects.filter(
            uat_id=document.uat_id, cadastral_number__in=document.cadastral_numbers
        ).only("id")
        links = [
            ParcelLink(document=document, parcel=p, method=ParcelLink.Method.EXACT, created_by=user)
            for p in parcels
        ]
    if not links and document.address:
        match = match_address(document.address, uat_id=document.uat_id)
        if match:
            links = [
                ParcelLink(
                    document=document,
                    parcel_id=match.parcel_id,
                    method=ParcelLink.Method.ADDRESS,
                    score=match.score,
                    matched_text=match.address[:300],
                    created_by=user,
                )
            ]
    ParcelLink.objects.bulk_create(links, ignore_conflicts=True)
    placement = ArchiveDocument.Placement.LINKED if links else ArchiveDocument.Placement.UNPLACED
    if document.placement != placement:
        document.placement = placement
        document.save(update_fields=["placement"])
    return placement


@transaction.atomic
def place_manually(
    document: ArchiveDocument,
    *,
    user,
    parcel: Parcel | None = None,
    point: Point | None = None,
) -> ArchiveDocument:
    """An officer places an act: on a parcel (a manual link) or, where no parcel fits, at
    a point of the map. Who and when are recorded on the link or on the act."""
    if (parcel is None) == (point is None):
        raise ValueError(_("Indicați fie un imobil, fie un punct pe hartă."))
    now = timezone.now()
    if parcel is not None:
        ParcelLink.objects.update_or_create(
            document=document,
            parcel=parcel,
            defaults={"method": ParcelLink.Method.MANUAL, "score": None, "created_by": user},
        )
        document.placement = ArchiveDocument.Placement.LINKED
    else:
        document.location = point
        if document.placement == ArchiveDocument.Placement.UNPLACED:
            document.placement = ArchiveDocument.Placement.POINT
    document.placed_by, document.placed_at = user, now
    document.save(update_fields=["placement", "location", "placed_by", "placed_at"])
    return document


def uat_by_siruta(siruta: int) -> UAT | None:
    return UAT.objects.filter(siruta=siruta).first()
