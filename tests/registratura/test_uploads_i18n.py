"""Refused uploads say why in the active language: the permit filing form shows these
messages on the English pages too."""

from __future__ import annotations

import pytest
from django.utils import translation

from registratura.services.uploads import AttachmentRefused, check_upload


@pytest.fixture(autouse=True)
def _default_language():
    """Start and end in the default language: a request served earlier in this thread by
    LocaleMiddleware may have left another one active."""
    translation.deactivate()
    yield
    translation.deactivate()


def _refusal(name: str, data: bytes) -> str:
    with pytest.raises(AttachmentRefused) as refused:
        check_upload(name=name, data=data)
    return str(refused.value)


def test_refusals_are_romanian_by_default():
    assert _refusal("a.pdf", b"") == "Fișierul este gol."
    assert _refusal("a.exe", b"MZ\x90\0") == (
        "Tip de fișier neacceptat: se acceptă doar PDF, JPEG sau PNG."
    )


def test_refusals_in_english_under_the_english_language(settings):
    settings.UPLOAD_MAX_MB = 1
    with translation.override("en"):
        assert _refusal("a.pdf", b"") == "The file is empty."
        assert _refusal("a.exe", b"MZ\x90\0") == (
            "File type not accepted: only PDF, JPEG or PNG are accepted."
        )
        assert _refusal("a.pdf", b"%PDF-1.4" + b"\0" * (1024 * 1024)) == (
            "The file exceeds the maximum size of 1 MB."
        )
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF"
    with translation.override("en"):
        assert _refusal("scan.png", pdf) == (
            "The file's content (application/pdf) does not match the extension “.png”."
        )
    assert _refusal("scan.png", pdf) == (
        "Conținutul fișierului (application/pdf) nu corespunde extensiei „.png”."
    )
