"""Bulk import of a zip of scans with a metadata CSV: bad rows are reported with their
line and reason while the good rows are imported; importing the same zip again changes
nothing; a hostile zip is refused whole. Runs OCR on two tiny scans."""

from __future__ import annotations

import io
import json
import zipfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from arhiva import importer
from arhiva.models import ArchiveDocument, ArchiveImport, ArchivePage, ParcelLink
from arhiva.safety import BatchRefused
from layers.models import Parcel
from tests.arhiva import scans

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def quick_ocr(settings):
    settings.ARHIVA_OCR_OUTPUT_TYPE = "pdf"  # PDF/A conversion is tested in test_ocr


def _batch(tmp_path: Path, parcel: Parcel) -> Path:
    siruta = str(parcel.uat.siruta)
    good = [
        {  # linked by cadastral number
            "fisier": "ac_12_1999.tif",
            "an": "1999",
            "tip_act": "AC",
            "numar_act": "12",
            "data_act": "03.05.1999",
            "siruta": siruta,
            "nr_cadastrale": parcel.cadastral_number,
        },
        {  # no cadastral number, an address nobody has: the unplaced queue
            "fisier": "cu_7_2004.pdf",
            "an": "2004",
            "tip_act": "cu",
            "numar_act": "7",
            "data_act": "2004-11-30",
            "adresa": "Str. Inexistentă nr. 999, Localitatea Nicăieri",
            "clasa_retentie": "c10",
        },
    ]
    bad = [
        {"fisier": "lipsa.pdf", "an": "2001", "tip_act": "cu", "numar_act": "8"},
        {"fisier": "cu_7_2004.pdf", "an": "anul", "tip_act": "cu", "numar_act": "9"},
        {"fisier": "cu_7_2004.pdf", "an": "2001", "tip_act": "xx", "numar_act": "10"},
        {"fisier": "text.pdf", "an": "2001", "tip_act": "cu", "numar_act": "11"},
        {
            "fisier": "cu_7_2004.pdf",
            "an": "2001",
            "tip_act": "cu",
            "numar_act": "12",
            "siruta": "123",
        },
        {
            "fisier": "cu_7_2004.pdf",
            "an": "2001",
            "tip_act": "cu",
            "numar_act": "13",
            "data_act": "31.02.2001",
        },
        {
            "fisier": "cu_7_2004.pdf",
            "an": "2001",
            "tip_act": "cu",
            "numar_act": "14",
            "clasa_retentie": "Z9",
        },
        {
            "fisier": "cu_7_2004.pdf",
            "an": "2001",
            "tip_act": "cu",
            "numar_act": "",
        },
        # same act as row 2 with another file: never silently replaced
        {"fisier": "cu_7_2004.pdf", "an": "1999", "tip_act": "ac", "numar_act": "12"},
    ]
    files = {
        "ac_12_1999.tif": scans.tiff_bytes([["Autorizație de construire nr. 12/1999"]]),
        "cu_7_2004.pdf": scans.pdf_bytes([["Certificat de urbanism nr. 7/2004"]]),
        "text.pdf": b"not a scan, only text",
    }
    return scans.write_zip(tmp_path / "lot.zip", good + bad, files)


def test_bad_rows_reported_good_rows_imported_and_reimport_changes_nothing(tmp_path, media):
    parcel = Parcel.objects.select_related("uat").order_by("pk")[10]
    batch = _batch(tmp_path, parcel)

    run = importer.execute(importer.start(batch))

    assert run.status == ArchiveImport.Status.WARNINGS
    assert (run.rows, run.imported, run.unchanged, run.failed) == (11, 2, 0, 9)
    errors = {e["line"]: e["error"] for e in run.errors}
    assert "„lipsa.pdf” nu există în lot" in errors[4]
    assert "anul „anul” nu este un număr" in errors[5]
    assert "tipul de act „xx” nu există" in errors[6]
    assert "nu este PDF sau TIFF" in errors[7]
    assert "SIRUTA 123 nu există" in errors[8]
    assert "31.02.2001" in errors[9]
    assert "clasa de păstrare „Z9” nu există" in errors[10]
    assert "„numar_act” este goală" in errors[11]
    assert "există deja în arhivă cu alt fișier" in errors[12]

    linked = ArchiveDocument.objects.get(kind__code="ac", year=1999, number="12")
    link = linked.links.get()
    assert (link.parcel_id, link.method, link.score) == (parcel.pk, "exact", None)
    assert linked.placement == "linked" and "12/1999" in linked.pages.get().text
    unplaced = ArchiveDocument.objects.get(kind__code="cu", number="7")
    assert unplaced.placement == "unplaced" and not unplaced.links.exists()
    assert unplaced.retention.code == "C10"
    for document in (linked, unplaced):
        stored = media / document.pdf
        assert stored.read_bytes().startswith(b"%PDF")

    state = (
        list(ArchiveDocument.objects.values_list("pk", "sha256", "pdf", "placement")),
        ArchivePage.objects.count(),
        ParcelLink.objects.count(),
        {p: p.stat().st_mtime_ns for p in media.rglob("*.pdf")},
    )
    again = importer.execute(importer.start(batch))
    assert (again.imported, again.unchanged, again.failed) == (0, 2, 9)
    assert again.errors == run.errors
    assert state == (
        list(ArchiveDocument.objects.values_list("pk", "sha256", "pdf", "placement")),
        ArchivePage.objects.count(),
        ParcelLink.objects.count(),
        {p: p.stat().st_mtime_ns for p in media.rglob("*.pdf")},
    )


