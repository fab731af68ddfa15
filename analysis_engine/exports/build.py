"""The archive half of an export, run in a worker thread: decode each downloaded source one at a
time and hand it to the sp404 packers, which convert it and write the ZIP to a file."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from analysis_engine.sp404 import (
    MAX_BPM,
    MAX_SECONDS,
    MIN_BPM,
    TARGET_RATE,
    ConvertOptions,
    KitSample,
    LibrarySample,
    PackReport,
    PadSettings,
    ProjectSettings,
    SampleInfo,
    Sp404FormatError,
    decode_audio,
    write_import_pack,
    write_native_project,
    write_sample_export,
)

TRIM_SILENCE_DBFS = -60.0
DEFAULT_KIT_BPM = 120.0


@dataclass(frozen=True)
class Source:
    """One downloaded sample bound for the archive (with its pad, for kits)."""

    path: Path
    title: str
    info: SampleInfo
    pad: dict[str, Any] | None = None
    # The pad's trim points in the source's own frames: [start, end), None for the whole sample.
    trim: tuple[int, int] | None = None


@dataclass
class Progress:
    """How far the packers got, read by the event loop while the thread writes."""

    total: int
    done: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def advance(self) -> None:
        """One more source handled."""
        with self.lock:
            self.done += 1

    def skip(self, title: str, reason: str) -> None:
        """Record a source left out of the archive, and why."""
        with self.lock:
            self.skipped.append({"title": title, "reason": reason})

    @property
    def share(self) -> float:
        """Handled sources as a share of all of them (0..1)."""
        with self.lock:
            return self.done / self.total if self.total else 1.0


def convert_options(choices: dict[str, Any]) -> ConvertOptions:
    """The sp404 conversion options a request's choices mean."""
    return ConvertOptions(
        normalise=bool(choices.get("normalise")),
        trim_silence_dbfs=TRIM_SILENCE_DBFS if choices.get("trim_silence") else None,
        pad_short=bool(choices.get("pad_short")),
    )


def sampler_bpm(bpm: float | None) -> float | None:
    """A tempo the sampler accepts (40-300 BPM), or None."""
    if bpm is None or not MIN_BPM <= bpm <= MAX_BPM:
        return None
    return float(bpm)


def _decoded(sources: Sequence[Source], progress: Progress) -> Iterator[tuple[Source, Any, int]]:
    for source in sources:
        try:
            audio, rate = decode_audio(source.path)
            if audio.shape[0] > MAX_SECONDS * rate:
                progress.skip(source.title, "longer than the 16 minutes a pad can hold")
                continue
            yield source, audio, rate
        except Sp404FormatError as exc:
            progress.skip(source.title, str(exc))
        finally:
            # The converted copy is in the ZIP now; the source is not needed any more.
            source.path.unlink(missing_ok=True)
            progress.advance()


def target_frame(frame: int, rate: int) -> int:
    """A source frame's position after conversion to 48 kHz: rounded half up, as soxr sizes its
    output (n frames become floor(n * 48000 / rate + 1/2))."""
    return (2 * frame * TARGET_RATE + rate) // (2 * rate)


def _kit_samples(
    sources: Sequence[Source], progress: Progress, *, pad_points: bool
) -> Iterator[KitSample]:
    for source, audio, rate in _decoded(sources, progress):
        pad = dict(source.pad or {})
        if source.trim is not None:
            start, end = source.trim
            end = min(end, audio.shape[0])
            if pad_points:
                # The whole sample goes into the project and the pad plays its part of it.
                pad |= {"start": target_frame(start, rate), "end": target_frame(end, rate)}
            else:
                # The sampler's import takes whole files: the IMPORT pack holds the trimmed audio.
                audio = audio[start:end]
        settings = PadSettings(**pad, bpm=sampler_bpm(source.info.bpm))
        yield KitSample(pad=settings, audio=audio, sample_rate=rate, name=source.title,
                        info=source.info)  # fmt: skip


def _library_samples(sources: Sequence[Source], progress: Progress) -> Iterator[LibrarySample]:
    for source, audio, rate in _decoded(sources, progress):
        yield LibrarySample(audio=audio, sample_rate=rate, name=source.title, info=source.info)


def build_archive(
    target: Path,
    *,
    kind: str,
    name: str,
    bpm: float | None,
    sources: Sequence[Source],
    options: dict[str, Any],
    progress: Progress,
) -> PackReport:
    """Write the export's ZIP to `target` (a file: the archive is never held in memory)."""
    convert = convert_options(options.get("convert") or {})
    audio_format: Literal["wav", "aiff"] = (
        "aiff" if options.get("audio_format") == "aiff" else "wav"
    )
    with target.open("wb") as out:
        if kind == "samples":
            organise = options.get("organise", "flat")
            return write_sample_export(
                out, _library_samples(sources, progress), organise=organise, export_name=name,
                options=convert, audio_format=audio_format,
            )  # fmt: skip
        project = ProjectSettings(name=name, bpm=sampler_bpm(bpm) or DEFAULT_KIT_BPM)
        if kind == "native_project":
            # Trimming silence moves the sample's first frame, so pad points computed on the
            # source would miss; with it, a trimmed pad's audio is cut to the trim instead.
            points = convert.trim_silence_dbfs is None
            return write_native_project(
                out, project, _kit_samples(sources, progress, pad_points=points), options=convert
            )
        return write_import_pack(
            out, project, _kit_samples(sources, progress, pad_points=False), options=convert,
            audio_format=audio_format,
        )  # fmt: skip
