"""The ZIP reader on its own: bombs refused, hostile names harmless, odd entries skipped."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from analysis_engine.imports.archive import (
    MAX_ENTRIES,
    ArchiveRefused,
    EntryFailed,
    EntrySkipped,
    extract_entry,
    open_archive,
    plan_entries,
)
from tests.analysis_engine.imports.conftest import zip_of
from tests.analysis_engine.samples.conftest import audio_bytes

GB = 1024**3


def _write(tmp_path: Path, data: bytes, name: str = "upload.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_hostile_entry_names_are_written_only_under_generated_names(tmp_path: Path) -> None:
    wav = audio_bytes("wav")
    names = ["../../etc/passwd.wav", "/abs/x.wav", "C:\\x.wav", "..\\..\\win.wav"]
    path = _write(tmp_path, zip_of(dict.fromkeys(names, wav)))
    work = tmp_path / "work"
    work.mkdir()
    archive = open_archive(path)
    entries = plan_entries(archive, max_entry_bytes=GB)
    for entry in entries:
        assert entry.skip is None
        assert extract_entry(archive, entry, work / f"entry-{entry.index}") == len(wav)
    assert [e.filename for e in entries] == ["passwd.wav", "x.wav", "x.wav", "win.wav"]
    assert sorted(p.name for p in work.iterdir()) == ["entry-0", "entry-1", "entry-2", "entry-3"]
    # Nothing appeared beside the work folder or the archive either.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["upload.zip", "work"]


def test_ten_thousand_tiny_entries_are_refused_before_the_directory_is_parsed(
    tmp_path: Path,
) -> None:
    path = _write(tmp_path, zip_of({f"f{i}.wav": b"x" for i in range(10_000)}))
    with pytest.raises(ArchiveRefused, match=f"at most {MAX_ENTRIES}"):
        open_archive(path)


def test_one_gigabyte_of_zeros_is_refused_as_a_bomb(
    gigabyte_of_zeros: bytes, tmp_path: Path
) -> None:
    assert len(gigabyte_of_zeros) < 2 * 1024**2
    archive = open_archive(_write(tmp_path, gigabyte_of_zeros))
    with pytest.raises(ArchiveRefused, match="zip bomb"):
        plan_entries(archive, max_entry_bytes=GB)


def test_entries_sharing_one_compressed_stream_are_refused(tmp_path: Path) -> None:
    data = bytearray(zip_of({"a.wav": audio_bytes("wav")}))
    # Append a second central-directory record that points at the first entry's data.
    end = data.rfind(b"PK\x05\x06")
    central = data.rfind(b"PK\x01\x02", 0, end)
    record = bytes(data[central:end]).replace(b"a.wav", b"b.wav")
    entries = int.from_bytes(data[end + 10 : end + 12], "little") + 1
    eocd = bytearray(data[end:])
    eocd[8:10] = eocd[10:12] = entries.to_bytes(2, "little")
    eocd[12:16] = (end - central + len(record)).to_bytes(4, "little")
    crafted = bytes(data[:end]) + record + bytes(eocd)
    archive = open_archive(_write(tmp_path, crafted))
    with pytest.raises(ArchiveRefused, match="overlap"):
        plan_entries(archive, max_entry_bytes=GB)


def test_an_entry_longer_than_its_header_says_is_stopped_while_extracting(tmp_path: Path) -> None:
    wav = audio_bytes("wav")
    data = bytearray(zip_of({"liar.wav": wav}, method=zipfile.ZIP_STORED))
    # The central directory claims 100 bytes; the stored data is far longer.
    central = data.rfind(b"PK\x01\x02")
    data[central + 20 : central + 24] = (100).to_bytes(4, "little")
    data[central + 24 : central + 28] = (100).to_bytes(4, "little")
    archive = open_archive(_write(tmp_path, bytes(data)))
    [entry] = plan_entries(archive, max_entry_bytes=GB)
    dest = tmp_path / "entry-0"
    # Never more than the declared bytes reach the disk, and the entry is reported damaged.
    with pytest.raises(EntryFailed, match="damaged"):
        extract_entry(archive, entry, dest)
    assert dest.stat().st_size <= 100


def _symlink_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("link.wav")
        info.create_system = 3
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _encrypted_zip() -> bytes:
    data = bytearray(zip_of({"secret.wav": audio_bytes("wav")}))
    for signature, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        data[at + flag_at] |= 0x1
    return bytes(data)


SKIPPED = {
    "macOS metadata": (zip_of({"__MACOSX/drums/._kick.wav": audio_bytes("wav")}), "macOS"),
    "dotfile": (zip_of({"drums/.DS_Store": b"\x00" * 100}), "hidden"),
    "hidden folder": (zip_of({".git/kick.wav": audio_bytes("wav")}), "hidden"),
    "nested zip by name": (zip_of({"more.zip": zip_of({"a.wav": audio_bytes("wav")})}), "nested"),
    "symlink": (_symlink_zip(), "symbolic link"),
    "encrypted": (_encrypted_zip(), "encrypted"),
    "empty": (zip_of({"empty.wav": b""}), "empty"),
}


@pytest.mark.parametrize("case", sorted(SKIPPED))
def test_entries_that_are_not_plain_audio_files_are_skipped_with_a_reason(
    case: str, tmp_path: Path
) -> None:
    data, reason = SKIPPED[case]
    archive = open_archive(_write(tmp_path, data))
    [entry] = plan_entries(archive, max_entry_bytes=GB)
    assert entry.skip is not None and reason in entry.skip


CONTENT_SKIPPED = {
    "zip disguised as wav": (zip_of({"a.wav": audio_bytes("wav")}), "nested"),
    "gzip disguised as wav": (b"\x1f\x8b\x08" + b"\x00" * 200, "nested"),
    "text file": (b"these are my liner notes, not audio at all" * 5, "not an audio file"),
}


@pytest.mark.parametrize("case", sorted(CONTENT_SKIPPED))
def test_entries_are_judged_by_content_not_by_name(case: str, tmp_path: Path) -> None:
    content, reason = CONTENT_SKIPPED[case]
    archive = open_archive(_write(tmp_path, zip_of({"sample.wav": content})))
    [entry] = plan_entries(archive, max_entry_bytes=GB)
    with pytest.raises(EntrySkipped, match=reason):
        extract_entry(archive, entry, tmp_path / "entry-0")


def test_files_over_the_per_file_limit_are_skipped_before_extraction(tmp_path: Path) -> None:
    archive = open_archive(_write(tmp_path, zip_of({"long.wav": audio_bytes("wav")})))
    [entry] = plan_entries(archive, max_entry_bytes=1000)
    assert entry.skip is not None and "per-file limit" in entry.skip


@pytest.mark.parametrize("data", [b"", b"not a zip at all" * 10, b"PK\x03\x04" + b"\x00" * 40])
def test_something_that_is_not_a_zip_is_refused(data: bytes, tmp_path: Path) -> None:
    with pytest.raises(ArchiveRefused):
        open_archive(_write(tmp_path, data))
