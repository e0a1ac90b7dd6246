"""Read queries of the archive: who sees which acts, full-text search with ranking and
snippets, the acts of a parcel, the unplaced queue and the retention report."""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from arhiva.models import TS_CONFIG, ArchiveDocument, ParcelLink
from layers.access import is_officer
from layers.models import Parcel
from registratura.models import Document as RegisterDocument

# Full-text hits ranked per query. A word found on most of a million pages ("autorizație")
# would otherwise rank every one of them; beyond this many hits the ranking is among the
# first ones found (the answer says so with `truncated`).
RANK_CANDIDATES = 1000
# Pages with all the words of a phrase query ("anexă locuință") read to check the phrase:
# two common words are together on most pages, the phrase on few. Beyond this many, the
# answer is the phrase's matches among them (`truncated` says so).
SCAN_BUDGET = 2000
SEARCH_LIMIT = 20
_MARK_START, _MARK_END = "\x02", "\x03"
_ACT_NUMBER = re.compile(
    r"^\s*(?:([A-Za-z]{2,3})\s+)?(?:nr\.?\s*)?([0-9][0-9A-Za-z.-]*)/(\d{4})\s*$"
)


# Full-text search of the visible acts (/*VISIBLE*/: no condition for officers). `cand`:
# pages with all the words (GIN answers exactly, no page is read) up to SCAN_BUDGET;
# `hits`: those that also match the phrases and exclusions of the query (this reads each
# page's tsvector, hence the budget), up to RANK_CANDIDATES; then the best page of each
# act, the top acts ranked and given a snippet (matches between \x02 and \x03, escaped
# later).
_SEARCH_SQL = """
WITH q AS (
    SELECT websearch_to_tsquery(%s::regconfig, %s) AS query,
           websearch_to_tsquery(%s::regconfig, %s) AS words
),
cand AS (
    SELECT p.id, p.document_id, p.number, p.tsv
    FROM arhiva_archivepage p, q
    -- the tsquery as a constant (not q.words): the planner then knows how common the
    -- words are and reads the table in order for a word on most pages, the index otherwise
    WHERE p.tsv @@ websearch_to_tsquery(%s::regconfig, %s) /*VISIBLE*/
    LIMIT %s
),
hits AS (
    SELECT c.* FROM cand c, q
    WHERE CASE WHEN q.words = q.query THEN true ELSE c.tsv @@ q.query END
    LIMIT %s
),
best AS (
    SELECT DISTINCT ON (h.document_id) h.document_id, h.id, h.number,
           ts_rank_cd(h.tsv, q.query) AS rank
    FROM hits h, q
    ORDER BY h.document_id, rank DESC, h.number
),
top AS (SELECT * FROM best ORDER BY rank DESC, document_id LIMIT %s)
SELECT t.document_id, t.number, t.rank,
       ts_headline(%s::regconfig, p.text, q.query,
           'MaxFragments=2, MaxWords=18, MinWords=6, FragmentDelimiter=" … ", '
           || 'StartSel=' || chr(2) || ', StopSel=' || chr(3)),
       (SELECT count(*) FROM hits),
       -- only a phrase query reads all its candidates; the others stop at the hits needed
       CASE WHEN q.words = q.query THEN false
            ELSE EXISTS (SELECT 1 FROM cand OFFSET %s) END
FROM top t JOIN arhiva_archivepage p ON p.id = t.id, q
ORDER BY t.rank DESC, t.document_id
"""


def visible_documents(user) -> QuerySet[ArchiveDocument]:
    """Acts the user may see: all (not disposed of) for officers; for anyone else only
    the acts that concern the user's own requests (through the registry entry)."""
    documents = ArchiveDocument.objects.filter(disposal__isnull=True)
    if is_officer(user):
        return documents
    if not user.is_authenticated:
        return documents.none()
    return documents.filter(_own_requests(user))


def documents_of_request(request: RegisterDocument) -> QuerySet[ArchiveDocument]:
    """The acts answering one request (not disposed of): what its sender sees with the
    number and tracking key of the request, with or without an account."""
    return ArchiveDocument.objects.filter(disposal__isnull=True, registry_entry_id=request.entry_id)


