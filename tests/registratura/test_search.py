"""Search by number, date range (Bucharest days), sender, subject, status, direction."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from registratura.selectors import Search, search
from registratura.services import documents as services

pytestmark = pytest.mark.django_db


@pytest.fixture
def docs(incoming, clerk):
    a = incoming(
        correspondent=services.Correspondent(name="Ștefan Țîrlea"),
        subject="Iluminat public în Mureșeni",
        now=datetime(2037, 6, 1, 7, 0, tzinfo=UTC),
    )
    b = incoming(
        kind="informatii-publice",
        correspondent=services.Correspondent(name="Ana Pop"),
        subject="Buget drumuri județene",
        now=datetime(2037, 6, 2, 22, 30, tzinfo=UTC),  # 3 June in Bucharest
    )
    c = services.register_outgoing(
        in_reply_to=a,
        channel="posta",
        correspondent=services.Correspondent(name="Ștefan Țîrlea"),
        subject="Răspuns iluminat",
        user=clerk,
        now=datetime(2037, 6, 5, 9, 0, tzinfo=UTC),
    )
    a.refresh_from_db()
    return a, b, c


def _pks(criteria: Search) -> set[int]:
    return set(search(criteria).values_list("pk", flat=True))


def test_by_number_in_any_written_form(docs):
    a, b, c = docs
    assert a.entry.label == "RG-1/2037"
    assert _pks(Search(number="RG-1/2037")) == {a.pk}
    assert _pks(Search(number=" rg-2 / 2037 ")) == {b.pk}
    assert _pks(Search(number="3/2037")) == {c.pk}
    assert _pks(Search(number="3")) == {c.pk}
    assert _pks(Search(number="RG-3/2036")) == set()
    assert _pks(Search(number="'; drop table")) == set()


def test_by_dates_sender_subject_status(docs):
    a, b, c = docs
    assert _pks(Search(date_from=date(2037, 6, 3))) == {b.pk, c.pk}
    assert _pks(Search(date_to=date(2037, 6, 2))) == {a.pk}  # b is 3 June in Bucharest
    assert _pks(Search(date_from=date(2037, 6, 3), date_to=date(2037, 6, 3))) == {b.pk}
    assert _pks(Search(sender="stefan tirlea")) == {a.pk, c.pk}  # accents ignored
    assert _pks(Search(sender="ȚÎRLEA")) == {a.pk, c.pk}
    assert _pks(Search(subject="iluminat")) == {a.pk, c.pk}
    assert _pks(Search(subject="judetene")) == {b.pk}
    assert _pks(Search(status="solutionat")) == {a.pk}
    assert _pks(Search(status="inregistrat")) == {b.pk}
    assert _pks(Search(direction="iesire")) == {c.pk}
    assert _pks(Search(sender="tirlea", direction="intrare")) == {a.pk}
    assert _pks(Search(register="acte-cu")) == set()


def test_sender_and_subject_search_is_served_by_the_trigram_indexes(docs):
    """The folded sender and subject are indexed: the planner can answer a search from the
    index (the table is too small here to prefer it unless other plans are off)."""
    from django.db import connection, transaction

    for criteria, index in (
        (Search(sender="tirlea"), "registratura_doc_sender_trgm"),
        (Search(subject="iluminat publ"), "registratura_doc_subject_trgm"),
    ):
        sql, params = search(criteria).query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_indexscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        assert index in plan, plan
    # a literal % or _ in the words is a character, not a wildcard
    assert _pks(Search(subject="%")) == set() and _pks(Search(sender="_")) == set()
