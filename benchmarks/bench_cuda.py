"""The feature extractor on CUDA: same answers as the CPU, and clips per second by batch size.

    python benchmarks/bench_cuda.py [--seconds 10] [--batches 1 32 256]

Clips are synthesised here (drum patterns at known tempi over chords in known keys, 44.1 kHz
stereo), so the run needs nothing but numpy, torch, torchaudio and soundfile. It prints:
- agreement: tempo, key and loop flag identical on CPU and CUDA for every clip, and the largest
  difference of any other feature (the two devices may differ in float32 rounding);
- throughput: clips/s on CUDA for each batch size (after a warm-up batch, synchronised), and
  the CPU at batch 32 in the same run, as the ratio's baseline.
Without CUDA it says so and times the CPU alone.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import numpy.typing as npt
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis_engine.features.extractor import extract_batch

RATE = 44100
NOTES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
Clip = tuple[npt.NDArray[np.float32], int]


def synth_clip(rng: np.random.Generator, seconds: float) -> tuple[Clip, float, str]:
    """A stereo clip: kick/snare/hat pattern at a random tempo over a major triad."""
    bpm = float(rng.uniform(80.0, 160.0))
    tonic = int(rng.integers(12))
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    out = np.zeros(n)
    for semitones in (0, 4, 7):
        freq = 261.63 * 2.0 ** ((tonic + semitones) / 12.0)
        out += 0.1 * sum(np.sin(2 * np.pi * k * freq * t) / k for k in range(1, 4))
    hit_t = np.arange(int(0.2 * RATE)) / RATE
    kick = np.sin(2 * np.pi * 60.0 * hit_t) * np.exp(-hit_t / 0.08)
    snare = rng.standard_normal(hit_t.shape[0]) * np.exp(-hit_t / 0.05) * 0.5
    sixteenth = 15.0 / bpm
    step = 0
    while step * sixteenth < seconds:
        start = int(step * sixteenth * RATE)
        hit = kick if step % 8 == 0 else snare if step % 8 == 4 else None
        if hit is not None:
            end = min(n, start + hit.shape[0])
            out[start:end] += hit[: end - start]
        step += 1
    out /= np.abs(out).max()
    stereo = np.stack([out, out * 0.9], axis=1).astype(np.float32)
    return (stereo, RATE), bpm, NOTES[tonic]


def clips_per_second(clips: list[Clip], device: str, repeats: int) -> float:
    extract_batch(clips[: min(len(clips), 4)], device=device)  # warm-up: kernels, plans
    best = math.inf
    for _ in range(repeats):
        if device == "cuda":
            torch.cuda.synchronize()
        started = time.perf_counter()
        extract_batch(clips, device=device)
        if device == "cuda":
            torch.cuda.synchronize()
        best = min(best, time.perf_counter() - started)
    return len(clips) / best


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--batches", type=int, nargs="+", default=[1, 32, 256])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print the top CUDA/CPU ops")
    args = parser.parse_args(argv)

    rng = np.random.default_rng(404)
    made = [synth_clip(rng, args.seconds) for _ in range(max(args.batches))]
    clips = [clip for clip, _, _ in made]
    cuda = torch.cuda.is_available()
    print(f"torch {torch.__version__}, cuda: {torch.cuda.get_device_name(0) if cuda else 'none'}")
    print(f"clips: {len(clips)} x {args.seconds:.0f} s, 44.1 kHz stereo")

    if cuda:
        sample = clips[:32]
        on_cpu = extract_batch(sample, device="cpu")
        on_gpu = extract_batch(sample, device="cuda")
        # Float32 FFTs differ in the last bits between devices, so a tempo may land one grid
        # step (0.1 %) away: tempo agrees within 0.5 %, key and loop flag exactly.
        same = sum(
            _close(a.tempo_bpm, b.tempo_bpm) and a.key == b.key and a.is_loop == b.is_loop
            for a, b in zip(on_cpu, on_gpu, strict=True)
        )
        worst = max(
            float(np.max(np.abs(np.asarray(a.embedding) - np.asarray(b.embedding))))
            for a, b in zip(on_cpu, on_gpu, strict=True)
        )
        tempo_right = sum(
            a.tempo_bpm is not None and abs(a.tempo_bpm / bpm - 1.0) <= 0.04
            for a, (_, bpm, _) in zip(on_gpu, made[:32], strict=True)
        )
        print(f"agreement: tempo (0.5 %), key and loop flag agree on {same}/{len(sample)} clips")
        for index, (a, b) in enumerate(zip(on_cpu, on_gpu, strict=True)):
            if not (_close(a.tempo_bpm, b.tempo_bpm) and a.key == b.key):
                print(f"  clip {index}: cpu {a.tempo_bpm} {a.key} {a.mode}")
                print(f"           cuda {b.tempo_bpm} {b.key} {b.mode}")
        print(f"  largest embedding difference {worst:.2e}; cuda tempo right {tempo_right}/32")

    cpu_rate = clips_per_second(clips[:32], "cpu", 1)
    print(f"cpu  batch   32: {cpu_rate:8.1f} clips/s ({torch.get_num_threads()} threads)")
    if not cuda:
        print("no CUDA device: GPU figures skipped")
        return
    for size in args.batches:
        rate = clips_per_second(clips[:size], "cuda", args.repeats)
        print(f"cuda batch {size:4d}: {rate:8.1f} clips/s ({rate / cpu_rate:5.1f}x the CPU)")
    peak = torch.cuda.max_memory_allocated() / 2**30
    print(f"cuda peak memory {peak:.1f} GiB")
    if args.profile:
        activities = [torch.profiler.ProfilerActivity.CPU, torch.profiler.ProfilerActivity.CUDA]
        with torch.profiler.profile(activities=activities) as profiler:
            extract_batch(clips[: max(args.batches)], device="cuda")
            torch.cuda.synchronize()
        table = profiler.key_averages().table(sort_by="cuda_time_total", row_limit=15)
        print(table)
        print(profiler.key_averages().table(sort_by="cpu_time_total", row_limit=15))


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs(a / b - 1.0) <= 0.005


if __name__ == "__main__":
    main()