def _own_requests(user) -> Q:
    """Acts answering a request this user registered (filed online from their account;
    a paper request is registered by the clerk: its sender uses the receipt's tracking key,
    see `documents_of_request`)."""
    return Q(registry_entry__created_by=user)


@dataclass(frozen=True)
class Hit:
    document_id: int
    page: int
    rank: float
    headline: str


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    truncated: bool


def _headline_html(text: str) -> str:
    """ts_headline's fragment as safe HTML: OCR text escaped, matches in <mark>."""
    return html.escape(text).replace(_MARK_START, "<mark>").replace(_MARK_END, "</mark>")


def search_text(
    words: str,
    *,
    user,
    within: QuerySet[ArchiveDocument] | None = None,
    limit: int = SEARCH_LIMIT,
) -> SearchResult:
    """Acts the user may see (and among `within`, when given) whose pages contain
    `words` (web-search syntax: "phrase", -not, or), best first, each with its best page
    and a snippet; diacritics and case do not matter. Officers search every page
    (disposed-of acts have none left); anyone else only the pages of their own acts."""
    restrict = within if within is not None else visible_documents(user)
    visible, doc_params = "", []
    if within is not None or not is_officer(user):
        try:
            query = restrict.order_by().values("id").query
            doc_sql, doc_params = query.sql_with_params()
        except EmptyResultSet:  # the caller may see no act at all
            return SearchResult(hits=[], truncated=False)
        visible = f"AND p.document_id IN ({doc_sql})"
    with connection.cursor() as cursor:
        # the visible acts' subquery is Django's own SQL; every value is bound
        cursor.execute(
            _SEARCH_SQL.replace("/*VISIBLE*/", visible),
            [
                TS_CONFIG,
                words,
                TS_CONFIG,
                words.replace('"', " "),  # the same words without phrases
                TS_CONFIG,
                words.replace('"', " "),
                *doc_params,
                SCAN_BUDGET,
                RANK_CANDIDATES + 1,
                limit,
                TS_CONFIG,
                SCAN_BUDGET - 1,
            ],
        )
        rows = cursor.fetchall()
    hits = [Hit(r[0], r[1], float(r[2]), _headline_html(r[3])) for r in rows]
    truncated = bool(rows) and (rows[0][4] > RANK_CANDIDATES or rows[0][5])
    return SearchResult(hits=hits, truncated=truncated)


def by_act_number(text: str, documents: QuerySet[ArchiveDocument]) -> QuerySet | None:
    """ "AC 123/1998", "nr. 123/1998" or "123/1998" → the matching acts, else None."""
    found = _ACT_NUMBER.match(text)
    if not found:
        return None
    kind, number, year = found.groups()
    matches = documents.filter(number__iexact=number, year=int(year))
    return matches.filter(kind__code=kind.lower()) if kind else matches


def documents_of_parcel(
    parcel: Parcel, documents: QuerySet[ArchiveDocument]
) -> list[tuple[ArchiveDocument, ParcelLink]]:
    """The acts linked to a parcel, newest first, each with the link (how it was made)."""
    links = (
        ParcelLink.objects.filter(parcel=parcel, document__in=documents)
        .select_related("document__kind", "document__uat", "parcel__uat", "created_by")
        .order_by("-document__year", "-document__act_date", "document__number")
    )
    return [(link.document, link) for link in links]


def unplaced(documents: QuerySet[ArchiveDocument]) -> QuerySet[ArchiveDocument]:
    return documents.filter(placement=ArchiveDocument.Placement.UNPLACED).select_related(
        "kind", "uat"
    )


def disposal_date(document: ArchiveDocument) -> dt.date | None:
    """First day the act may be disposed of: its retention runs from 1 January of the year
    after the act (archival practice); None for permanent records."""
    years = document.retention.years
    return None if years is None else dt.date(document.year + years + 1, 1, 1)


def disposable(today: dt.date | None = None) -> QuerySet[ArchiveDocument]:
    """Acts whose retention has run out and that no decision has disposed of yet."""
    today = today or timezone.localdate()
    return (
        ArchiveDocument.objects.filter(disposal__isnull=True, retention__years__isnull=False)
        .annotate(disposable_from_year=F("year") + F("retention__years") + 1)
        .filter(disposable_from_year__lte=today.year)
        .select_related("kind", "retention", "uat")
        .order_by("year", "kind__code", "number")
    )
