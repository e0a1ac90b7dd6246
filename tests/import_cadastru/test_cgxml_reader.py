"""The CGXML reader's fast path (a strict regular grammar for e-Terra's plain shape)
gives exactly what the lxml tree gives, and leaves everything else to lxml."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from import_cadastru.readers import cgxml
from import_cadastru.readers.errors import InputRefused

DATA = Path(__file__).resolve().parents[1] / "data" / "cadastru"
FIXTURES = ["imobil_60101_doua_folosinte.cgxml", "bloc_60102_apartamente.cgxml"]
FIXTURES += ["extravilan_60201_empty.cgxml", "lot/60301.cgxml"]


def _plain(name: str) -> bytes:
    """A fixture without its comments: the shape e-Terra writes."""
    text = (DATA / name).read_text(encoding="utf-8")
    return re.sub(r"<!--.*?-->", "", text, flags=re.S).encode()


def _tree(data: bytes) -> tuple:
    records = cgxml._records(cgxml.parse_xml(data, "x"))
    return {k: v for k, v in records.items() if k != "Points"}, cgxml._points(records["Points"])


def _fast(data: bytes) -> tuple:
    records = cgxml._fast_records(data)
    assert records is not None
    return {k: v for k, v in records.items() if k != "Points"}, cgxml._points(records["Points"])


@pytest.mark.parametrize("name", FIXTURES)
@pytest.mark.parametrize(
    "change",
    [
        lambda d: d,
        lambda d: d.replace(b"<X>", b"<X> ").replace(b"</Y>", b" </Y>"),
        lambda d: d.replace(b"<NO>1</NO>", b"<NO>_empty</NO>"),
        lambda d: d.replace(b"<LANDID>1</LANDID>", b"<LANDID>1</LANDID><LANDID>_empty</LANDID>"),
        lambda d: d.replace(b"<CGXML ", b'<CGXML xmlns="urn:x" '),
        lambda d: d.replace(b"\n", b"\r\n"),
        lambda d: d.replace(b"<NOTES>_empty</NOTES>", b"<NOTES/>"),
        lambda d: d.replace(b'<?xml version="1.0" encoding="utf-8"?>', b""),
    ],
)
def test_fast_path_reads_what_the_tree_reads(name, change):
    data = change(_plain(name))
    assert _fast(data) == _tree(data)


def test_cedilla_and_empty_values_in_the_fast_path():
    data = _plain(FIXTURES[0])
    records = cgxml._fast_records(data)
    assert records is not None
    assert records["Address"][0]["STREETNAME"] == "Ștefan cel Mare"  # comma-below
    assert "PAPERLBNO" not in records["Land"][0]  # _empty is left out


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d.replace(b"</Land>", b"</Land><!-- c -->"),  # comment
        lambda d: d.replace(b"<CADGENNO>", b"<CADGENNO>&#54;"),  # reference
        lambda d: d.replace(b"<CADGENNO>", b"<CADGENNO><![CDATA[6]]>"),  # CDATA
        lambda d: d.replace(b"<CADGENNO>", b'<CADGENNO unit="x">'),  # attribute
        lambda d: d.replace(b"</Land>", b"<Extra><CADGENNO>1</CADGENNO></Extra></Land>"),
        lambda d: d.replace(b"</Land>", b"</Lnd>"),  # malformed
        lambda d: d[: len(d) // 2],  # truncated
        lambda d: d.replace(b"utf-8", b"windows-1250"),  # another encoding
        lambda d: d.replace(b"<CGXML ", b"<CGXML xsi:x='1' "),  # single quotes
        lambda d: d + b"<CGXML/>",  # a second root
    ],
)
def test_anything_else_is_left_to_lxml(change):
    data = change(_plain(FIXTURES[0]))
    assert cgxml._fast_records(data) is None
    try:
        expected = _tree(data)
    except InputRefused as exc:
        with pytest.raises(InputRefused) as refused:
            cgxml.read_records(data, "x")
        assert refused.value.message == exc.message
    else:
        records = cgxml.read_records(data, "x")
        others = {k: v for k, v in records.items() if k != "Points"}
        assert (others, cgxml._points(records["Points"])) == expected


@pytest.mark.parametrize("name", ["rele/billion_laughs.cgxml", "rele/xxe_entitate_externa.cgxml"])
def test_doctype_is_refused_before_any_reading(name):
    with pytest.raises(InputRefused, match="DOCTYPE"):
        cgxml.read_records((DATA / name).read_bytes(), name)


def _mutants(count: int, seed: int):
    """Fixtures in the plain shape (and with e-Terra's namespace declarations), each
    changed in one to three places by deleting, duplicating or inserting markup."""
    import random

    plain = [_plain(name) for name in FIXTURES]
    root = (
        b'<CGXML xmlns="http://www.ancpi.ro/cgxml" '
        b'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        b'xsi:schemaLocation="http://www.ancpi.ro/cgxml cgxml.xsd">'
    )
    plain += [data.replace(b"<CGXML>", root) for data in plain]
    tokens = [b"<", b">", b"</", b"/>", b"&", b"&amp;", b"]]>", b"<!--", b"\r", b"\x00"]
    tokens += [b" ", b"<?pi?>", b'"', b"=", b"<X>", b"</X>", b"<![CDATA[", b"\xc3", b"\xff"]
    tokens += [b"_empty", b'xmlns:a="u"', b"a:b", b":", b"\x01"]
    rng = random.Random(seed)
    for _ in range(count):
        data = bytearray(rng.choice(plain))
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(data) + 1)
            roll = rng.random()
            if roll < 0.3:
                del data[at : at + rng.randint(1, 8)]
            elif roll < 0.7:
                data[at:at] = rng.choice(tokens)
            else:
                start = rng.randrange(len(data) + 1)
                data[at:at] = data[start : start + rng.randint(1, 40)]
        yield bytes(data)


def test_the_fast_path_never_accepts_what_lxml_refuses_nor_reads_otherwise():
    """Differential test on damaged documents: whatever the fast path accepts, lxml
    accepts too and reads the same records (two cases found this way: a namespace URI
    lxml refuses, a control character in a root attribute)."""
    accepted = 0
    for data in _mutants(6000, seed=11):
        if cgxml._fast_records(data) is None:
            continue
        accepted += 1
        assert _fast(data) == _tree(data), data[:200]
    assert accepted > 50  # the test exercises the fast path, not only the fallback
