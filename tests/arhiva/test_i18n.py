"""The archive in English: the officers' pages, the API's refusals, the import's per-row
errors and the command's output are Romanian by default and English when the language
cookie or Accept-Language asks for it; the catalogue translates every marked string and
its compiled .mo matches it."""

from __future__ import annotations

import ast
import gettext
import re
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

import arhiva
from arhiva import importer, linking, retention
from arhiva.management.commands.import_arhiva import Command as ImportCommand
from arhiva.models import ArchiveImport
from layers.models import Parcel
from tests.arhiva import scans

pytestmark = pytest.mark.django_db

APP = Path(arhiva.__file__).parent
PO = APP / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


# --- the catalogue ---------------------------------------------------------------------


def parse_po(path: Path) -> list[dict]:
    """The entries of a .po file: msgctxt, msgid, msgstr, flags, locations, obsolete."""
    entries, entry, field = [], None, None

    def close():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in [*path.read_text().splitlines(), ""]:
        obsolete = line.startswith("#~")
        if obsolete:
            line = line[2:].lstrip()
        if not line.strip():
            close()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"flags": set(), "locations": [], "obsolete": False, "msgctxt": None}
        entry["obsolete"] |= obsolete
        if line.startswith("#,"):
            entry["flags"] |= {f.strip() for f in line[2:].split(",")}
        elif line.startswith("#:"):
            entry["locations"] += line[2:].split()
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += ast.literal_eval(line)
        else:
            field, _sep, value = line.partition(" ")
            entry[field] = ast.literal_eval(value)
    close()
    return entries


def _key(entry: dict) -> str:
    """The key of an entry in a compiled catalogue (gettext: context EOT msgid)."""
    return f"{entry['msgctxt']}\x04{entry['msgid']}" if entry["msgctxt"] else entry["msgid"]


def _placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\((\w+)\)s", text))


def test_every_entry_is_translated_and_the_mo_is_compiled_from_the_po():
    entries = [e for e in parse_po(PO) if e["msgid"]]
    assert len(entries) > 150  # templates, views, API, importer, command, models
    problems = [
        e["msgid"]
        for e in entries
        if not e["msgstr"].strip() or "fuzzy" in e["flags"] or e["obsolete"]
    ]
    assert problems == [], "untranslated, fuzzy or obsolete entries"
    for entry in entries:
        assert _placeholders(entry["msgstr"]) == _placeholders(entry["msgid"]), entry["msgid"]
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog
    assert {k: v for k, v in compiled.items() if k} == {_key(e): e["msgstr"] for e in entries}, (
        "django.mo differs from django.po: run compilemessages in arhiva/"
    )


def test_the_catalogue_holds_every_marked_string(tmp_path, monkeypatch, settings):
    """makemessages run on a copy of the app adds, changes and drops nothing: no string
    of the sources is missing from the committed catalogue, none is left over."""
    copy = tmp_path / "arhiva"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    settings.LOCALE_PATHS = []  # (makemessages would create the project's locale dir)
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["en"], verbosity=0)
    fresh = [e for e in parse_po(copy / "locale" / "en" / "LC_MESSAGES" / "django.po")]
    committed = {(e["msgctxt"], e["msgid"]): e["msgstr"] for e in parse_po(PO) if e["msgid"]}
    current = {(e["msgctxt"], e["msgid"]): e for e in fresh if e["msgid"] and not e["obsolete"]}
    assert sorted(set(current) - set(committed), key=str) == [], "not in the catalogue"
    assert sorted(set(committed) - set(current), key=str) == [], "no longer in the sources"
    assert [e["msgid"] for e in fresh if e["obsolete"] or "fuzzy" in e["flags"]] == []
    assert all(e["msgstr"] for e in current.values())


# --- the officers' pages ---------------------------------------------------------------

TEMPLATE_MESSAGES = [
    (e["msgid"], e["msgstr"])
    for e in parse_po(PO)
    if e["msgid"]
    and "%(" not in e["msgid"]
    and any(loc.startswith("templates/") for loc in e["locations"])
]


