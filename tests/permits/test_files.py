"""Files stored inside a transaction go away when it rolls back (no orphan uploads or
dossiers), and stay when it commits."""

from __future__ import annotations

import gc

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from permits.models import Attachment
from permits.services.attachments import add_attachment
from permits.services.files import delete_unless_committed

from . import files

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


def test_upload_rolled_back_leaves_no_file(make_application, media):
    application, _ = make_application()
    stored = []
    with pytest.raises(Boom), transaction.atomic():
        attachment = add_attachment(application=application, name="plan.png", data=files.png())
        stored.append(attachment.file.name)
        assert (media / attachment.file.name).exists()
        raise Boom  # e.g. the next document of the same filing is refused
    gc.collect()  # CPython frees at once; this only makes the test independent of it
    assert not (media / stored[0]).exists()
    assert not Attachment.objects.filter(application=application).exists()


def test_committed_upload_keeps_its_file(
    make_application, media, django_capture_on_commit_callbacks
):
    application, _ = make_application()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        attachment = add_attachment(application=application, name="plan.png", data=files.png())
    assert callbacks  # the commit hook ran
    del callbacks
    gc.collect()
    assert (media / attachment.file.name).read_bytes() == files.png()


def test_only_the_rolled_back_savepoint_loses_its_file(media, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        kept = default_storage.save("teste/pastrat.txt", ContentFile(b"da"))
        delete_unless_committed(default_storage, kept)
        with pytest.raises(Boom), transaction.atomic():
            lost = default_storage.save("teste/pierdut.txt", ContentFile(b"nu"))
            delete_unless_committed(default_storage, lost)
            raise Boom
        assert not (media / lost).exists()  # gone with its savepoint, before the commit
    gc.collect()
    assert (media / kept).read_bytes() == b"da"
