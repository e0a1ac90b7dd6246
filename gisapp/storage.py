"""Media storage that never leaves a partly written file under a stored name.

Django's FileSystemStorage writes straight into the final path: a full disk, or a worker
killed half-way through a dossier, leaves a truncated PDF there. Here the content goes to
a hidden temporary file beside it, is flushed to disk, and is then hard-linked to the
final name (atomic, and like O_EXCL it never replaces an existing file); a failure
removes the temporary file and says plainly that nothing was saved.
"""

from __future__ import annotations

import errno
import os
import secrets
from pathlib import Path

from django.core.files.storage import FileSystemStorage


class StorageFull(OSError):
    """No space left for a file: nothing of it was kept."""


class AtomicFileSystemStorage(FileSystemStorage):
    def _save(self, name: str, content) -> str:
        full = Path(self.path(name))
        if self.directory_permissions_mode is None:
            full.parent.mkdir(parents=True, exist_ok=True)
        else:
            full.parent.mkdir(parents=True, exist_ok=True, mode=self.directory_permissions_mode)
        while True:
            part = full.with_name(f".{full.name}.{secrets.token_hex(4)}.part")
            try:
                self._write(part, content)
                try:
                    os.link(part, full)
                except FileExistsError:
                    name = self.get_available_name(name)
                    full = Path(self.path(name))
                    continue
                break
            finally:
                part.unlink(missing_ok=True)
        if self.file_permissions_mode is not None:
            os.chmod(full, self.file_permissions_mode)
        return str(name).replace("\\", "/")

    def _write(self, part: Path, content) -> None:
        try:
            with open(part, "xb") as handle:
                for chunk in content.chunks():
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise StorageFull(
                    exc.errno, f"Spațiu insuficient pentru fișier ({part.parent}); nu s-a salvat."
                ) from exc
            raise
