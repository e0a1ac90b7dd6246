"""Size and archive checks made before any byte of an input is parsed.

A zip is inspected from its central directory only: member names, types, declared sizes
and compression ratios are checked before a member is read, so a zip bomb, a path that
climbs out of the archive or a symlink is refused without being extracted. Members are
later read with `zipfile` (bounded by the declared size) or by GDAL through /vsizip/,
never extracted to disk.
"""

from __future__ import annotations

import os
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from import_cadastru.readers.errors import InputRefused

MIB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one import; the defaults suit a county's batch of CGXML files."""

    max_file_bytes: int = 2048 * MIB  # one input file (or upload) as stored
    max_members: int = 250_000  # members of one zip
    max_member_bytes: int = 1024 * MIB  # one uncompressed member
    max_xml_bytes: int = 50 * MIB  # one uncompressed CGXML document
    max_total_bytes: int = 8192 * MIB  # all uncompressed members of one zip
    max_ratio: int = 200  # compression ratio of a member that counts as a bomb ...
    ratio_min_bytes: int = 8 * MIB  # ... once it is at least this large


def _human(size: int) -> str:
    return f"{size / MIB:.1f} MiB" if size >= MIB else f"{size} B"


def check_file(path: Path, limits: Limits) -> int:
    """Refuse a missing, special, empty or oversized file; return its size."""
    name = path.name
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise InputRefused("fișierul nu există", source=name) from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise InputRefused("nu este un fișier obișnuit (legătură simbolică?)", source=name)
    if info.st_size == 0:
        raise InputRefused("fișierul este gol", source=name)
    if info.st_size > limits.max_file_bytes:
        raise InputRefused(
            f"fișierul are {_human(info.st_size)}, peste limita de {_human(limits.max_file_bytes)}",
            source=name,
        )
    return info.st_size


def _unsafe_name(name: str) -> bool:
    """True for absolute paths, drive letters, backslashes and `..` components."""
    if not name or "\x00" in name or "\\" in name:
        return True
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return True
    return ".." in name and ".." in name.split("/")


class Member(NamedTuple):
    """A checked zip member as a worker reads it: from its offset, without the zip's
    central directory (which costs more to parse than a hundred small members). A named
    tuple: a county's batch makes a hundred thousand, each pickled to a worker."""

    filename: str
    header_offset: int
    compress_size: int
    file_size: int
    CRC: int  # zipfile.ZipInfo's name
    compress_type: int
    flag_bits: int

    @classmethod
    def of(cls, info: zipfile.ZipInfo) -> Member:
        return cls(
            info.filename,
            info.header_offset,
            info.compress_size,
            info.file_size,
            info.CRC,
            info.compress_type,
            info.flag_bits,
        )


# zip listings already checked in this process, by file identity and limits: an import
# looks at a zip's members to tell its kind, then to split it into tasks (an import of
# more zips than the cache holds would list each twice); forgotten after each import
_checked: dict[tuple, list[zipfile.ZipInfo]] = {}
CHECKED_ZIPS = 256


def forget_checked_zips() -> None:
    """Drop the listings kept by zip_members (an import calls it when it ends)."""
    _checked.clear()


def zip_members(path: Path, limits: Limits) -> list[zipfile.ZipInfo]:
    """The regular-file members of a zip after checking every member; refuse the zip
    when any member is unsafe (a bad archive is hostile or broken, never half-read)."""
    try:
        info = os.stat(path)
    except OSError:
        return _zip_members(path, limits)
    key = (os.path.realpath(path), info.st_ino, info.st_size, info.st_mtime_ns, limits)
    members = _checked.get(key)
    if members is None:
        members = _zip_members(path, limits)
        if len(_checked) >= CHECKED_ZIPS:
            _checked.clear()
        _checked[key] = members
    return list(members)


def _zip_members(path: Path, limits: Limits) -> list[zipfile.ZipInfo]:
    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise InputRefused("arhiva zip este coruptă sau trunchiată", source=name) from None
    with archive:
        infos = archive.infolist()
    if len(infos) > limits.max_members:
        raise InputRefused(
            f"arhiva are {len(infos)} fișiere, peste limita de {limits.max_members}",
            source=name,
        )
    total = 0
    members = []
    for info in infos:
        member = info.filename
        if _unsafe_name(member):
            raise InputRefused(
                f"arhiva conține o cale nepermisă „{member[:120]}” (absolută sau cu ../)",
                source=name,
            )
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise InputRefused(f"arhiva conține o legătură simbolică „{member[:120]}”", source=name)
        if info.flag_bits & 0x1:
            raise InputRefused(f"membrul „{member[:120]}” este criptat", source=name)
        if info.is_dir():
            continue
        if info.file_size > limits.max_member_bytes:
            raise InputRefused(
                f"membrul „{member[:120]}” are {_human(info.file_size)} dezarhivat, peste "
                f"limita de {_human(limits.max_member_bytes)} (zip bomb?)",
                source=name,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= limits.ratio_min_bytes and ratio > limits.max_ratio:
            raise InputRefused(
                f"membrul „{member[:120]}” se dezarhivează de {ratio:.0f} ori "
                f"({_human(info.file_size)}): arhivă-bombă refuzată",
                source=name,
            )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise InputRefused(
                f"arhiva are peste {_human(limits.max_total_bytes)} dezarhivat (zip bomb?)",
                source=name,
            )
        members.append(info)
    if not members:
        raise InputRefused("arhiva zip este goală", source=name)
    return members


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    """Read one checked member, never more than its declared size nor `limit` bytes."""
    if info.file_size > limit:
        raise InputRefused(
            f"are {_human(info.file_size)}, peste limita de {_human(limit)}",
            source=info.filename,
        )
    with archive.open(info) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:  # pragma: no cover - zipfile already stops at the declared size
        raise InputRefused("depășește dimensiunea declarată", source=info.filename)
    return data


_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature, ..., name length, extra length


def read_member_direct(handle: BinaryIO, info: Member, limit: int) -> bytes:
    """read_member for batches of small members: a stored or deflated member is read
    straight from its offset and inflated in one call (zipfile's per-member stream costs
    more than parsing a small CGXML). Sizes and CRC are checked as zipfile does; any
    other member goes through zipfile."""
    if info.file_size > limit:
        raise InputRefused(
            f"are {_human(info.file_size)}, peste limita de {_human(limit)}",
            source=info.filename,
        )
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 1:
        handle.seek(0)
        with zipfile.ZipFile(handle) as archive:
            return read_member(archive, archive.getinfo(info.filename), limit)
    handle.seek(info.header_offset)
    signature, name_length, extra_length = _LOCAL_HEADER.unpack(handle.read(30))
    if signature != b"PK\x03\x04":
        raise InputRefused("antet local de membru zip invalid", source=info.filename)
    handle.seek(name_length + extra_length, 1)
    raw = handle.read(info.compress_size)
    if info.compress_type == zipfile.ZIP_DEFLATED:
        inflater = zlib.decompressobj(-15)
        try:
            data = inflater.decompress(raw, info.file_size + 1)  # never more than declared
        except zlib.error:
            data = b""  # refused below, as damaged
    else:
        data = raw
    if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
        raise InputRefused(
            "membru zip deteriorat (dimensiune sau CRC diferite de cele declarate)",
            source=info.filename,
        )
    return data


def is_zip(path: Path) -> bool:
    """Zip by content, whatever the extension."""
    with open(path, "rb") as handle:
        return handle.read(4) in (b"PK\x03\x04", b"PK\x05\x06")


def display_name(path: Path | str) -> str:
    """The file name without the directory (uploads live in private directories)."""
    return os.path.basename(str(path))
