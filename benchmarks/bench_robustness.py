"""Tempo and key where the corpora do not go: soft instruments, and loops worn down, beside librosa.

    .venv/bin/python benchmarks/bench_robustness.py

Two held-out checks of the shipped constants (nothing is fitted here or on these clips):

1. Soft instruments (benchmarks/corpus_soft.py): 72 legato chord loops on strings, choir,
   organ, pads, flute and two soft-struck instruments, no drums, a chord every 1, 2 or 4
   beats. By instrument and by chord length.
2. Wear: corpus v6's band loops that were rendered clean (families no fit has heard), each
   worn down in eleven ways a producer's sample may be (band limits, bit crush, saturation,
   crackle, wow, a phone's band, hiss 10 and 5 dB under the music), read clean first.
3. Uploads: the same loops as a producer's file may carry them: another sample rate, mono,
   30 dB quieter, MP3, silence before or after. "Exact" counts the loops cut at their bars
   whose tempo is within 0.1 % of the truth: what a lead-in or a tail can cost.
4. Another synthesiser: all of corpus v6 rendered again through TiMidity++ and the freepats
   patches (another General MIDI sample set, never heard by any fit), beside FluidR3.

Tempo Acc1 / Acc2 as in bench_features.py, with how many clips got no tempo; key MIREX /
exact, with how many got no key. librosa is beat_track + chroma_cqt with Krumhansl-Kessler
profiles, on the same clips in the same run.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

# As the worker runs (analysis_engine.features.extractor); torch reads it when it loads.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import numpy as np
import soundfile
from scipy.signal import butter, resample_poly, sosfilt

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_features import librosa_pipeline, score
from corpus import Corpus, CorpusClip, freepats_available, timidity_freepats
from corpus_soft import CHORD_BEATS, UNHEARD_INSTRUMENTS, UNHEARD_OUT, build_soft
from corpus_unheard import OUT as UNHEARD_OUT_V6
from corpus_unheard import build_unheard

from analysis_engine.features.extractor import extract_batch

Audio = np.ndarray
Answer = tuple[float | None, str | None, str | None]  # tempo, key, mode
BATCH = 16


def _lowpass(x: Audio, rate: int, cutoff: float) -> Audio:
    return np.asarray(sosfilt(butter(4, cutoff, fs=rate, output="sos"), x, axis=0))


def _highpass(x: Audio, rate: int, cutoff: float) -> Audio:
    return np.asarray(sosfilt(butter(2, cutoff, fs=rate, btype="high", output="sos"), x, axis=0))


def _crush(x: Audio, rate: int, bits: int, hold_rate: float) -> Audio:
    step = max(1, round(rate / hold_rate))
    held = np.repeat(x[::step], step, axis=0)[: x.shape[0]]
    levels = 2 ** (bits - 1)
    return np.asarray(np.round(held * levels) / levels)


def _wow(x: Audio, rate: int, depth_s: float, hz: float = 0.6) -> Audio:
    # The tape's position drifts by up to depth_s, a slow pitch wobble.
    t = np.arange(x.shape[0]) / rate
    position = (t + depth_s * np.sin(2 * np.pi * hz * t)) * rate
    index = np.arange(x.shape[0])
    return np.stack([np.interp(position, index, x[:, c]) for c in range(x.shape[1])], axis=1)


def _hiss(x: Audio, rng: np.random.Generator, snr_db: float) -> Audio:
    rms = float(np.sqrt(np.mean(x**2)))
    return x + rng.standard_normal(x.shape) * rms * 10 ** (-snr_db / 20)


def _crackle(x: Audio, rng: np.random.Generator, density: float) -> Audio:
    return x + (rng.uniform(size=x.shape) < density) * rng.uniform(-0.6, 0.6, x.shape)


Wear = Callable[[Audio, int, np.random.Generator], Audio]
WEAR: dict[str, Wear] = {
    "clean": lambda x, rate, rng: x,
    "low-pass 1.5 kHz": lambda x, rate, rng: _lowpass(x, rate, 1500.0),
    "low-pass 800 Hz": lambda x, rate, rng: _lowpass(x, rate, 800.0),
    "high-pass 400 Hz": lambda x, rate, rng: _highpass(x, rate, 400.0),
    "crush 6 bit, 8 kHz": lambda x, rate, rng: _crush(x, rate, 6, 8000.0),
    "crush 4 bit, 6 kHz": lambda x, rate, rng: _crush(x, rate, 4, 6000.0),
    "saturation (tanh x8)": lambda x, rate, rng: np.tanh(8 * x) / np.tanh(8),
    "dense crackle": lambda x, rate, rng: _crackle(x, rng, 1e-3),
    "wow 4 ms": lambda x, rate, rng: _wow(x, rate, 0.004),
    "phone band": lambda x, rate, rng: _highpass(_lowpass(x, rate, 3400.0), rate, 300.0),
    "hiss 10 dB under": lambda x, rate, rng: _hiss(x, rng, 10.0),
    "hiss 5 dB under": lambda x, rate, rng: _hiss(x, rng, 5.0),
}


def _read(clip: CorpusClip) -> tuple[Audio, int]:
    audio, rate = soundfile.read(clip.path, dtype="float64", always_2d=True)
    return audio, int(rate)


def _ours(clips: Sequence[tuple[Audio, int]]) -> list[Answer]:
    answers: list[Answer] = []
    for start in range(0, len(clips), BATCH):
        chunk = [(a.astype(np.float32), r) for a, r in clips[start : start + BATCH]]
        answers += [(f.tempo_bpm, f.key, f.mode) for f in extract_batch(chunk)]
    return answers


def _theirs(clips: Sequence[tuple[Audio, int]]) -> list[Answer]:
    analyse = librosa_pipeline()
    return [analyse(a.astype(np.float32), r) for a, r in clips]


def _figures(clips: Sequence[CorpusClip], answers: Sequence[Answer]) -> str:
    # Every clip here is a pitched band loop: bench_features.score's band and key figures.
    got = score(clips, [t for t, _, _ in answers], [(k, m) for _, k, m in answers])
    no_tempo = sum(t is None for t, _, _ in answers)
    no_key = sum(k is None for _, k, _ in answers)
    return (
        f"{100 * got['band_acc1']:5.1f} / {100 * got['band_acc2']:5.1f} {no_tempo:3d}   "
        f"{100 * got['key_mirex']:5.1f} / {100 * got['key_exact']:5.1f} {no_key:3d}"
    )


_HEADER = (
    f"  {'':24s} {'clips':>5s}   {'ours: tempo Acc1 / Acc2, none; key MIREX / exact, none':56s}"
    f" {'librosa: the same'}"
)


def _row(
    label: str, clips: Sequence[CorpusClip], ours: Sequence[Answer], theirs: Sequence[Answer]
) -> None:
    print(f"  {label:24s} {len(clips):5d}   {_figures(clips, ours):56s} {_figures(clips, theirs)}")


def soft_instruments(title: str, corpus: Corpus) -> None:
    if not corpus.clips:
        print(f"{title}: fluidsynth or FluidR3 missing; skipped")
        return
    clips = corpus.clips
    audio = [_read(c) for c in clips]
    ours, theirs = _ours(audio), _theirs(audio)
    print(f"{title} (benchmarks/corpus_soft.py: {len(clips)} legato chord loops):")
    print(_HEADER)
    _row("all", clips, ours, theirs)
    for group in dict.fromkeys(c.group for c in clips):
        rows = [i for i, c in enumerate(clips) if c.group == group]
        _row(group, [clips[i] for i in rows], [ours[i] for i in rows], [theirs[i] for i in rows])
    for beats in CHORD_BEATS:
        rows = [i for i, c in enumerate(clips) if f"_{beats}beat_" in c.name]
        label = f"a chord every {beats} beat{'s' if beats > 1 else ''}"
        _row(label, [clips[i] for i in rows], [ours[i] for i in rows], [theirs[i] for i in rows])


def _clean_unheard(section: str) -> tuple[list[CorpusClip], list[tuple[Audio, int]]]:
    """Corpus v6's band loops rendered clean, and their audio; none (and the section says it
    is skipped) where the corpus could not be rendered."""
    clips = [c for c in build_unheard().clips if c.kind == "band" and not c.lofi]
    if not clips:
        print(f"{section}: corpus v6 could not be rendered; skipped")
    return clips, [_read(c) for c in clips]


def worn_loops() -> None:
    clips, audio = _clean_unheard("worn loops")
    if not clips:
        return
    print(f"worn loops (corpus v6's {len(clips)} band loops rendered clean, worn eleven ways):")
    print(_HEADER)
    for label, wear in WEAR.items():
        rng = np.random.default_rng(0)
        worn = []
        for samples, rate in audio:
            out = wear(samples, rate, rng)
            worn.append((out / max(1e-9, float(np.abs(out).max())) * 0.8, rate))
        _row(label, clips, _ours(worn), _theirs(worn))


def _mp3(x: Audio, rate: int) -> tuple[Audio, int]:
    encoded = io.BytesIO()
    soundfile.write(encoded, x, rate, format="MP3")
    encoded.seek(0)
    audio, read_rate = soundfile.read(encoded, dtype="float64", always_2d=True)
    return audio, int(read_rate)


def _silence(x: Audio, rate: int, before_s: float, after_s: float) -> Audio:
    before = np.zeros((round(before_s * rate), x.shape[1]))
    after = np.zeros((round(after_s * rate), x.shape[1]))
    return np.concatenate([before, x, after])


Upload = Callable[[Audio, int], tuple[Audio, int]]
UPLOADS: dict[str, Upload] = {
    "as rendered (44.1 kHz)": lambda x, rate: (x, rate),
    "48 kHz": lambda x, rate: (resample_poly(x, 160, 147, axis=0), 48000),
    "22.05 kHz": lambda x, rate: (resample_poly(x, 1, 2, axis=0), 22050),
    "mono": lambda x, rate: (x.mean(axis=1, keepdims=True), rate),
    "30 dB quieter": lambda x, rate: (x * 10 ** (-30 / 20), rate),
    "MP3": _mp3,
    "0.25 s silence before": lambda x, rate: (_silence(x, rate, 0.25, 0.0), rate),
    "0.6 s silence before": lambda x, rate: (_silence(x, rate, 0.6, 0.0), rate),
    "0.5 s silence after": lambda x, rate: (_silence(x, rate, 0.0, 0.5), rate),
    "0.3 s before, 0.7 s after": lambda x, rate: (_silence(x, rate, 0.3, 0.7), rate),
}


def _exact(clips: Sequence[CorpusClip], answers: Sequence[Answer]) -> str:
    cut = [(c, t) for c, (t, _, _) in zip(clips, answers, strict=True) if c.loop_cut]
    exact = sum(t is not None and abs(t / c.bpm - 1.0) <= 0.001 for c, t in cut)
    return f"{exact:3d} / {len(cut)}"


def uploads() -> None:
    clips, audio = _clean_unheard("uploads")
    if not clips:
        return
    print(
        f"uploads (corpus v6's {len(clips)} clean band loops as a producer's file may carry them;"
    )
    print("  exact: loops cut at their bars read within 0.1 % of their tempo):")
    print(f"{_HEADER}   {'exact: ours, librosa'}")
    for label, carry in UPLOADS.items():
        carried = [carry(samples, rate) for samples, rate in audio]
        ours, theirs = _ours(carried), _theirs(carried)
        print(
            f"  {label:24s} {len(clips):5d}   {_figures(clips, ours):56s} "
            f"{_figures(clips, theirs)}   {_exact(clips, ours)}, {_exact(clips, theirs)}"
        )


def another_synthesiser() -> None:
    fluid = build_unheard().clips
    if not fluid or not freepats_available():
        print("another synthesiser: corpus v6, TiMidity++ or freepats missing; skipped")
        return
    freepats = build_unheard(
        UNHEARD_OUT_V6.with_name(UNHEARD_OUT_V6.name + "-freepats"), timidity_freepats
    ).clips
    print(f"another synthesiser (corpus v6's {len(fluid)} band loops rendered through FluidR3 and")
    print("  through TiMidity++ with the freepats patches: the same MIDI, another sample set):")
    print(_HEADER)
    for name, clips in (("FluidR3", fluid), ("freepats", freepats)):
        audio = [_read(c) for c in clips]
        ours, theirs = _ours(audio), _theirs(audio)
        for label, keep in (("all", lambda c: True), ("clean", lambda c: not c.lofi),
                            ("lo-fi", lambda c: bool(c.lofi))):  # fmt: skip
            rows = [i for i, c in enumerate(clips) if keep(c)]
            _row(
                f"{name}, {label}",
                [clips[i] for i in rows],
                [ours[i] for i in rows],
                [theirs[i] for i in rows],
            )


def _soft() -> None:
    soft_instruments("soft instruments", build_soft())
    print()
    unheard = build_soft(UNHEARD_OUT, UNHEARD_INSTRUMENTS, seed=2027)
    soft_instruments("soft instruments no rule was shaped on", unheard)


SECTIONS: dict[str, Callable[[], None]] = {
    "soft": _soft,
    "wear": worn_loops,
    "uploads": uploads,
    "synth": another_synthesiser,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("sections", nargs="*", help=f"of {', '.join(SECTIONS)} (default: all)")
    chosen = parser.parse_args().sections or list(SECTIONS)
    if unknown := set(chosen) - set(SECTIONS):
        parser.error(f"no section {', '.join(sorted(unknown))}; choose from {', '.join(SECTIONS)}")
    started = time.perf_counter()
    for name in chosen:
        SECTIONS[name]()
        print()
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