def _zip(path: Path, members: dict[str, bytes], compress: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compress) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(
    ("members", "message"),
    [
        ({"../../etc/cron.d/x.pdf": b"%PDF", "m.csv": b"fisier"}, "cale nepermisă"),
        ({"/abs/x.pdf": b"%PDF", "m.csv": b"fisier"}, "cale nepermisă"),
        ({"bomb.tif": b"\0" * (40 * 1024 * 1024), "m.csv": b"fisier"}, "arhivă-bombă"),
        ({"a.pdf": b"%PDF"}, "exact un fișier CSV"),
        ({"m.csv": "fișier;an\n".encode()}, "lipsesc coloanele obligatorii"),
    ],
)
def test_hostile_or_unusable_zip_is_refused_whole(tmp_path, members, message):
    path = _zip(tmp_path / "lot.zip", members)
    with pytest.raises(BatchRefused, match=message):
        importer.import_batch(path)
    assert not ArchiveDocument.objects.exists()


def test_symlink_member_is_refused(tmp_path):
    path = tmp_path / "lot.zip"
    with zipfile.ZipFile(path, "w") as archive:
        info = zipfile.ZipInfo("scan.pdf")
        info.external_attr = 0o120777 << 16
        archive.writestr(info, "/etc/passwd")
        archive.writestr("m.csv", "fisier;an;tip_act;numar_act\n")
    with pytest.raises(BatchRefused, match="legătură simbolică"):
        importer.import_batch(path)


def test_folder_rows_cannot_climb_out(tmp_path):
    batch = tmp_path / "lot"
    batch.mkdir()
    (tmp_path / "secret.pdf").write_bytes(b"%PDF-1.4 secret")
    rows = [{"fisier": "../secret.pdf", "an": "2001", "tip_act": "cu", "numar_act": "1"}]
    (batch / "m.csv").write_text(scans.csv_text(rows))
    outcome = importer.import_batch(batch)
    assert outcome.imported == 0 and "nu există în lot" in outcome.errors[0]["error"]


def test_command_reports_rows_and_refuses_a_broken_zip(tmp_path):
    batch = tmp_path / "lot"
    batch.mkdir()
    rows = [{"fisier": "a.pdf", "an": "2001", "tip_act": "nope", "numar_act": "1"}]
    (batch / "m.csv").write_text(scans.csv_text(rows, delimiter=","))
    out, err = StringIO(), StringIO()
    report = tmp_path / "raport.json"
    call_command("import_arhiva", str(batch), "--report", str(report), stdout=out, stderr=err)
    assert "0 acte importate" in out.getvalue() and "1 rânduri cu erori" in out.getvalue()
    assert "rândul 2 (a.pdf): tipul de act „nope” nu există" in err.getvalue()
    assert json.loads(report.read_text())["errors"][0]["line"] == 2

    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04" + io.BytesIO(b"garbage" * 10).getvalue())
    with pytest.raises(CommandError, match=r"sursa trebuie|coruptă"):
        call_command("import_arhiva", str(broken), stdout=StringIO(), stderr=StringIO())
    assert ArchiveImport.objects.filter(status="failed").count() == 1


def test_queued_run_is_executed_once(tmp_path):
    batch = tmp_path / "lot"
    batch.mkdir()
    rows = [{"fisier": "a.pdf", "an": "2001", "tip_act": "cu", "numar_act": "1"}]
    (batch / "m.csv").write_text(scans.csv_text(rows))
    run = importer.start(batch)
    assert run.status == ArchiveImport.Status.QUEUED

    importer.execute_queued(run.pk)
    run.refresh_from_db()
    assert run.status == ArchiveImport.Status.WARNINGS and run.failed == 1
    finished = run.finished_at
    importer.execute_queued(run.pk)  # a retried job finds the run done: nothing happens
    run.refresh_from_db()
    assert run.finished_at == finished
