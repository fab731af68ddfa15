"""A zip writer that only accepts safe entry names and checks every audio file."""

from __future__ import annotations

import time
import zipfile
from dataclasses import dataclass, field
from types import TracebackType
from typing import IO, TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt

from analysis_engine.sp404.wav import write_aiff, write_wav

if TYPE_CHECKING:
    from analysis_engine.sp404.convert import ConvertedAudio

IMPORT_ROOT = "IMPORT"
AudioFormat = Literal["wav", "aiff"]
AUDIO_EXTENSIONS: dict[AudioFormat, str] = {"wav": ".WAV", "aiff": ".AIF"}
DateTime = tuple[int, int, int, int, int, int]
_FORBIDDEN = frozenset("/\\\x00:")


@dataclass
class PackReport:
    """Entries written, and clips a user should hear about."""

    entries: list[str] = field(default_factory=list)
    short_clips: list[str] = field(default_factory=list)
    clipped: list[str] = field(default_factory=list)
    # Settings a format could not carry and left out, one sentence each.
    left_out: list[str] = field(default_factory=list)

    def note(self, name: str, converted: ConvertedAudio) -> None:
        """Record what a user should hear about one converted clip."""
        if converted.too_short:
            self.short_clips.append(name)
        if converted.clipped_samples:
            self.clipped.append(name)


def safe_path(*parts: str) -> str:
    """Join path parts into a zip entry name, refusing anything that could escape."""
    for part in parts:
        # Names are cleaned before they get here; this is the last line of defence.
        if not part or part in (".", "..") or any(ch in _FORBIDDEN for ch in part):
            raise ValueError(f"unsafe path part {part!r}")
        if part != part.strip() or not part.isascii():
            raise ValueError(f"unsafe path part {part!r}")
    return "/".join(parts)


class PackWriter:
    """Writes entries into a zip on `target`, which may be a stream."""

    def __init__(self, target: IO[bytes], *, date_time: DateTime | None = None) -> None:
        self._zip = zipfile.ZipFile(target, "w", allowZip64=True)
        now = time.localtime()
        self._date_time: DateTime = date_time or (
            now.tm_year,
            now.tm_mon,
            now.tm_mday,
            now.tm_hour,
            now.tm_min,
            now.tm_sec,
        )
        self.report = PackReport()
        self._names: set[str] = set()

    def __enter__(self) -> PackWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._zip.close()

    def _info(self, name: str, compress: bool) -> zipfile.ZipInfo:
        if name in self._names:
            raise ValueError(f"zip entry {name!r} written twice")
        self._names.add(name)
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        self.report.entries.append(name)
        return info

    def add_audio(
        self, parts: tuple[str, ...], pcm: npt.NDArray[np.int16], audio_format: AudioFormat
    ) -> str:
        """Write 16-bit 48 kHz PCM as WAV or AIFF (stored, audio barely deflates)."""
        name = safe_path(*parts)
        writer = write_wav if audio_format == "wav" else write_aiff
        with self._zip.open(self._info(name, compress=False), "w") as stream:
            writer(stream, pcm)
        return name

    def add_stream(self, parts: tuple[str, ...], *, compress: bool) -> IO[bytes]:
        """Open an entry for streamed writing; close it before adding the next."""
        return self._zip.open(self._info(safe_path(*parts), compress), "w")

    def add_bytes(self, parts: tuple[str, ...], data: bytes, *, compress: bool = True) -> str:
        """Write a small entry from memory."""
        name = safe_path(*parts)
        self._zip.writestr(self._info(name, compress), data)
        return name

    def add_folder(self, parts: tuple[str, ...]) -> str:
        """Write an (empty) folder entry, for layouts that expect the folder to exist."""
        name = safe_path(*parts) + "/"
        info = self._info(name, compress=False)
        info.external_attr = (0o40755 << 16) | 0x10  # a directory, for unzip and Windows
        self._zip.writestr(info, b"")
        return name

    def add_text(self, parts: tuple[str, ...], text: str) -> str:
        """Write UTF-8 text with CRLF line ends, which every OS's editor reads."""
        data = text.replace("\r\n", "\n").replace("\n", "\r\n")
        return self.add_bytes(parts, data.encode("utf-8"))