def _phrases(page: str, texts) -> tuple[set[str], str]:
    """Which of `texts` the page shows as phrases of their own (a translated literal is
    output as it is, not escaped), longest first, so that "Data" is not found inside
    "Data actului"; and the page without them."""
    found = set()
    for text in sorted(set(texts), key=len, reverse=True):
        pattern = rf"(?<!\w){re.escape(text)}(?!\w)"
        if re.search(pattern, page):
            found.add(text)
            page = re.sub(pattern, "\x00", page)
    return found, page


def _client(client, language: str | None, via: str):
    if language and via == "cookie":
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    elif language:
        client.defaults["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture
def acts(make_act, officer):
    parcels = list(Parcel.objects.select_related("uat").order_by("pk")[3:5])
    linked = make_act(
        kind="ac",
        year=1996,
        number="77",
        pages=("Autorizație de construire pentru o locuință", "Anexa: plan de situație, țiglă"),
        uat=parcels[0].uat,
        cadastral_numbers=(parcels[0].cadastral_number,),
    )
    # a second link, placed by the officer ("de ... la ...")
    linking.place_manually(linked, user=officer, parcel=parcels[1])
    unplaced = make_act(number="90", address="adresă de negăsit")
    expired = make_act(kind="cor", year=2000, number="5", pages=("Corespondență veche",))
    ArchiveImport.objects.create(source="/lot", message="2 acte importate")
    return {"linked": linked, "unplaced": unplaced, "expired": expired}


def _pages(client, acts) -> dict[str, str]:
    urls = {
        "search": reverse("arhiva:search") + "?q=tigla",
        "detail": reverse("arhiva:detail", args=[acts["linked"].pk]),
        "detail_expired": reverse("arhiva:detail", args=[acts["expired"].pk]),
        "unplaced": reverse("arhiva:unplaced"),
        "retention": reverse("arhiva:retention"),
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("via", ["cookie", "header"])
def test_pages_are_romanian_by_default_and_english_on_request(client, officer, acts, via):
    client.force_login(officer)
    romanian = _pages(client, acts)
    english = _pages(_client(client, "en", via), acts)

    # Romanian as before, down to the variable sentences
    assert '<html lang="ro">' in romanian["search"]
    assert "<h1>Căutare în arhiva digitală</h1>" in romanian["search"]
    assert "p. 2: " in romanian["search"] and "<mark>" in romanian["search"]
    assert "2 acte importate" in romanian["search"]
    assert "Autorizație de construire nr. 77/1996" in romanian["detail"]
    assert re.search(r"legat de imobile de demo\.officer la \d\d\.\d\d\.\d{4} ", romanian["detail"])
    assert " – poate fi eliminat din 01.01.2006</td>" in romanian["detail_expired"]
    assert "cu un clic." in romanian["unplaced"] and "adresă de negăsit" in romanian["unplaced"]
    assert "Înregistrează decizia de eliminare" in romanian["retention"]

    # English: every phrase of the templates that the Romanian page shows is translated
    translations = dict(TEMPLATE_MESSAGES)
    for name, page in romanian.items():
        shown, _rest = _phrases(page, translations)
        assert len(shown) >= 8, name
        found, rest = _phrases(english[name], translations.values())
        assert sorted({translations[ro] for ro in shown} - found) == [], name
        left, _rest = _phrases(rest, [ro for ro in shown if translations[ro] != ro])
        assert left == set(), f"{name}: left in Romanian"
    assert '<html lang="en">' in english["search"]
    assert "<h1>Search the digital archive</h1>" in english["search"]
    assert "p. 2: " in english["search"] and "<mark>" in english["search"]
    assert re.search(
        r"linked to properties by demo\.officer on \d\d\.\d\d\.\d{4} ", english["detail"]
    )
    assert " – may be disposed of from 01.01.2006</td>" in english["detail_expired"]
    assert "<th>Property</th><th>Method</th><th>Score</th><th>Linked by</th>" in english["detail"]
    assert "Place on the map</a>" in english["unplaced"]
    assert "or place the act directly on the map with a click." in english["unplaced"]
    assert "Record the disposal decision" in english["retention"]
    # the data stays as it is: act labels, addresses, import messages
    assert "Autorizație de construire nr. 77/1996" in english["detail"]
    assert "adresă de negăsit" in english["unplaced"]

    # and back: the English request left no English behind for the next one
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME, None)
    client.defaults.pop("HTTP_ACCEPT_LANGUAGE", None)
    again = client.get(reverse("arhiva:retention")).content.decode()
    assert "Înregistrează decizia de eliminare" in again and '<html lang="ro">' in again


def test_page_messages_follow_the_language(client, officer, acts):
    client.force_login(officer)
    place = reverse("arhiva:place", args=[acts["unplaced"].pk])
    missing = {"parcel": "900001:nu-exista", "next": reverse("arhiva:unplaced")}
    page = client.post(place, missing, follow=True).content.decode()
    assert "Amplasare eșuată: Imobilul nu-exista nu există în UAT 900001." in page

    english = _client(client, "en", "header")
    page = english.post(place, missing, follow=True).content.decode()
    assert "Placement failed: Property nu-exista does not exist in UAT 900001." in page
    parcel = Parcel.objects.select_related("uat").order_by("pk")[9]
    ref = {"parcel": f"{parcel.uat.siruta}:{parcel.cadastral_number}"}
    page = english.post(place, ref, follow=True).content.decode()
    assert f"{acts['unplaced']} has been placed." in page

    retention_url = reverse("arhiva:retention")
    form = {"documents": [acts["expired"].pk], "reason": "termen împlinit", "reference": "PV 1"}
    page = english.post(retention_url, form, follow=True).content.decode()
    assert re.search(r"Decision \d+ has been recorded; the files have been disposed of\.", page)
    refused = {"documents": [acts["linked"].pk], "reason": "x"}
    page = english.post(retention_url, refused, follow=True).content.decode()
    assert "Cannot be disposed of (retention period not yet over, permanent, " in page
    assert "AC nr. 77/1996" in page


# --- the API -----------------------------------------------------------------------------


def _api_refusals(client, citizen, officer, act) -> dict[str, str]:
    place = reverse("arhiva_api:place", args=[act.pk])
    client.force_login(citizen)
    not_officer = client.post(place, {"x": 1, "y": 2}, content_type="application/json")
    assert not_officer.status_code == 403
    client.force_login(officer)
    neither = client.post(place, {}, content_type="application/json")
    assert neither.status_code == 400
    unknown = client.get("/api/arhiva/", {"parcel": "900001:nu-exista"})
    assert unknown.status_code == 404
    bad_ref = client.get("/api/arhiva/", {"parcel": "nu-exista"})
    assert bad_ref.status_code == 400
    nothing = client.get("/api/arhiva/")
    assert nothing.status_code == 400
    return {
        "not_officer": not_officer.json()["detail"],
        "neither": neither.json()["non_field_errors"][0],
        "unknown": unknown.json()["detail"],
        "bad_ref": bad_ref.json()["parcel"],
        "nothing": nothing.json()[0],
    }


@pytest.mark.parametrize("via", ["cookie", "header"])
def test_api_refusals_are_romanian_by_default_and_english_on_request(
    client, citizen, officer, acts, via
):
    act = acts["unplaced"]
    assert _api_refusals(client, citizen, officer, act) == {
        "not_officer": "Arhiva este accesibilă doar funcționarilor.",
        "neither": "Indicați fie parcel, fie x și y.",
        "unknown": "Imobilul nu-exista nu există în UAT 900001.",
        "bad_ref": "Folosiți forma SIRUTA:nr_cadastral.",
        "nothing": "Indicați q (căutare) sau parcel (imobil).",
    }
    assert _api_refusals(_client(client, "en", via), citizen, officer, act) == {
        "not_officer": "The archive is accessible to officers only.",
        "neither": "Give either parcel or x and y.",
        "unknown": "Property nu-exista does not exist in UAT 900001.",
        "bad_ref": "Use the form SIRUTA:cadastral_number.",
        "nothing": "Give q (search) or parcel (property).",
    }


def test_api_disposal_refusal_in_english(client, officer, acts):
    client.force_login(officer)
    body = {"documents": [acts["linked"].pk], "reason": "x"}
    url = reverse("arhiva_api:retention")
    romanian = client.post(url, body, content_type="application/json")
    english = client.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert romanian.status_code == english.status_code == 400
    assert romanian.json()["detail"] == (
        "Nu pot fi eliminate (termen de păstrare neîmplinit, permanente, deja eliminate sau "
        "inexistente): AC nr. 77/1996"
    )
    assert english.json()["detail"] == (
        "Cannot be disposed of (retention period not yet over, permanent, already disposed of "
        "or nonexistent): AC nr. 77/1996"
    )


# --- services, the import and its command -----------------------------------------------


def test_service_refusals_follow_the_active_language(officer, acts):
    with pytest.raises(retention.DisposalRefused, match=r"^Motivarea deciziei este obligatorie"):
        retention.record_disposal(user=officer, document_ids=[acts["expired"].pk], reason=" ")
    with translation.override("en"):
        with pytest.raises(retention.DisposalRefused, match=r"^The decision's reason is mandatory"):
            retention.record_disposal(user=officer, document_ids=[acts["expired"].pk], reason=" ")
        with pytest.raises(ValueError, match=r"^Give either a property or a point on the map"):
            linking.place_manually(acts["unplaced"], user=officer)
        with pytest.raises(ValueError, match=r"^Give either a property or a point on the map"):
            linking.place_manually(
                acts["unplaced"], user=officer, parcel=Parcel.objects.first(), point=Point(0, 0)
            )


def test_row_errors_and_command_output_in_english(tmp_path):
    batch = tmp_path / "lot"
    batch.mkdir()
    rows = [
        {"fisier": "a.pdf", "an": "2001", "tip_act": "nope", "numar_act": "1"},
        {"fisier": "b.pdf", "an": "anul", "tip_act": "ac", "numar_act": "2"},
        {"fisier": "c.pdf", "an": "2001", "tip_act": "ac", "numar_act": "3", "data_act": "x"},
    ]
    (batch / "m.csv").write_text(scans.csv_text(rows, delimiter=","))
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("import_arhiva", str(batch), stdout=out, stderr=err)
    assert out.getvalue().strip() == "0 acts imported (0 pages), 0 unchanged, 3 rows with errors"
    lines = err.getvalue().splitlines()
    assert lines[0].startswith("line 2 (a.pdf): the act type “nope” does not exist (codes: ")
    assert lines[1] == "line 3 (b.pdf): the year “anul” is not a number"
    assert lines[2] == ("line 4 (c.pdf): the act date “x” is not a date (DD.MM.YYYY or YYYY-MM-DD)")
    # the same batch in Romanian (the default)
    out, err = StringIO(), StringIO()
    call_command("import_arhiva", str(batch), stdout=out, stderr=err)
    assert (
        out.getvalue().strip() == "0 acte importate (0 pagini), 0 neschimbate, 3 rânduri cu erori"
    )
    assert err.getvalue().splitlines()[1] == "rândul 3 (b.pdf): anul „anul” nu este un număr"
    parser = ImportCommand().create_parser("manage.py", "import_arhiva")
    assert "Importă un lot de dosare scanate" in parser.format_help()
    with translation.override("en"):
        parser = ImportCommand().create_parser("manage.py", "import_arhiva")
        text = " ".join(parser.format_help().split())
    assert "Import a batch of scanned dossiers" in text
    assert "the batch's .zip archive or directory" in text
    with (
        translation.override("en"),
        pytest.raises(importer.BatchRefused, match=r"^the CSV file is empty$"),
    ):
        importer.read_rows("")
