"""Page images to a searchable PDF and its text, page by page.

OCRmyPDF (Debian package) drives Tesseract with the Romanian language data; TIFF scans
are first wrapped into a PDF with Pillow at their scan resolution. The text of each page
is then read back from the searchable PDF with poppler's pdftotext, so born-digital pages
(skipped by OCR) and scanned pages give their text the same way.
"""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageSequence

PDF_MAGIC = b"%PDF-"
TIFF_MAGICS = (b"II*\x00", b"MM\x00*")
DEFAULT_DPI = 300


class OcrError(Exception):
    """The scan cannot be made searchable (corrupt file, OCR failure, timeout)."""


@dataclass(frozen=True)
class OcrResult:
    pdf: Path
    pages: list[str]


def scan_kind(head: bytes) -> str | None:
    """'pdf' or 'tiff' from the first bytes of a file, else None (content, not name)."""
    if head.startswith(PDF_MAGIC):
        return "pdf"
    if head[:4] in TIFF_MAGICS:
        return "tiff"
    return None


def tiff_to_pdf(source: Path, target: Path) -> None:
    """All frames of a (multi-page) TIFF into one image PDF at the scan's resolution."""
    try:
        with Image.open(source) as image:
            dpi = image.info.get("dpi", (DEFAULT_DPI, DEFAULT_DPI))[0] or DEFAULT_DPI
            frames = [
                frame.convert("L") if frame.mode not in ("1", "L", "RGB") else frame.copy()
                for frame in ImageSequence.Iterator(image)
            ]
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        raise OcrError(f"imaginea TIFF nu poate fi citită: {exc}") from exc
    frames[0].save(target, "PDF", save_all=True, append_images=frames[1:], resolution=dpi)


def _run(command: list[str], timeout: int) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        raise OcrError(f"{Path(command[0]).name} a depășit {timeout} s") from exc


def pdf_pages_text(pdf: Path) -> list[str]:
    """The text of each page (pdftotext separates pages by form feeds)."""
    done = _run([settings.ARHIVA_PDFTOTEXT_BIN, "-enc", "UTF-8", str(pdf), "-"], 300)
    if done.returncode != 0:
        raise OcrError(f"textul PDF nu poate fi extras: {done.stderr.strip()[:300]}")
    pages = done.stdout.split("\f")
    if pages and not pages[-1].strip():
        pages.pop()
    return [page.strip() for page in pages]


def make_searchable(source: Path, kind: str, target: Path) -> OcrResult:
    """OCR `source` (a PDF or TIFF) into the searchable PDF `target`; return its pages."""
    with tempfile.TemporaryDirectory(prefix="arhiva-ocr-") as tmp:
        pdf_in = source
        if kind == "tiff":
            pdf_in = Path(tmp) / "scan.pdf"
            tiff_to_pdf(source, pdf_in)
        command = [
            settings.ARHIVA_OCRMYPDF_BIN,
            "--language",
            settings.ARHIVA_OCR_LANGUAGES,
            "--jobs",
            str(settings.ARHIVA_OCR_JOBS),
            "--output-type",
            settings.ARHIVA_OCR_OUTPUT_TYPE,
            "--skip-text",  # born-digital pages keep their text
            "--rotate-pages",
            "--quiet",
            str(pdf_in),
            str(target),
        ]
        done = _run(command, settings.ARHIVA_OCR_TIMEOUT)
    # 0 = done; 6 = the PDF already had text on every page (it is copied as is)
    if done.returncode not in (0, 6) or not target.exists():
        message = (done.stderr or done.stdout).strip().splitlines()
        raise OcrError("OCR eșuat: " + (message[-1][:300] if message else f"cod {done.returncode}"))
    return OcrResult(pdf=target, pages=pdf_pages_text(target))
