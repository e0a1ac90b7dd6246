"""The daily register book as CSV and PDF: the day's entries (Bucharest day), in number
order, with answers linked; the PDF fetches nothing."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import UTC, date, datetime

import pytest
from django.utils import translation

from registratura.services import documents as services
from registratura.services import reports

pytestmark = pytest.mark.django_db
DAY = date(2036, 4, 7)


@pytest.fixture
def day_book(incoming, clerk):
    before = incoming(subject="ziua precedentă", now=datetime(2036, 4, 6, 20, 59, tzinfo=UTC))
    first = incoming(  # 00:10 in Bucharest (UTC+3): already 7 April
        subject="Sesizare iluminat public", now=datetime(2036, 4, 6, 21, 10, tzinfo=UTC)
    )
    second = incoming(
        kind="informatii-publice",
        channel="email",
        correspondent=services.Correspondent(name="Asociația <Verde> & Co"),
        subject='Cerere <img src="file:///etc/passwd"> buget 2035',
        now=datetime(2036, 4, 7, 9, 0, tzinfo=UTC),
    )
    answer = services.register_outgoing(
        in_reply_to=first,
        channel="posta",
        correspondent=services.Correspondent(name=first.correspondent_name),
        subject="Răspuns iluminat",
        user=clerk,
        now=datetime(2036, 4, 7, 12, 0, tzinfo=UTC),
    )
    after = incoming(subject="ziua următoare", now=datetime(2036, 4, 7, 21, 0, tzinfo=UTC))
    return {"before": before, "first": first, "second": second, "answer": answer, "after": after}


@pytest.mark.parametrize("request_language", ["ro", "en"])
def test_csv_lists_the_day_in_number_order(day_book, request_language):
    # The book is an official record in Romanian even when asked for from an English page.
    with translation.override(request_language):
        data = reports.register_book_csv(day=DAY)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == reports.COLUMNS
    labels = [r[0] for r in rows[1:]]
    expected = [day_book[k].entry.label for k in ("first", "second", "answer")]
    assert labels == expected
    first, second, answer = rows[1:]
    assert first[1] == "07.04.2036 00:10" and first[2] == "intrare" and first[3] == "ghișeu"
    assert first[5] == "Ștefan Țîrlea" and first[7] == "Sesizare iluminat public"
    assert first[12] == "soluționat" and first[14] == answer[0]
    assert first[11] == "07.05.2036"  # petiție: 30 days
    assert second[4] == "Cerere de informații de interes public" and second[3] == "e-mail"
    assert answer[2] == "ieșire" and answer[13] == first[0] and answer[12] == "expediat"
    # Another register's book of the same day is empty.
    assert (
        reports.register_book_csv(day=DAY, register="acte-cu").decode("utf-8-sig").count("\r\n")
        == 1
    )


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def test_pdf_has_the_day_and_fetches_nothing(day_book):
    pdf = reports.register_book_pdf(day=DAY)
    assert pdf.data.startswith(b"%PDF-") and pdf.entries == 3 and pdf.pages >= 1
    text = _pdf_text(pdf.data)
    assert "07.04.2036" in text
    for key in ("first", "second", "answer"):
        assert day_book[key].entry.label in text
    for key in ("before", "after"):
        assert day_book[key].entry.label not in text
    # Markup typed by a sender is printed as text, never fetched (cells wrap: by word).
    assert "<Verde>" in text and "&" in text
    assert "<img" in text and "passwd" in text
    assert "root:" not in text
    empty = reports.register_book_pdf(day=date(2036, 1, 1))
    assert empty.entries == 0 and "Nicio înregistrare" in _pdf_text(empty.data)


def test_the_fetcher_refuses_every_url():
    fetcher = reports.NoFetcher()
    for url in ("file:///etc/passwd", "http://example.org/x.png", "data:image/png;base64,AA=="):
        with pytest.raises(reports.BlockedResource):
            fetcher(url)
    assert len(fetcher.refused) == 3
