"""Generated scans for the archive tests: Romanian text rendered with a DejaVu font into
a 300-dpi page image, saved as TIFF or as an image-only PDF (no text layer), and batches
(zip + CSV) built from them. Pages are small strips so that OCR stays quick."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DPI = 300
HEADER = [
    "fisier",
    "an",
    "tip_act",
    "numar_act",
    "data_act",
    "adresa",
    "siruta",
    "nr_cadastrale",
    "clasa_retentie",
    "nr_inregistrare",
]


def page(lines: list[str]) -> Image.Image:
    """A bilevel-looking grey page strip with the lines in 11-pt type at 300 dpi."""
    font = ImageFont.truetype(FONT, 40)
    image = Image.new("L", (2000, 120 + 70 * len(lines)), 255)
    draw = ImageDraw.Draw(image)
    for n, line in enumerate(lines):
        draw.text((90, 60 + 70 * n), line, font=font, fill=0)
    return image


def tiff_bytes(pages: list[list[str]]) -> bytes:
    images = [page(lines) for lines in pages]
    out = io.BytesIO()
    images[0].save(out, "TIFF", save_all=True, append_images=images[1:], dpi=(DPI, DPI))
    return out.getvalue()


def pdf_bytes(pages: list[list[str]]) -> bytes:
    images = [page(lines) for lines in pages]
    out = io.BytesIO()
    images[0].save(out, "PDF", save_all=True, append_images=images[1:], resolution=DPI)
    return out.getvalue()


def csv_text(rows: list[dict[str, str]], delimiter: str = ";") -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: row.get(key, "") for key in HEADER})
    return out.getvalue()


def write_zip(path: Path, rows: list[dict[str, str]], files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("lot/metadate.csv", csv_text(rows))
        for name, data in files.items():
            archive.writestr(f"lot/{name}", data)
    return path
