"""A labelled corpus for similar-sounds search, rendered at run time from allowed sources only.

Band loops are MMA grooves played through FluidR3 GM with one of several instrument sets (the
"instrument source": piano, organ, guitar, electric piano, strings, synth, each with its own
bass); drum loops are benchmarks/corpus.py's patterns sequenced from allowed hydrogen kits (the
kit is the source, the pattern the groove family); one-shots are kit hits (kick, snare, hat,
clap, tom) and single FluidR3 notes (bass, keys, lead, pluck); textures are noise and held pad
chords. Every renderer goes through corpus.check_source, so nothing reserved for judging
(../shared/reserved-for-judging.md) is ever rendered.

Each clip carries what a producer means by similar: its role (what search stays within), its
source, its groove family (what cross-validation leaves out whole), its tempo and its key.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mido
import numpy as np
import soundfile
from corpus import (
    DRUM_PATTERNS,
    GROOVES,
    NOTES,
    PROGRESSIONS,
    SOUNDFONT,
    SR,
    Groove,
    _bars_for,
    _cut,
    _degrade,
    _midi,
    _noise,
    check_source,
    fluidsynth,
    fresh_cache,
    groove_family,
    load_kits,
    tools_available,
    write_drum_loop,
)

# Instrument sets: (name, GM program of the chord/arpeggio/melody tracks, GM program of the bass).
PATCHES = (
    ("piano", 0, 32),
    ("organ", 16, 33),
    ("guitar", 24, 34),
    ("epiano", 4, 35),
    ("strings", 48, 38),
    ("synth", 81, 39),
)
# One-shot notes: (class, GM program, MIDI note range, seconds held).
NOTE_SHOTS = (
    ("bass", 33, (28, 40), 0.8),
    ("bass", 38, (28, 40), 0.8),
    ("keys", 0, (55, 72), 1.2),
    ("keys", 4, (55, 72), 1.2),
    ("lead", 80, (60, 79), 0.7),
    ("lead", 81, (60, 79), 0.7),
    ("pluck", 24, (52, 72), 1.0),
    ("pluck", 45, (55, 76), 0.6),
)
HIT_CLASSES = ("kick", "snare", "hat", "clap", "tom")


@dataclass(frozen=True, slots=True)
class SimilarClip:
    """One labelled clip. role: drum_loop, band_loop, one_shot or texture; cls: the one-shot's
    instrument class (kick, snare, ..., bass, keys) or the texture's kind; source: instrument
    set or kit; family: groove family (band), pattern (drums), what cross-validation leaves out."""

    name: str
    path: Path
    role: str
    cls: str
    source: str
    family: str
    bpm: float
    key: str | None
    mode: str | None


def build_similar_corpus(
    out_dir: Path, *, n_band: int = 120, n_drums: int = 90, n_shots: int = 60,
    n_textures: int = 12, seed: int = 2424,
) -> list[SimilarClip]:  # fmt: skip
    """Render (or reuse) the labelled clips under out_dir (needs mma, fluidsynth, hydrogen)."""
    if not tools_available():
        raise RuntimeError("needs mma, fluidsynth, fluid-soundfont-gm and hydrogen-drumkits")
    check_source(soundfont=SOUNDFONT)
    fresh_cache(out_dir)
    rng = np.random.default_rng(seed)
    kits = load_kits()
    clips: list[SimilarClip] = []
    grooves = [g for g in GROOVES if g.meter in ("4/4", "3/4")]
    for index in range(n_band):
        groove = grooves[int(rng.integers(len(grooves)))]
        patch = PATCHES[index % len(PATCHES)]
        bpm = float(np.round(rng.uniform(groove.low, groove.high), 1))
        tonic = NOTES[int(rng.integers(12))]
        mode = ("major", "minor")[int(rng.integers(2))]
        progression = PROGRESSIONS[mode][int(rng.integers(len(PROGRESSIONS[mode])))]
        lofi = ("", "", "", "", "lowpass", "tape")[int(rng.integers(6))]
        slug = re.sub(r"\W", "", groove.name)
        name = f"band{index:03d}_{slug}_{patch[0]}_{bpm}_{tonic}{mode[:3]}"
        path = out_dir / f"{name}.wav"
        if not path.exists():
            audio = render_band(groove, bpm, tonic, progression, patch)
            cut = _cut(audio, bpm, groove.beats, True, 0.0, 0.0)
            soundfile.write(path, _degrade(cut, lofi, np.random.default_rng([seed, index])), SR)
        family = groove_family(groove.name)
        clips.append(
            SimilarClip(name, path, "band_loop", "band", patch[0], family, bpm, tonic, mode)
        )
    for index in range(n_drums):
        pattern = DRUM_PATTERNS[int(rng.integers(len(DRUM_PATTERNS)))]
        kit_name, kit = kits[index % len(kits)]
        bpm = float(np.round(rng.uniform(pattern.low, pattern.high), 1))
        lofi = ("", "", "", "", "lowpass", "crush")[int(rng.integers(6))]
        slug = re.sub(r"\W", "", kit_name)[:12]
        name = f"drums{index:03d}_{pattern.name}_{slug}_{bpm}"
        path = out_dir / f"{name}.wav"
        write_drum_loop(path, kit, pattern, bpm, lofi, np.random.default_rng([seed, 1000 + index]))
        clips.append(
            SimilarClip(name, path, "drum_loop", "drums", kit_name, pattern.name, bpm, None, None)
        )
    hits = [(k, cls, kit[cls]) for k, kit in kits for cls in HIT_CLASSES if cls in kit]
    for index in range(n_shots):
        if index % 2 == 0:
            kit_name, cls, hit = hits[(index // 2 * 5) % len(hits)]
            name = f"shot{index:03d}_{re.sub(r'[^A-Za-z0-9]', '', kit_name)[:12]}_{cls}"
            path = out_dir / f"{name}.wav"
            if not path.exists():
                gain = 0.8 / max(1e-9, float(np.abs(hit).max()))
                soundfile.write(path, (hit * gain).astype(np.float32), SR)
            clips.append(SimilarClip(name, path, "one_shot", cls, kit_name, cls, 0.0, None, None))
            continue
        cls, program, (low, high), held = NOTE_SHOTS[(index // 2) % len(NOTE_SHOTS)]
        note = int(rng.integers(low, high + 1))
        name = f"shot{index:03d}_{cls}_p{program}_n{note}"
        path = out_dir / f"{name}.wav"
        if not path.exists():
            soundfile.write(path, render_notes(program, [note], held, held + 0.6), SR)
        clips.append(SimilarClip(name, path, "one_shot", cls, f"gm{program}", cls, 0.0, None, None))
    for index in range(n_textures):
        if index % 2 == 0:
            colour = ("white", "pink", "brown")[(index // 2) % 3]
            name = f"texture{index:03d}_noise_{colour}"
            path = out_dir / f"{name}.wav"
            if not path.exists():
                seconds = float(rng.uniform(4.0, 8.0))
                soundfile.write(path, _noise(colour, seconds, np.random.default_rng(index)), SR)
            clips.append(
                SimilarClip(name, path, "texture", "noise", "noise", "noise", 0.0, None, None)
            )
            continue
        program = (89, 91, 95, 50, 52, 88)[(index // 2) % 6]
        root = int(rng.integers(48, 60))
        name = f"texture{index:03d}_pad_p{program}_n{root}"
        path = out_dir / f"{name}.wav"
        if not path.exists():
            chord = [root, root + 7, root + 12, root + 16]
            soundfile.write(path, render_notes(program, chord, 6.0, 7.0), SR)
        clips.append(
            SimilarClip(name, path, "texture", "pad", f"gm{program}", "pad", 0.0, None, None)
        )
    return clips


def render_band(
    groove: Groove,
    bpm: float,
    tonic: str,
    progression: tuple[tuple[int, str], ...],
    patch: tuple[str, int, int],
) -> np.ndarray:
    """The groove through FluidR3 with the patch's instruments (drums stay the groove's)."""
    check_source(groove=groove.name, soundfont=SOUNDFONT)
    bars = max(_bars_for(bpm, groove.beats, 17.0), 4)
    root = NOTES.index(tonic)
    _, melodic, bass = patch
    lines = [
        f"Tempo {bpm}",
        f"Groove {groove.name}",
        f"AllTracks Chord Arpeggio Walk Scale Solo Melody Voice {melodic}",
        f"AllTracks Bass Voice {bass}",
    ]
    for bar in range(bars):
        degree, suffix = progression[bar % len(progression)]
        lines.append(f"{bar + 1} {NOTES[(root + degree) % 12]}{suffix}")
    with tempfile.TemporaryDirectory() as tmp:
        midi = _midi("\n".join(lines) + "\n", Path(tmp))
        return fluidsynth(midi, Path(tmp) / "song.wav")


def render_notes(program: int, notes: list[int], held_s: float, total_s: float) -> np.ndarray:
    """Notes struck together on one FluidR3 GM program, held, then let ring (mono, SR)."""
    check_source(soundfont=SOUNDFONT)
    midi = mido.MidiFile(ticks_per_beat=480)
    track = mido.MidiTrack()
    midi.tracks.append(track)
    ticks = round(held_s * 960)  # tempo 120: 960 ticks a second
    track.append(mido.Message("program_change", program=program, time=0))
    for note in notes:
        track.append(mido.Message("note_on", note=note, velocity=100, time=0))
    for i, note in enumerate(notes):
        track.append(mido.Message("note_off", note=note, velocity=0, time=ticks if i == 0 else 0))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "notes.mid"
        midi.save(path)
        audio = fluidsynth(path, Path(tmp) / "notes.wav")
    mono = audio.mean(axis=1)[: round(total_s * SR)]
    return (mono / max(1e-9, float(np.abs(mono).max())) * 0.8).astype(np.float32)
