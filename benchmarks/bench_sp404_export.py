"""Seconds to convert a full 160-pad kit and pack it for IMPORT, against sox on the same files.

Usage: python benchmarks/bench_sp404_export.py [--pads 160] [--seed 1]

Clips are synthetic (tone + noise), 0.2-8 s long, at 44.1, 48, 96 and 22.05 kHz, mono and
stereo, written as 24-bit WAV. Ours: decode, convert (soxr VHQ + TPDF dither) and write the
IMPORT zip. Baseline, same files, same run: `sox in.wav -b 16 -r 48000 out.wav dither` per file,
and once more with sox's very-high-quality resampler (`rate -v`), the closer match to soxr VHQ.
Both sides run one file at a time in one process chain. Skips cleanly when sox is absent.
"""

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import soundfile

from analysis_engine.sp404 import (
    KitSample,
    PadSettings,
    ProjectSettings,
    decode_audio,
    write_import_pack,
)
from analysis_engine.sp404.layout import pad_from_index

RATES = (44_100, 48_000, 96_000, 22_050)


def make_clips(directory: Path, pads: int, seed: int) -> list[Path]:
    """Write `pads` synthetic 24-bit WAV clips; return their paths in pad order."""
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(pads):
        rate = RATES[index % len(RATES)]
        channels = 1 + index % 2
        seconds = float(rng.uniform(0.2, 8.0))
        t = np.arange(round(seconds * rate)) / rate
        freq = float(rng.uniform(40, 4000))
        signal = 0.4 * np.sin(2 * np.pi * freq * t) + 0.05 * rng.standard_normal(t.size)
        audio = np.repeat(signal[:, None], channels, axis=1)
        path = directory / f"clip{index:03d}.wav"
        soundfile.write(path, audio, rate, subtype="PCM_24")
        paths.append(path)
    return paths


def kit(paths: list[Path]) -> Iterator[KitSample]:
    """Decode lazily, one clip at a time, as the export job would from storage."""
    for index, path in enumerate(paths):
        bank, pad = pad_from_index(index)
        audio, rate = decode_audio(path)
        yield KitSample(PadSettings(bank, pad), audio, rate, path.stem)


def cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def time_ours(paths: list[Path], out: Path) -> tuple[float, float]:
    """Wall and CPU seconds for the whole IMPORT pack."""
    start, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_SELF)
    with (out / "kit.zip").open("wb") as target:
        write_import_pack(target, ProjectSettings("Bench Kit"), kit(paths))
    return time.perf_counter() - start, cpu_seconds(resource.RUSAGE_SELF) - cpu


def time_sox(sox: str, paths: list[Path], out: Path, effects: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds (sox processes) for converting every file."""
    # With an explicit `rate` effect the output rate comes from it, not from -r.
    rate_option = [] if "rate" in effects else ["-r", "48000"]
    start, cpu = time.perf_counter(), cpu_seconds(resource.RUSAGE_CHILDREN)
    for path in paths:
        command = [sox, str(path), "-b", "16", *rate_option, str(out / path.name), *effects]
        subprocess.run(command, check=True)
    return time.perf_counter() - start, cpu_seconds(resource.RUSAGE_CHILDREN) - cpu


def main(pads: int, seed: int) -> None:
    sox = shutil.which("sox")
    if sox is None:
        print("SKIP: sox is not installed (apt-get install -y sox); nothing to compare against.")
        return
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        source, ours_out, sox_out = root / "in", root / "ours", root / "sox"
        for folder in (source, ours_out, sox_out):
            folder.mkdir()
        paths = make_clips(source, pads, seed)
        audio_seconds = sum(soundfile.info(path).duration for path in paths)
        # Warm up both sides (imports, filter design caches, page cache).
        time_ours(paths[:4], ours_out)
        time_sox(sox, paths[:4], sox_out, ["dither"])
        ours = time_ours(paths, ours_out)
        sox_default = time_sox(sox, paths, sox_out, ["dither"])
        sox_very_high = time_sox(sox, paths, sox_out, ["rate", "-v", "48000", "dither"])
    print(f"{pads} clips, {audio_seconds:.0f} s of audio, rates {RATES}")
    print(f"{'':44}{'wall s':>8}{'cpu s':>8}")
    rows = [
        ("ours (decode + soxr VHQ + TPDF + IMPORT zip)", ours),
        ("sox -b 16 -r 48000 dither", sox_default),
        ("sox -b 16 rate -v 48000 dither", sox_very_high),
    ]
    for label, (wall, cpu) in rows:
        print(f"{label:44}{wall:8.2f}{cpu:8.2f}")
    for label, (wall, cpu) in rows[1:]:
        print(f"ratio ours / {label}: wall {ours[0] / wall:.2f}, cpu {ours[1] / cpu:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pads", type=int, default=160)
    parser.add_argument("--seed", type=int, default=1)
    arguments = parser.parse_args()
    main(arguments.pads, arguments.seed)
