"""Fixtures of the archive tests: seeded nomenclator and layer (a transactional test of
another app may have flushed them), a private MEDIA_ROOT, a citizen and an officer, and
acts created without OCR for the tests that are not about OCR."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps

from arhiva import linking
from arhiva.models import ArchiveDocument, ArchivePage, DocumentKind
from arhiva.seed import register_layer, seed


@pytest.fixture(autouse=True)
def seeded(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        seed(django_apps)
        register_layer(django_apps)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def citizen(django_user_model):
    return django_user_model.objects.create_user("cetatean.arhiva", password="parola-lunga-123")


@pytest.fixture
def make_act(media):
    """An archived act with its page texts and a stored PDF, linked like an import would."""

    def make(
        kind: str = "ac",
        year: int = 2001,
        number: str = "1",
        pages: tuple[str, ...] = ("Autorizație de construire",),
        address: str = "",
        uat=None,
        cadastral_numbers: tuple[str, ...] = (),
    ) -> ArchiveDocument:
        kind_obj = DocumentKind.objects.get(code=kind)
        data = f"%PDF-1.4 {kind} {number}/{year}".encode()
        sha = hashlib.sha256(data).hexdigest()
        relative = f"arhiva/{year}/{sha}.pdf"
        (media / relative).parent.mkdir(parents=True, exist_ok=True)
        (media / relative).write_bytes(data)
        document = ArchiveDocument.objects.create(
            kind=kind_obj,
            year=year,
            number=number,
            address=address,
            uat=uat,
            cadastral_numbers=list(cadastral_numbers),
            retention=kind_obj.retention,
            original_name=f"{number}.pdf",
            sha256=sha,
            pdf=relative,
            page_count=len(pages),
        )
        ArchivePage.objects.bulk_create(
            ArchivePage(document=document, number=n, text=text)
            for n, text in enumerate(pages, start=1)
        )
        linking.link_document(document)
        return document

    return make
