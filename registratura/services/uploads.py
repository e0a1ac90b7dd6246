"""Uploaded files: PDF, JPEG or PNG recognised by their content, never by the name.

A file is accepted only if its bytes are what it claims (a .pdf that is a PNG, or an
executable renamed .pdf, is refused) and within settings.UPLOAD_MAX_MB. Shared by the permit
module (applicants' documents) and the front desk (scanned paper documents).
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image

EXTENSIONS = {
    "application/pdf": {".pdf"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/png": {".png"},
}
_ACTIVE_PDF = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia)\b")
_SAFE_NAME = re.compile(r"[^\w.\- ()]+", re.UNICODE)


class AttachmentRefused(ValueError):
    """The upload is not accepted; the message says why, in the active language (Romanian
    msgids, translated when raised so the request's language applies)."""


def max_bytes() -> int:
    return int(settings.UPLOAD_MAX_MB) * 1024 * 1024


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str


def sniff(data: bytes) -> Sniffed:
    """What the bytes are; AttachmentRefused unless a well-formed PDF, JPEG or PNG."""
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise AttachmentRefused(_("Fișierul PDF este incomplet sau deteriorat."))
        if _ACTIVE_PDF.search(data):
            raise AttachmentRefused(
                _("Fișierul PDF conține cod sau fișiere încorporate; încărcați un PDF simplu.")
            )
        return Sniffed("application/pdf", ".pdf")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        _verify_image(data, "PNG")
        return Sniffed("image/png", ".png")
    if data.startswith(b"\xff\xd8\xff"):
        _verify_image(data, "JPEG")
        return Sniffed("image/jpeg", ".jpg")
    raise AttachmentRefused(_("Tip de fișier neacceptat: se acceptă doar PDF, JPEG sau PNG."))


def _verify_image(data: bytes, expected: str) -> None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected:
                    raise AttachmentRefused(_("Imaginea nu este de tipul declarat."))
                image.verify()
    except AttachmentRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise AttachmentRefused(_("Imaginea are dimensiuni excesive.")) from exc
    except Exception as exc:  # Pillow raises many kinds on corrupt data
        raise AttachmentRefused(_("Imaginea este deteriorată sau incompletă.")) from exc


def clean_name(name: str) -> str:
    """The client's file name, reduced to something printable (kept for officers only)."""
    base = PurePath(name.replace("\\", "/")).name
    return _SAFE_NAME.sub("_", base)[:150] or "fisier"


def check_upload(*, name: str, data: bytes) -> Sniffed:
    """Size, then content; the extension, if any, must agree with the content."""
    if len(data) == 0:
        raise AttachmentRefused(_("Fișierul este gol."))
    if len(data) > max_bytes():
        raise AttachmentRefused(
            _("Fișierul depășește dimensiunea maximă de %(mb)s MB.")
            % {"mb": settings.UPLOAD_MAX_MB}
        )
    sniffed = sniff(data)
    suffix = PurePath(name).suffix.lower()
    if suffix and suffix not in EXTENSIONS[sniffed.content_type]:
        raise AttachmentRefused(
            _("Conținutul fișierului (%(type)s) nu corespunde extensiei „%(suffix)s”.")
            % {"type": sniffed.content_type, "suffix": suffix}
        )
    return sniffed
