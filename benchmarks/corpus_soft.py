"""Soft-instrument loops: legato chords on strings, choir, organ, pads and more, no drums.

Every other corpus is a band or a drum kit: something always strikes. A producer's pad, string
or choir loop has no attack at all, each chord swelling in under the last, and the issue's
harder judged set names "other instruments". Nothing is fitted on these loops; they show
where the tempo and the key stand on that material (`bench_robustness.py`).

Each loop is whole 4/4 bars cut from the middle of a longer render (so it opens mid-sound, as
a producer's cut does): a progression of four chords in a random key, a chord every one, two
or four beats, held legato with the root an octave below, through one FluidR3 General MIDI
program (fluidsynth). Nothing here is reserved for judging; `check_source` proves it each run.
`build_soft(UNHEARD_OUT, UNHEARD_INSTRUMENTS, ...)` renders the same on eight other programs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import soundfile
from corpus import (
    CHORD_TONES,
    NOTES,
    SOUNDFONT,
    SR,
    Corpus,
    CorpusClip,
    check_source,
    fluidsynth,
    fresh_cache,
)

OUT = Path(__file__).resolve().parent / "out" / "corpus-soft"
_SEED = 2026

# (name, General MIDI program) of instruments that swell rather than strike, and two that
# strike softly beside them (electric piano, vibraphone) as a check.
INSTRUMENTS = (
    ("strings", 48), ("slowstrings", 49), ("synthstrings", 50), ("choir", 52),
    ("churchorgan", 19), ("reedorgan", 20), ("warmpad", 89), ("polysynth", 90),
    ("halopad", 94), ("flute", 73), ("epiano", 4), ("vibraphone", 11),
)  # fmt: skip
# Instruments none of the above: the chord-change tempo (FEATURE_VERSION 17) was shaped on the
# loops of INSTRUMENTS, and is judged on these.
UNHEARD_INSTRUMENTS = (
    ("cello", 42), ("synthstrings2", 51), ("voiceoohs", 53), ("synthvoice", 54),
    ("accordion", 21), ("clarinet", 71), ("bowedglass", 92), ("sweeppad", 95),
)  # fmt: skip
UNHEARD_OUT = OUT.parent / "corpus-soft-unheard"
CHORD_BEATS = (1, 2, 4)  # beats each chord lasts
LOOPS_EACH = 2  # per instrument and chord length
BARS = 4

# A chord as (semitones above the tonic, corpus.CHORD_TONES suffix), as the corpora write
# their progressions; four of them make a progression.
Progression = tuple[tuple[int, str], ...]
_PROGRESSIONS: dict[str, tuple[Progression, ...]] = {
    "major": (
        ((0, ""), (7, ""), (9, "m"), (5, "")),  # I V vi IV
        ((0, ""), (9, "m"), (5, ""), (7, "")),  # I vi IV V
        ((2, "m"), (7, ""), (0, ""), (0, "")),  # ii V I I
    ),
    "minor": (
        ((0, "m"), (8, ""), (3, ""), (10, "")),  # i VI III VII
        ((0, "m"), (5, "m"), (7, ""), (0, "m")),  # i iv V i
    ),
}


def _chord_notes(tonic: int, root: int, suffix: str) -> list[int]:
    # The chord on a root between C3 and B3, its root doubled an octave down.
    base = 48 + (tonic + root) % 12
    return [base - 12, *(base + tone for tone in CHORD_TONES[suffix])]


def _midi(
    path: Path, program: int, bpm: float, chord_beats: int, tonic: int, progression: Progression
) -> None:
    import mido

    song = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    song.tracks.append(track)
    track.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))
    track.append(mido.Message("program_change", program=program, channel=0))
    # A bar before the loop and a bar after it, so the cut opens and closes mid-sound.
    beats = (BARS + 2) * 4
    step = chord_beats * 480
    events = []
    for index in range(beats // chord_beats):
        root, suffix = progression[index % len(progression)]
        for note in _chord_notes(tonic, root, suffix):
            events.append((index * step, 1, note))
            events.append(((index + 1) * step - 10, 0, note))
    events.sort()
    now = 0
    for at, on, note in events:
        kind = "note_on" if on else "note_off"
        track.append(mido.Message(kind, note=note, velocity=90 if on else 0, time=at - now))
        now = at
    song.save(path)


def _render(
    path: Path, program: int, bpm: float, chord_beats: int, tonic: int, progression: Progression
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        midi = Path(tmp) / "loop.mid"
        _midi(midi, program, bpm, chord_beats, tonic, progression)
        audio = fluidsynth(midi, Path(tmp) / "loop.wav")
    beat = 60.0 / bpm
    cut = audio[round(4 * beat * SR) : round((BARS + 1) * 4 * beat * SR)]
    soundfile.write(path, cut / max(1e-9, float(np.abs(cut).max())) * 0.8, SR)


def build_soft(
    out_dir: Path = OUT,
    instruments: tuple[tuple[str, int], ...] = INSTRUMENTS,
    seed: int = _SEED,
) -> Corpus:
    """Render (or reuse) the loops of `instruments` under out_dir; empty without fluidsynth."""
    check_source(soundfont=SOUNDFONT)
    if not SOUNDFONT.exists():
        return Corpus([], "none")
    fresh_cache(out_dir)
    rng = np.random.default_rng(seed)
    clips = []
    for name, program in instruments:
        for chord_beats in CHORD_BEATS:
            for index in range(LOOPS_EACH):
                bpm = round(float(rng.uniform(66.0, 132.0)), 1)
                tonic = int(rng.integers(12))
                mode = ("major", "minor")[int(rng.integers(2))]
                options = _PROGRESSIONS[mode]
                progression = options[int(rng.integers(len(options)))]
                slug = f"{name}_{chord_beats}beat_{bpm}_{NOTES[tonic]}{mode[:3]}_{index}"
                path = out_dir / f"{slug}.wav"
                if not path.exists():
                    _render(path, program, bpm, chord_beats, tonic, progression)
                clips.append(CorpusClip(slug, path, bpm, NOTES[tonic], mode, True, "band", name))
    return Corpus(clips, "fluidsynth")
