"""Reading an untrusted ZIP safely: refuse bombs before and while extracting, and write each
entry to a file name we generate, never to a path taken from the archive."""

from __future__ import annotations

import itertools
import os
import stat
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from analysis_engine.samples.formats import sniff
from analysis_engine.samples.upload import clean_filename

MAX_ENTRIES = 2000
MAX_TOTAL_BYTES = 8 * 1024**3
# Real central directories of 2,000 entries take well under 1 MiB; past this the archive lies.
MAX_CENTRAL_DIRECTORY_BYTES = 8 * 1024**2
# Audio barely compresses; an entry that shrinks more than this is a bomb's signature. Small
# entries are exempt: however well they compress, they cannot expand to much.
MAX_RATIO = 200
RATIO_EXEMPT_BYTES = 1024**2
CHUNK = 1024**2
ARCHIVE_SUFFIXES = (".zip", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".xz", ".zst", ".zipx")
ARCHIVE_MAGIC = (
    b"PK\x03\x04",
    b"PK\x05\x06",
    b"Rar!",
    b"7z\xbc\xaf",
    b"\x1f\x8b",
    b"BZh",
    b"\xfd7zXZ",
    b"\x28\xb5\x2f\xfd",
)
SUPPORTED_COMPRESSION = (
    zipfile.ZIP_STORED,
    zipfile.ZIP_DEFLATED,
    zipfile.ZIP_BZIP2,
    zipfile.ZIP_LZMA,
)
_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


class ArchiveRefused(Exception):
    """The whole archive is refused (not a ZIP, or built to exhaust the server)."""


class EntrySkipped(Exception):
    """This entry is not imported, for a reason the report gives."""


class EntryFailed(Exception):
    """This entry could not be read (damaged data)."""


@dataclass(frozen=True)
class Entry:
    """One file of the archive and what to do with it (`skip` is the reason not to import)."""

    index: int
    info: zipfile.ZipInfo
    path: str
    filename: str
    skip: str | None


def display_path(raw: str) -> str:
    """The entry's name as the report shows it (printable, bounded); never used on disk."""
    return "".join(ch for ch in raw if ch.isprintable())[:300] or "(unnamed)"


def _read_directory_size(path: Path) -> tuple[int, int]:
    """Entry count and central-directory size from the end records, before zipfile parses it."""
    size = path.stat().st_size
    tail_len = min(size, 22 + 65535)
    with path.open("rb") as handle:
        handle.seek(size - tail_len)
        tail = handle.read(tail_len)
        at = tail.rfind(_EOCD)
        if at < 0 or len(tail) - at < 22:
            raise ArchiveRefused("This is not a ZIP archive (no end-of-archive record).")
        entries, cd_size = struct.unpack("<HI", tail[at + 10 : at + 16])
        if entries == 0xFFFF or cd_size == 0xFFFFFFFF:
            locator_at = size - tail_len + at - 20
            if locator_at < 0:
                raise ArchiveRefused("The ZIP64 end records are missing.")
            handle.seek(locator_at)
            locator = handle.read(20)
            if locator[:4] != _ZIP64_LOCATOR:
                raise ArchiveRefused("The ZIP64 end records are missing.")
            (record_at,) = struct.unpack("<Q", locator[8:16])
            handle.seek(record_at)
            record = handle.read(56)
            if record[:4] != _ZIP64_EOCD:
                raise ArchiveRefused("The ZIP64 end record is damaged.")
            entries, cd_size = struct.unpack("<QQ", record[32:48])
    return entries, cd_size


def _skip_reason(info: zipfile.ZipInfo, filename: str, max_entry_bytes: int) -> str | None:
    parts = [
        p
        for p in PurePosixPath(info.filename.replace("\\", "/")).parts
        if p not in (".", "..", "/")
    ]
    folders, base = parts[:-1], (parts[-1] if parts else "")
    if any(p == "__MACOSX" or p.startswith(".") for p in folders) or base.startswith("."):
        return "hidden or macOS metadata file"
    mode = info.external_attr >> 16
    if info.create_system == 3 and stat.S_ISLNK(mode):
        return "symbolic link"
    if info.flag_bits & 0x1:
        return "encrypted entry"
    if filename.lower().endswith(ARCHIVE_SUFFIXES):
        return "nested archive (not expanded)"
    if info.compress_type not in SUPPORTED_COMPRESSION:
        return "unsupported compression method"
    if info.file_size == 0:
        return "empty file"
    if info.file_size > max_entry_bytes:
        return f"larger than the {max_entry_bytes // 1024**2} MB per-file limit"
    return None


