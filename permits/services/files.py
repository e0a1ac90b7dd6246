"""Files stored inside a database transaction: a rolled-back transaction takes the row
with it but not the file, which would stay behind as an orphan nobody can reach (and, for
an applicant's upload, personal data kept without a record).

Django has on-commit hooks but none on rollback. When a transaction (or the savepoint
around the upload) rolls back, Django drops its pending on-commit callbacks; a finalizer
on the callback then sees that it was never called and deletes the file. In CPython the
callback is freed the moment Django drops it, so the file goes with the rollback.
"""

from __future__ import annotations

import logging
import weakref

from django.core.files.storage import Storage
from django.db import transaction

logger = logging.getLogger(__name__)


def delete_unless_committed(storage: Storage, name: str, *, using: str | None = None) -> None:
    """Delete `name` from `storage` if the current transaction does not commit (no-op in
    autocommit: the callback runs at once)."""
    committed = False

    def commit() -> None:
        nonlocal committed
        committed = True

    def discard() -> None:
        if committed:
            return
        try:
            storage.delete(name)
        except OSError:  # the storage is unreachable: log it, never mask the rollback
            logger.exception("could not delete %s after a rollback", name)

    weakref.finalize(commit, discard)
    transaction.on_commit(commit, using=using)
