"""Checks of an archive batch before anything is extracted: a zip is judged from its
central directory (names, types, declared sizes, compression ratios), so a path that
climbs out, a symlink or a zip bomb is refused without writing a byte.

A local copy of the idea of import_cadastru.readers.safety (a peer app arhiva may not
import), with limits sized for scans: few members, large ones.
"""

from __future__ import annotations

import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MIB = 1024 * 1024


class BatchRefused(Exception):
    """The whole batch is refused (hostile or broken input): nothing is imported."""


@dataclass(frozen=True)
class Limits:
    max_members: int = 20_000
    max_member_bytes: int = 2048 * MIB  # one scanned dossier
    max_total_bytes: int = 64 * 1024 * MIB
    max_ratio: int = 100  # scans compress poorly; a high ratio is a bomb ...
    ratio_min_bytes: int = 16 * MIB  # ... once the member is at least this large


def unsafe_name(name: str) -> bool:
    """True for absolute paths, drive letters, backslashes, NULs and `..` components."""
    if not name or "\x00" in name or "\\" in name:
        return True
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return any(part == ".." for part in PurePosixPath(name).parts)


def checked_members(path: Path, limits: Limits = Limits()) -> dict[str, zipfile.ZipInfo]:
    """Regular-file members of a zip by name, after checking every member."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except zipfile.BadZipFile:
        raise BatchRefused("arhiva zip este coruptă sau trunchiată") from None
    if len(infos) > limits.max_members:
        raise BatchRefused(f"arhiva are {len(infos)} fișiere, peste limita de {limits.max_members}")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        name = info.filename
        if unsafe_name(name):
            raise BatchRefused(f"arhiva conține o cale nepermisă „{name[:120]}”")
        if stat.S_ISLNK(info.external_attr >> 16):
            raise BatchRefused(f"arhiva conține o legătură simbolică „{name[:120]}”")
        if info.flag_bits & 0x1:
            raise BatchRefused(f"membrul „{name[:120]}” este criptat")
        if info.is_dir():
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.max_member_bytes or (
            info.file_size >= limits.ratio_min_bytes and ratio > limits.max_ratio
        ):
            raise BatchRefused(
                f"membrul „{name[:120]}” se dezarhivează la {info.file_size // MIB} MiB "
                f"(raport {ratio:.0f}): arhivă-bombă refuzată"
            )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise BatchRefused("arhiva depășește dimensiunea totală permisă (zip bomb?)")
        members[name] = info
    return members


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> None:
    """Copy one checked member to `target`, never more than its declared size."""
    left = info.file_size
    with archive.open(info) as src, open(target, "wb") as dst:
        while chunk := src.read(min(MIB, left + 1)):
            left -= len(chunk)
            if left < 0:
                raise BatchRefused(
                    f"membrul „{info.filename[:120]}” depășește dimensiunea declarată"
                )
            dst.write(chunk)
