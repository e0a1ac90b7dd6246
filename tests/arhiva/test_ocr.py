"""OCR on generated scans: Romanian text with every diacritic rendered to a TIFF and to an
image-only PDF, made searchable by OCRmyPDF + Tesseract (ron), then found by words typed
with and without diacritics (and in the old cedilla forms)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from arhiva import importer, ocr, selectors
from arhiva.models import ArchiveDocument
from tests.arhiva import scans

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("ocrmypdf") is None, reason="ocrmypdf not installed"),
]

LINES = [
    "Autorizație de construire nr. 123/1998",
    "Se autorizează executarea lucrărilor de învelitoare din țiglă",
    "pe strada Mărășești, în județul Alba, pentru locuință.",
]


def test_tiff_scan_is_made_searchable_and_found_with_and_without_diacritics(tmp_path, officer):
    scan = tmp_path / "scan.tif"
    scan.write_bytes(scans.tiff_bytes([LINES, ["Pagina a doua: mansardă și pivniță."]]))
    rows = [{"fisier": "scan.tif", "an": "1998", "tip_act": "ac", "numar_act": "123"}]
    batch = tmp_path / "lot"
    batch.mkdir()
    shutil.copy(scan, batch / "scan.tif")
    (batch / "metadate.csv").write_text(scans.csv_text(rows))

    outcome = importer.import_batch(batch)

    assert outcome.errors == [] and outcome.imported == 1 and outcome.pages == 2
    document = ArchiveDocument.objects.get(number="123", year=1998)
    stored = Path(document.pdf)
    assert stored.suffix == ".pdf" and document.page_count == 2
    text = " ".join(document.pages.values_list("text", flat=True))
    assert "ş" not in text and "ţ" not in text  # stored with comma-below letters
    for words in (
        "țiglă",
        "tigla",
        "ţiglă",  # cedilla, as older documents type it
        "Mărășești",
        "MARASESTI",
        "autorizație construire",
        "autorizatie",
        "învelitoare",
        "invelitoarea",  # another form of the word: Romanian stemming
        "pivnita",
    ):
        found = selectors.search_text(words, user=officer)
        assert [h.document_id for h in found.hits] == [document.pk], words
    hit = selectors.search_text("marasesti", user=officer).hits[0]
    assert hit.page == 1 and "<mark>Mărășești</mark>" in hit.headline
    assert selectors.search_text("cărămidă", user=officer).hits == []


def test_image_only_pdf_gets_a_text_layer(tmp_path):
    source = tmp_path / "scan.pdf"
    source.write_bytes(
        scans.pdf_bytes([["Certificat de urbanism nr. 45/2003", "Regimul juridic: intravilan"]])
    )
    assert ocr.pdf_pages_text(source) == [""]  # nothing to find before OCR

    result = ocr.make_searchable(source, "pdf", tmp_path / "out.pdf")

    assert len(result.pages) == 1 and "intravilan" in result.pages[0]
    assert ocr.pdf_pages_text(result.pdf) == result.pages  # the text is in the PDF itself


def test_a_file_that_is_no_scan_is_refused(tmp_path):
    fake = tmp_path / "x.pdf"
    fake.write_bytes(b"%PDF-1.4 this is not a PDF at all")
    with pytest.raises(ocr.OcrError):
        ocr.make_searchable(fake, "pdf", tmp_path / "out.pdf")
    assert ocr.scan_kind(b"GIF89a..") is None
