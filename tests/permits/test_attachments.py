"""Attachments are PDF, JPEG or PNG by their content, within the size and count limits."""

from __future__ import annotations

import hashlib

import pytest

from permits.models import Attachment
from permits.services import applications as services
from permits.services.attachments import (
    AttachmentRefused,
    add_attachment,
    check_upload,
    missing_documents,
    sniff,
)

from . import files

pytestmark = pytest.mark.django_db


def test_content_decides_not_the_name():
    assert sniff(files.pdf()).content_type == "application/pdf"
    assert sniff(files.png()).content_type == "image/png"
    assert sniff(files.jpeg()).content_type == "image/jpeg"
    assert check_upload(name="plan.PNG", data=files.png()).extension == ".png"
    assert check_upload(name="fara-extensie", data=files.jpeg()).extension == ".jpg"
    with pytest.raises(AttachmentRefused, match="nu corespunde extensiei"):
        check_upload(name="extras.pdf", data=files.png())  # a PNG named .pdf
    for executable in (files.ELF, files.PE):
        with pytest.raises(AttachmentRefused, match="doar PDF, JPEG sau PNG"):
            check_upload(name="cerere.pdf", data=executable)
    with pytest.raises(AttachmentRefused, match="doar PDF"):
        check_upload(name="x.pdf", data=b"<html><script>alert(1)</script></html>")
    with pytest.raises(AttachmentRefused, match="incomplet"):
        check_upload(name="x.pdf", data=files.pdf()[:-30])  # truncated: no %%EOF
    with pytest.raises(AttachmentRefused, match="cod"):
        script = b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
        check_upload(name="x.pdf", data=files.pdf().replace(b"/Type /Catalog", script))
    with pytest.raises(AttachmentRefused, match="deteriorat"):
        check_upload(name="x.png", data=files.png()[:30])  # PNG signature, broken body
    with pytest.raises(AttachmentRefused, match="gol"):
        check_upload(name="x.png", data=b"")


def test_size_and_count_limits(make_application, settings):
    application, _key = make_application()
    settings.UPLOAD_MAX_MB = 1
    big = files.pdf().replace(b"%%EOF", b"%" + b"x" * (1024 * 1024) + b"\n%%EOF")
    with pytest.raises(AttachmentRefused, match="1 MB"):
        add_attachment(application=application, name="mare.pdf", data=big)
    settings.PERMITS_MAX_ATTACHMENTS = 3
    for i in range(3):
        add_attachment(application=application, name=f"plan{i}.png", data=files.png())
    with pytest.raises(AttachmentRefused, match="numărul maxim de 3"):
        add_attachment(application=application, name="plan.png", data=files.png())
    assert application.attachments.count() == 3


def test_stored_under_a_random_name_with_its_hash(make_application, media):
    application, _ = make_application()
    data = files.pdf()
    attachment = add_attachment(
        application=application,
        name="../../etc/Extras CF <b>.pdf",
        data=data,
        document_code="extras-cadastral",
    )
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert attachment.content_type == "application/pdf" and attachment.size == len(data)
    assert attachment.original_name == "Extras CF _b_.pdf"
    assert ".." not in attachment.file.name and "Extras" not in attachment.file.name
    assert (media / attachment.file.name).read_bytes() == data
    missing = {d["code"] for d in missing_documents(application)}
    assert "extras-cadastral" not in missing and "cerere" in missing
    with pytest.raises(AttachmentRefused, match="Document necunoscut"):
        add_attachment(application=application, name="a.png", data=files.png(), document_code="x")


def test_no_uploads_once_registered_except_during_completion(make_application, officer):
    application, _ = make_application()
    application, _key = services.submit_application(application=application)
    with pytest.raises(AttachmentRefused, match="starea"):
        add_attachment(application=application, name="a.png", data=files.png())
    # an officer may add papers received at the desk
    add_attachment(application=application, name="a.png", data=files.png(), as_officer=True)
    services.take_in_review(application=application, user=officer)
    services.request_completion(application=application, user=officer, reason="Lipsește CF.")
    add_attachment(application=application, name="cf.pdf", data=files.pdf())
    assert Attachment.objects.filter(application=application).count() == 2