def _check_layout(infos: list[zipfile.ZipInfo]) -> None:
    # Overlapping entries (many names sharing one compressed stream) are how the smallest bombs
    # multiply; in an honest archive every entry's data ends before the next header starts.
    ordered = sorted(infos, key=lambda i: i.header_offset)
    for first, second in itertools.pairwise(ordered):
        if second.header_offset < first.header_offset + 30 + first.compress_size:
            raise ArchiveRefused("The archive's entries overlap, as in a zip bomb.")
    total = 0
    for info in infos:
        total += info.file_size
        big = info.file_size > RATIO_EXEMPT_BYTES
        if big and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ArchiveRefused(
                f"{display_path(info.filename)} expands {ratio}:1, as in a zip bomb."
            )
    if total > MAX_TOTAL_BYTES:
        raise ArchiveRefused(f"The archive expands to more than {MAX_TOTAL_BYTES // 1024**3} GB.")


def open_archive(path: Path) -> zipfile.ZipFile:
    """The ZIP at `path`, refused before parsing when its end records announce too much."""
    try:
        entries, cd_size = _read_directory_size(path)
    except OSError as exc:
        raise ArchiveRefused("The archive cannot be read.") from exc
    if entries > MAX_ENTRIES:
        raise ArchiveRefused(
            f"The archive holds {entries} entries; at most {MAX_ENTRIES} are allowed."
        )
    if cd_size > MAX_CENTRAL_DIRECTORY_BYTES:
        raise ArchiveRefused("The archive's directory is too large.")
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ArchiveRefused("This is not a valid ZIP archive.") from exc


def plan_entries(archive: zipfile.ZipFile, *, max_entry_bytes: int) -> list[Entry]:
    """Every file entry with its decision; raises ArchiveRefused for a bomb or a lying directory."""
    infos = archive.infolist()
    # The end record's count was checked already; the parsed directory is checked again because
    # the two can disagree in a crafted archive.
    if len(infos) > MAX_ENTRIES:
        raise ArchiveRefused(
            f"The archive holds {len(infos)} entries; at most {MAX_ENTRIES} are allowed."
        )
    _check_layout(infos)
    entries: list[Entry] = []
    for info in infos:
        if info.is_dir():
            continue
        filename = clean_filename(info.filename)
        reason = _skip_reason(info, filename, max_entry_bytes)
        entries.append(Entry(len(entries), info, display_path(info.filename), filename, reason))
    return entries


def extract_entry(archive: zipfile.ZipFile, entry: Entry, dest: Path) -> int:
    """Write the entry's bytes to `dest` (a new file); returns how many were written.

    The directory's sizes are checked again while the bytes flow, since headers can lie.
    """
    limit = entry.info.file_size
    written = 0
    head = b""
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out:
        try:
            with archive.open(entry.info) as source:
                while chunk := source.read(CHUNK):
                    written += len(chunk)
                    if written > limit:
                        raise ArchiveRefused(
                            f"{entry.path} expands past its declared size, as in a zip bomb."
                        )
                    if len(head) < 64:
                        head += chunk[: 64 - len(head)]
                        _check_head(head, final=len(head) >= 64)
                    out.write(chunk)
        except (zipfile.BadZipFile, EOFError, OSError) as exc:
            raise EntryFailed(f"damaged entry ({exc})") from exc
        except NotImplementedError as exc:
            raise EntrySkipped("unsupported compression method") from exc
    _check_head(head, final=True)
    return written


def _check_head(head: bytes, *, final: bool) -> None:
    if head.startswith(ARCHIVE_MAGIC):
        raise EntrySkipped("nested archive (not expanded)")
    if final and sniff(head) is None:
        raise EntrySkipped("not an audio file (WAV, AIFF, FLAC, OGG or MP3)")
