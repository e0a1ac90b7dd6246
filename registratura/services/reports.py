"""The daily register book (registrul de intrare-ieșire for one day) as CSV and PDF.

The PDF is rendered by WeasyPrint with a URL fetcher that refuses every URL: the book has
no images or external resources, so text a sender typed can neither read a local file nor
call out (DOMAIN.md)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from registratura.models import Document
from registratura.selectors import register_book

COLUMNS = [
    "Nr. înregistrare",
    "Data și ora",
    "Sens",
    "Canal",
    "Tip document",
    "Expeditor / destinatar",
    "Adresă",
    "Conținut pe scurt",
    "Nr. file",
    "Compartiment",
    "Funcționar",
    "Termen",
    "Stare",
    "Răspuns la",
    "Răspunsuri",
]


class BlockedResource(ValueError):
    """The register book asked for a URL; nothing is ever fetched."""


class NoFetcher(URLFetcher):
    """Refuses every URL (no file://, no network, no data:)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols=set(), allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        self.refused.append(url[:200])
        raise BlockedResource(f"Resursă externă blocată: {url[:80]}")

    __call__ = fetch


def _officer_name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def row(document: Document) -> list[str]:
    """One line of the register book, as printed and exported."""
    entry = document.entry
    answers = ", ".join(a.entry.label for a in document.answers.all())
    return [
        entry.label,
        timezone.localtime(entry.registered_at).strftime("%d.%m.%Y %H:%M"),
        document.get_direction_display(),
        document.get_channel_display(),
        document.kind.name if document.kind else "",
        document.correspondent_name,
        document.correspondent_address,
        document.subject,
        str(document.pages or ""),
        document.department.name if document.department else "",
        _officer_name(document.assigned_to),
        document.due_date.strftime("%d.%m.%Y") if document.due_date else "",
        document.get_status_display(),
        document.in_reply_to.entry.label if document.in_reply_to else "",
        answers,
    ]


def _rows(day: date, register: str | None) -> list[list[str]]:
    docs = register_book(day=day, register=register).prefetch_related("answers__entry__register")
    return [row(d) for d in docs]


def register_book_csv(*, day: date, register: str | None = None) -> bytes:
    """UTF-8 with BOM and semicolons: opens correctly in a Romanian spreadsheet.

    The register book is an official record: always in the institution's language
    (LANGUAGE_CODE), whatever language the request that asked for it was in.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return _book_csv(day, register)


def _book_csv(day: date, register: str | None) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows(_rows(day, register))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


@dataclass
class BookPdf:
    data: bytes
    pages: int
    entries: int


def register_book_pdf(*, day: date, register: str | None = None) -> BookPdf:
    """The day's register book as PDF, in the institution's language (see the CSV)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _book_pdf(day, register)


def _book_pdf(day: date, register: str | None) -> BookPdf:
    rows = _rows(day, register)
    html = render_to_string(
        "registratura/pdf/register_book.html",
        {
            "day": day,
            "register": register,
            "columns": COLUMNS,
            "rows": rows,
            "institution": getattr(settings, "DEMO_COUNTY_NAME", ""),
            "printed_at": timezone.localtime().strftime("%d.%m.%Y %H:%M"),
        },
    )
    document = HTML(string=html, base_url=None, url_fetcher=NoFetcher()).render()
    return BookPdf(data=document.write_pdf(), pages=len(document.pages), entries=len(rows))
