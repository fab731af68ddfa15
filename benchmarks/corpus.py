"""A labelled benchmark corpus built at run time: nothing downloaded, nothing committed.

Band clips are MMA grooves (4/4, 3/4, 12/8 and 6/8) at chosen tempi and keys, rendered through
fluidsynth with the FluidR3 GM soundfont; drum loops are sequenced from hydrogen-drumkits
one-shots (rock, boom-bap, four-on-the-floor, half-time/trap, drum'n'bass, shuffle, 3/4);
drum hits and noise are the unpitched clips that must get no key. A quarter of the loops are
degraded lo-fi (bit-crushed, low-passed, noisy, saturated). Without those Debian packages
(`apt-get install mma fluidsynth fluid-soundfont-gm hydrogen-drumkits`) everything is
synthesised in numpy instead, and `Corpus.source` says which it was. A corpus of band loops may
also be played by a second synthesiser and sample set, TiMidity++ with the freepats patches
(`apt-get install timidity freepats`; `timidity_freepats`).

The sources in ../shared/reserved-for-judging.md judge the engine, so they never enter this
corpus: `check_source` refuses them (grooves by family, sound fonts, hydrogen kits) and every
renderer here calls it. `RESERVED_*` below copy that list; a test holds them to the file.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile

SR = 44100
NOTES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
# Another General MIDI sample set, played by another synthesiser (`apt-get install timidity
# freepats`): Gravis patches through TiMidity++, for a check that a sound set the fits never
# heard changes nothing (benchmarks/bench_robustness.py).
FREEPATS_CONFIG = Path("/etc/timidity/freepats.cfg")
DRUMKITS = Path("/usr/share/hydrogen/data/drumkits")
MMA_LIBRARY = Path("/usr/share/mma/lib")
# Renders cached under another version are rendered again (2: MMA seeded per song).
RENDER_VERSION = "2"

# Copied from ../shared/reserved-for-judging.md (normalised: lower case, letters and digits).
RESERVED_GROOVE_FAMILIES = (
    "calypso", "chacha", "countryswing", "salsa", "samba", "strut", "waltz", "zydeco",
    "68march", "68swing", "bluegrass", "bolero", "countrywaltz", "discosoul", "funk1", "funk2",
    "hiphop", "jazzwaltz", "latinwaltz", "mambo", "mellowrb", "merengue", "popwaltz",
    "slowblues", "son", "soul",
)  # fmt: skip
# The whole "zoom" library of MMA drum-only grooves (HIP..., FUNK..., DnB..., 68BLUS, ...).
RESERVED_GROOVE_LIBRARIES = ("zoom",)
RESERVED_SOUNDFONTS = ("musescore", "timgm6mb", "opl3", "csound", "avldrums")
RESERVED_KITS = ("colombo", "millo", "hardelectro1", "varibreaks")


class ReservedSource(ValueError):
    """A source kept for judging the engine was asked for."""


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


@functools.lru_cache(maxsize=1)
def _groove_files() -> dict[str, Path]:
    # Normalised groove name -> the library file that defines it.
    found: dict[str, Path] = {}
    for path in sorted(MMA_LIBRARY.glob("**/*.mma")):
        try:
            text = path.read_text(errors="replace")
        except OSError:
            continue
        for match in re.finditer(r"(?im)^\s*defgroove\s+(\S+)", text):
            found.setdefault(_norm(match.group(1)), path)
    return found


def groove_family(groove: str) -> str:
    """The groove's family: the MMA library file defining it (else the groove's own name)."""
    path = _groove_files().get(_norm(groove))
    return _norm(path.stem) if path is not None else _norm(groove)


def check_source(*, groove: str | None = None, soundfont: Path | None = None,
                 kit: str | None = None) -> None:  # fmt: skip
    """Raise ReservedSource for a groove, sound font or drum kit kept for judging."""
    if groove is not None:
        name = _norm(groove)
        path = _groove_files().get(name)
        names = {name, groove_family(groove)}
        if path is not None:
            # A file's first line names what it was written as ("// discosoul.mma" in dsoul).
            first = path.read_text(errors="replace").lstrip().split("\n", 1)[0]
            names.add(_norm(first.lstrip("/ ").removesuffix(".mma")))
            if any(part in RESERVED_GROOVE_LIBRARIES for part in path.parts):
                raise ReservedSource(f"groove {groove!r} is in a library reserved for judging")
        for reserved in RESERVED_GROOVE_FAMILIES:
            if any(n == reserved or n.startswith(reserved) for n in names if n):
                raise ReservedSource(f"groove {groove!r} ({reserved}) is reserved for judging")
    if soundfont is not None:
        for candidate in {soundfont, soundfont.resolve()}:
            if any(r in _norm(candidate.name) for r in RESERVED_SOUNDFONTS):
                raise ReservedSource(f"sound font {soundfont} is reserved for judging")
    if kit is not None and any(_norm(kit).startswith(r) for r in RESERVED_KITS):
        raise ReservedSource(f"drum kit {kit!r} is reserved for judging")


@dataclass(frozen=True, slots=True)
class Groove:
    """An MMA groove: beats per bar as MMA counts them (Time) and a plausible tempo range.

    pulse is the audible beat as a multiple of MMA's Tempo: a clip's true tempo is its
    rendered Tempo times pulse (1.0 but where MMA's Tempo is no pulse in the audio).
    """

    name: str
    beats: int
    low: float
    high: float
    meter: str
    pulse: float = 1.0


def _g(
    name: str, beats: int, low: float, high: float, meter: str = "4/4", pulse: float = 1.0
) -> Groove:
    return Groove(name, beats, low, high, meter, pulse)


# Families of grooves the corpus renders (none reserved: `check_source` proves it each time).
GROOVES = (
    _g("8Beat", 4, 90, 150), _g("50sRock", 4, 100, 170), _g("60sRock", 4, 100, 160),
    _g("BasicRock", 4, 90, 150), _g("SoftRock", 4, 70, 120), _g("FolkRock", 4, 90, 150),
    _g("R&B", 4, 70, 120), _g("PopBallad", 4, 60, 100), _g("BossaNova", 4, 110, 150),
    _g("JazzRock", 4, 100, 150), _g("Twist", 4, 130, 170), _g("Ballad", 4, 60, 95),
    _g("BubbleRock", 4, 100, 150), _g("BVFunk", 4, 90, 120), _g("Folk", 4, 90, 140),
    _g("GuitarBallad", 4, 60, 95), _g("Jive", 4, 130, 176), _g("Ska", 4, 110, 160),
    _g("Rhumba", 4, 90, 130), _g("ShuffleBoggie", 4, 100, 150), _g("RockBallad", 4, 60, 95),
    _g("R&B-Ballad", 4, 60, 90), _g("Blues", 4, 80, 130), _g("EasySwing", 4, 100, 160),
    _g("HillCountry", 4, 100, 150), _g("LFusion", 4, 90, 140), _g("PopSpiritual", 4, 70, 110),
    _g("ShowTune", 4, 100, 150), _g("PianoBallad", 4, 60, 90), _g("BoneyM", 4, 110, 140),
    _g("Trance", 4, 125, 145), _g("Swing", 4, 120, 180), _g("Foxtrot", 4, 100, 140),
    _g("Beguine", 4, 100, 140), _g("Desert", 4, 80, 120),
    _g("RockWaltz", 3, 90, 150, "3/4"), _g("BroadwayWaltz", 3, 90, 150, "3/4"),
    _g("FrenchWaltz", 3, 110, 170, "3/4"), _g("FastWaltz", 3, 150, 200, "3/4"),
    _g("ArpeggioWaltz", 3, 80, 140, "3/4"), _g("ModernJazzWaltz", 3, 100, 160, "3/4"),
    _g("Ballad128", 4, 50, 80, "12/8"), _g("Blues128", 4, 50, 80, "12/8"),
    _g("Rock128", 4, 55, 90, "12/8"),
    # ballad68.mma is "written with 4 beats to the bar" and its chords play on 1, 1.66, 2.33,
    # 3, 3.66, 4.33: its Tempo is no pulse in the audio, whose beat is those eighth notes at
    # 1.5 x Tempo (as Blues68 and Arpeggio68, written in 6, are counted).
    _g("Ballad68", 4, 50, 80, "6/8", pulse=1.5),
    _g("Blues68", 6, 100, 160, "6/8"), _g("Arpeggio68", 6, 100, 160, "6/8"),
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Progression:
    """A chord loop in one key, one chord per bar: (semitones above the tonic, MMA suffix).

    name is the id cross-validation leaves out whole ("major I-vi-IV-V"): a key model must
    read keys, not recognise the handful of progressions it was fitted on.
    """

    name: str
    mode: str
    chords: tuple[tuple[int, str], ...]


def _p(mode: str, numerals: str, *chords: tuple[int, str]) -> Progression:
    return Progression(f"{mode} {numerals}", mode, chords)


# Every progression has one unambiguous key (the labelled tonic and mode), yet they differ in
# what a key finder leans on: loops that start off the tonic, cadences (ii-V-I), blues
# dominant sevenths, bars spent on IV or V, natural minor (no leading tone) that shares its
# notes with the relative major, harmonic minor's V7, and one-chord vamps.
HARMONY = (
    # The first four of each mode are the eight the corpus played until v3 (and what
    # similar_corpus still plays, through PROGRESSIONS).
    _p("major", "I-vi-IV-V", (0, ""), (9, "m"), (5, ""), (7, "")),
    _p("major", "I-IV-V7-I", (0, ""), (5, ""), (7, "7"), (0, "")),
    _p("major", "I-V-vi-IV", (0, ""), (7, ""), (9, "m"), (5, "")),
    _p("major", "I-ii-V7-I", (0, ""), (2, "m"), (7, "7"), (0, "")),
    _p("major", "ii7-V7-Imaj7-Imaj7", (2, "m7"), (7, "7"), (0, "M7"), (0, "M7")),
    _p("major", "IV-V-I-I", (5, ""), (7, ""), (0, ""), (0, "")),
    _p("major", "I-vi-ii-V7", (0, ""), (9, "m"), (2, "m"), (7, "7")),
    _p("major", "12-bar blues I7-IV7-V7",
       (0, "7"), (5, "7"), (0, "7"), (0, "7"), (5, "7"), (5, "7"),
       (0, "7"), (0, "7"), (7, "7"), (5, "7"), (0, "7"), (7, "7")),
    _p("major", "I-IV-IV-V7", (0, ""), (5, ""), (5, ""), (7, "7")),
    _p("major", "I-V7-V7-I", (0, ""), (7, "7"), (7, "7"), (0, "")),
    _p("major", "I-iii-IV-V", (0, ""), (4, "m"), (5, ""), (7, "")),
    _p("major", "I-IV-vi-V", (0, ""), (5, ""), (9, "m"), (7, "")),
    _p("major", "I-II7-V7-I", (0, ""), (2, "7"), (7, "7"), (0, "")),
    _p("major", "V7-V7-I-I", (7, "7"), (7, "7"), (0, ""), (0, "")),
    _p("major", "I vamp", (0, "")),
    _p("major", "vi-ii-V7-I", (9, "m"), (2, "m"), (7, "7"), (0, "")),
    _p("major", "I-IV-I-V", (0, ""), (5, ""), (0, ""), (7, "")),
    _p("major", "Imaj7-vi7-ii7-V7", (0, "M7"), (9, "m7"), (2, "m7"), (7, "7")),
    _p("minor", "i-iv-V7-i", (0, "m"), (5, "m"), (7, "7"), (0, "m")),
    _p("minor", "i-VI-iv-V7", (0, "m"), (8, ""), (5, "m"), (7, "7")),
    _p("minor", "i-iv-i-V7", (0, "m"), (5, "m"), (0, "m"), (7, "7")),
    _p("minor", "i-VII-VI-V7", (0, "m"), (10, ""), (8, ""), (7, "7")),
    _p("minor", "i-VI-III-VII", (0, "m"), (8, ""), (3, ""), (10, "")),
    _p("minor", "i-iv-v-i", (0, "m"), (5, "m"), (7, "m"), (0, "m")),
    _p("minor", "ii7b5-V7-i-i", (2, "m7b5"), (7, "7"), (0, "m"), (0, "m")),
    _p("minor", "i-VII-VI-VII", (0, "m"), (10, ""), (8, ""), (10, "")),
    _p("minor", "i-iv-iv-V7", (0, "m"), (5, "m"), (5, "m"), (7, "7")),
    _p("minor", "12-bar minor blues",
       (0, "m7"), (5, "m7"), (0, "m7"), (0, "m7"), (5, "m7"), (5, "m7"),
       (0, "m7"), (0, "m7"), (8, "7"), (7, "7"), (0, "m7"), (7, "7")),
    _p("minor", "iv-V7-i-i", (5, "m"), (7, "7"), (0, "m"), (0, "m")),
    _p("minor", "VI-VII-i-i", (8, ""), (10, ""), (0, "m"), (0, "m")),
    _p("minor", "i vamp", (0, "m")),
    _p("minor", "i-VI-VII-i", (0, "m"), (8, ""), (10, ""), (0, "m")),
    _p("minor", "i-V7-V7-i", (0, "m"), (7, "7"), (7, "7"), (0, "m")),
    _p("minor", "V7-i-V7-i", (7, "7"), (0, "m"), (7, "7"), (0, "m")),
    _p("minor", "i-iv-VI-V7", (0, "m"), (5, "m"), (8, ""), (7, "7")),
)  # fmt: skip
# Semitones of each chord suffix above its root (for the numpy-synth fallback; MMA knows them).
CHORD_TONES = {
    "": (0, 4, 7), "m": (0, 3, 7), "7": (0, 4, 7, 10), "m7": (0, 3, 7, 10),
    "M7": (0, 4, 7, 11), "m7b5": (0, 3, 6, 10),
}  # fmt: skip
# The eight progressions of corpus v2, by mode (benchmarks/similar_corpus.py renders these).
_V2_HARMONY = {mode: tuple(p for p in HARMONY if p.mode == mode)[:4] for mode in ("major", "minor")}
PROGRESSIONS = {mode: tuple(p.chords for p in of_mode) for mode, of_mode in _V2_HARMONY.items()}
# Every BASS_ONLY_EVERY-th band clip keeps only its bass line (and drums): no chords to lean on.
BASS_ONLY_EVERY = 12
Audio = npt.NDArray[np.float32]
# A MIDI file to (frames, channels) float32 audio at SR, through a scratch wav path.
Render = Callable[[Path, Path], Audio]


@dataclass(frozen=True, slots=True)
class CorpusClip:
    """One labelled clip; key and mode are None for unpitched clips (drums, hits, noise).

    kind is "band", "drums", "hit" or "noise"; group is what cross-validation leaves out
    whole (the groove family or the drum kit); bpm is 0 for hits and noise. A band clip's
    progression (a HARMONY name) is left out whole too when its key is judged; arrangement
    is "" for the whole band and "bass" for the bass line alone (with the drums).
    """

    name: str
    path: Path
    bpm: float
    key: str | None
    mode: str | None
    loop_cut: bool
    kind: str
    group: str = ""
    meter: str = "4/4"
    lofi: str = ""
    progression: str = ""
    arrangement: str = ""


@dataclass(frozen=True, slots=True)
class Corpus:
    """The clips and how they were made ("mma+fluidsynth+hydrogen" or "numpy-synth")."""

    clips: list[CorpusClip]
    source: str


def tools_available() -> bool:
    """Whether the Debian packages the rendered corpus needs are installed."""
    return bool(
        shutil.which("mma")
        and shutil.which("fluidsynth")
        and SOUNDFONT.exists()
        and any(DRUMKITS.glob("*/drumkit.xml"))
    )


def build_corpus(
    out_dir: Path,
    n_band: int = 96,
    n_drums: int = 48,
    seed: int = 404,
    grooves: tuple[Groove, ...] = GROOVES,
    n_hits: int = 0,
    harmony_stress: bool = False,
    render: Render | None = None,
) -> Corpus:
    """Render (or reuse) the corpus under out_dir; its band clips through `render` (FluidR3
    through fluidsynth where None).

    Band clips play the eight progressions of PROGRESSIONS, one chord a bar (corpus v2, the
    features benchmark's headline). With harmony_stress (corpus v3, a key-only stress set)
    they play the 35 of HARMONY in turn, slow clips change chords within the bar so that each
    holds its whole progression, and every BASS_ONLY_EVERY-th keeps only its bass line; the
    grooves, tempi, keys and cuts are v2's either way.
    """
    for groove in grooves:
        check_source(groove=groove.name)
    fresh_cache(out_dir)
    rendered = tools_available()
    if rendered:
        check_source(soundfont=SOUNDFONT)
    rng = np.random.default_rng(seed)
    clips: list[CorpusClip] = []
    kits = load_kits() if rendered else []
    if rendered and not kits:
        rendered = False
    harmony = _harmony_order(seed)
    for index in range(n_band):
        groove = grooves[index % len(grooves)]
        bpm = float(np.round(rng.uniform(groove.low, groove.high), 1))
        tonic = NOTES[int(rng.integers(12))]
        mode = ("major", "minor")[int(rng.integers(2))]
        # Drawn for the stress set too (unused there), so that every later draw, and with it
        # each clip's groove, tempo, key and cut, is the same in both.
        progression = _V2_HARMONY[mode][int(rng.integers(len(_V2_HARMONY[mode])))]
        if harmony_stress:
            progression = harmony[mode][sum(c.mode == mode for c in clips) % len(harmony[mode])]
        loop_cut = index % 2 == 0
        offset = float(rng.uniform(0.1, 1.5))
        length = float(rng.uniform(8.0, 12.0))
        lofi = _LOFI[int(rng.integers(len(_LOFI)))] if rng.uniform() < 0.25 else ""
        bass_only = (
            harmony_stress
            and index % BASS_ONLY_EVERY == BASS_ONLY_EVERY - 1
            and (not rendered or _has_bass(groove))
        )
        arrangement = "bass" if bass_only else ""
        slug = re.sub(r"\W", "", groove.name)
        per_bar = (
            chords_per_bar(progression, groove, bpm, loop_cut, length) if harmony_stress else 1
        )
        harmony_slug = f"_h{HARMONY.index(progression):02d}x{per_bar}" if harmony_stress else ""
        name = (
            f"band{index:03d}_{slug}_{bpm}_{tonic}{mode[:3]}{harmony_slug}"
            f"{'_bass' if bass_only else ''}{'_' + lofi if lofi else ''}"
        )
        path = out_dir / f"{name}.wav"
        if not path.exists():
            audio = (
                _render_band(
                    groove, bpm, tonic, progression.chords, bass_only, per_bar, render=render
                )
                if rendered
                else _synth_band(
                    bpm,
                    tonic,
                    progression.chords,
                    np.random.default_rng([seed, index]),
                    bass_only,
                    per_bar,
                )
            )
            cut = _cut(audio, bpm, groove.beats, loop_cut, offset, length)
            soundfile.write(path, _degrade(cut, lofi, np.random.default_rng([seed, 7, index])), SR)
        family = groove_family(groove.name) if rendered else "synth"
        # The name (and so the cached audio) keeps the rendered Tempo; the truth is the pulse.
        truth = float(np.round(bpm * groove.pulse, 2))
        clips.append(
            CorpusClip(
                name, path, truth, tonic, mode, loop_cut, "band", family, groove.meter, lofi,
                progression.name, arrangement,
            )
        )  # fmt: skip
    for index in range(n_drums):
        pattern = DRUM_PATTERNS[index % len(DRUM_PATTERNS)]
        bpm = float(np.round(rng.uniform(pattern.low, pattern.high), 1))
        lofi = _LOFI[int(rng.integers(len(_LOFI)))] if rng.uniform() < 0.25 else ""
        kit_name, kit = kits[index % len(kits)] if kits else ("synth", None)
        slug = re.sub(r"\W", "", kit_name)[:12]
        name = f"drums{index:03d}_{pattern.name}_{slug}_{bpm}{'_' + lofi if lofi else ''}"
        path = out_dir / f"{name}.wav"
        render_rng = np.random.default_rng([seed, n_band + index])
        write_drum_loop(path, kit, pattern, bpm, lofi, render_rng)
        clips.append(
            CorpusClip(name, path, bpm, None, None, True, "drums", kit_name, pattern.meter, lofi)
        )
    clips += _hits(out_dir, kits, n_hits, seed)
    source = "mma+fluidsynth+hydrogen" if rendered else "numpy-synth"
    return Corpus(clips, source)


def build_band_families(
    out_dir: Path,
    grooves: tuple[Groove, ...],
    loops_per_family: int,
    seed: int,
    render: Render | None = None,
) -> Corpus:
    """Render (or reuse) `loops_per_family` band loops of each groove under out_dir, exactly as
    corpus v2's band loops (through `render`, FluidR3 where None), and nothing else (corpus v5
    and v6); empty where MMA, FluidSynth or the kits are missing (synthesised stand-ins would
    all be one "family", which judges and widens nothing)."""
    if not tools_available():
        return Corpus([], "not rendered")
    return build_corpus(
        out_dir,
        n_band=loops_per_family * len(grooves),
        n_drums=0,
        seed=seed,
        grooves=grooves,
        render=render,
    )


def chords_per_bar(
    progression: Progression, groove: Groove, bpm: float, loop_cut: bool, length: float
) -> int:
    """How many chords a bar plays, so that the clip holds the whole progression (its first
    four chords when it is longer): a key is only unambiguous when the loop has heard its
    tonic and what leads to it. Slow loops change chords every two beats or every beat."""
    bar_s = groove.beats * 60.0 / bpm
    heard = _cut_bars(bar_s) if loop_cut else max(1, int(length // bar_s))
    need = min(len(progression.chords), 4)
    choices = (1, 3) if groove.beats == 3 else (1, 2) if groove.beats == 6 else (1, 2, 4)
    return next((k for k in choices if heard * k >= need), choices[-1])


def _harmony_order(seed: int) -> dict[str, tuple[Progression, ...]]:
    # Each mode's progressions in a fixed shuffled order; band clips of a mode take them in
    # turn, so every progression is played about equally often.
    rng = np.random.default_rng([seed, 31])
    order: dict[str, tuple[Progression, ...]] = {}
    for mode in ("major", "minor"):
        of_mode = [p for p in HARMONY if p.mode == mode]
        order[mode] = tuple(of_mode[int(i)] for i in rng.permutation(len(of_mode)))
    return order


def _hits(out_dir: Path, kits: list[tuple[str, Kit]], count: int, seed: int) -> list[CorpusClip]:
    # One-shots of each kit (kick, snare, hat, tom, ...) and noise bursts: no key, no tempo.
    clips: list[CorpusClip] = []
    rng = np.random.default_rng([seed, 99])
    one_shots = [(kit_name, role, hit) for kit_name, kit in kits for role, hit in kit.items()]
    if not one_shots:
        synth = _synth_kit(rng)
        one_shots = [("synth", role, hit) for role, hit in synth.items()]
    for index in range(count):
        if index % 4 == 3:
            colour = ("white", "pink", "brown")[index % 3]
            name = f"noise{index:03d}_{colour}"
            path = out_dir / f"{name}.wav"
            if not path.exists():
                soundfile.write(path, _noise(colour, float(rng.uniform(0.5, 4.0)), rng), SR)
            clips.append(CorpusClip(name, path, 0.0, None, None, False, "noise", "noise"))
            continue
        kit_name, role, hit = one_shots[(index * 7) % len(one_shots)]
        slug = re.sub(r"\W", "", kit_name)[:12]
        name = f"hit{index:03d}_{slug}_{role}"
        path = out_dir / f"{name}.wav"
        if not path.exists():
            audio = hit / max(1e-9, float(np.abs(hit).max())) * 0.8
            soundfile.write(path, audio.astype(np.float32), SR)
        clips.append(CorpusClip(name, path, 0.0, None, None, False, "hit", kit_name))
    return clips


def _noise(colour: str, seconds: float, rng: np.random.Generator) -> Audio:
    n = round(seconds * SR)
    white = rng.standard_normal(n)
    spectrum = np.fft.rfft(white)
    freqs = np.fft.rfftfreq(n, 1.0 / SR)
    tilt = {"white": 0.0, "pink": 0.5, "brown": 1.0}[colour]
    spectrum /= np.maximum(freqs, 20.0) ** tilt
    out = np.fft.irfft(spectrum, n)
    return (out / np.abs(out).max() * 0.5).astype(np.float32)


def _bars_for(bpm: float, beats: int, seconds: float) -> int:
    return max(1, int(np.ceil(seconds * bpm / (60.0 * beats))))


def _cut_bars(bar_s: float) -> int:
    return 8 if 8 * bar_s <= 15.0 else 4 if 4 * bar_s <= 15.0 else 2


def _cut(
    audio: Audio, bpm: float, beats: int, loop_cut: bool, offset: float, length: float
) -> Audio:
    # A loop cut holds whole bars (2, 4 or 8) from the downbeat; the rest start mid-bar.
    if loop_cut:
        bar_s = beats * 60.0 / bpm
        return audio[: round(_cut_bars(bar_s) * bar_s * SR)]
    start = round(offset * SR)
    return audio[start : start + round(length * SR)]


# After "Groove", silences every track but the bass lines (Bass, Walk) and the drums.
_BASS_ONLY = "AllTracks Chord Arpeggio Scale Plectrum Melody Solo Aria Off"
# After "Groove", silences every track but the drums (a groove's own drum loop).
_DRUMS_ONLY = "AllTracks Chord Arpeggio Scale Plectrum Melody Solo Aria Bass Walk Off"


def _song(
    groove: Groove,
    bpm: float,
    tonic: str,
    progression: tuple[tuple[int, str], ...],
    bass_only: bool,
    per_bar: int = 1,
    drums_only: bool = False,
) -> str:
    check_source(groove=groove.name)
    bars = max(_bars_for(bpm, groove.beats, 17.0), 4)
    root = NOTES.index(tonic)
    silence = [_DRUMS_ONLY] if drums_only else [_BASS_ONLY] if bass_only else []
    lines = [f"Tempo {bpm}", f"Groove {groove.name}", *silence]
    for bar in range(bars):
        # One token per beat: a chord where it changes, "/" where the last one holds.
        beats = ["/"] * groove.beats
        for slot in range(per_bar):
            degree, suffix = progression[(bar * per_bar + slot) % len(progression)]
            beats[slot * groove.beats // per_bar] = f"{NOTES[(root + degree) % 12]}{suffix}"
        lines.append(f"{bar + 1} {' '.join(beats)}")
    return "\n".join(lines) + "\n"


def _midi(song: str, tmp: Path) -> Path:
    """The song through MMA, seeded from its own text: MMA humanises a groove at random (note
    timing, velocity, skipped notes), so unseeded, every render of a clip differed, on one
    machine and between machines (the same code's headline figures moved by several points)."""
    text, midi = tmp / "song.mma", tmp / "song.mid"
    text.write_text(f"RndSeed {zlib.crc32(song.encode())}\n{song}")
    subprocess.run(
        ["mma", "-f", str(midi), str(text)],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    return midi


def fresh_cache(out_dir: Path) -> None:
    """Make out_dir and drop renders cached before RENDER_VERSION, so that every cached clip is
    the audio this code renders."""
    out_dir.mkdir(parents=True, exist_ok=True)
    marker = out_dir / "RENDER_VERSION"
    if marker.exists() and marker.read_text().strip() == RENDER_VERSION:
        return
    for wav in out_dir.glob("*.wav"):
        wav.unlink()
    marker.write_text(RENDER_VERSION + "\n")


@functools.cache
def _has_bass(groove: Groove) -> bool:
    """Whether the groove plays pitched notes once all but its bass tracks are silenced."""
    import mido

    with tempfile.TemporaryDirectory() as tmp:
        midi = mido.MidiFile(_midi(_song(groove, 100.0, "C", ((0, ""),), True), Path(tmp)))
    return any(
        m.type == "note_on" and m.velocity > 0 and m.channel != 9 for t in midi.tracks for m in t
    )


def _render_band(
    groove: Groove,
    bpm: float,
    tonic: str,
    progression: tuple[tuple[int, str], ...],
    bass_only: bool = False,
    per_bar: int = 1,
    drums_only: bool = False,
    render: Render | None = None,
) -> Audio:
    """The groove rendered through `render` (fluidsynth where None): the whole band, its bass
    lines and drums (bass_only) or its drums alone (drums_only)."""
    check_source(groove=groove.name)
    song = _song(groove, bpm, tonic, progression, bass_only, per_bar, drums_only)
    with tempfile.TemporaryDirectory() as tmp:
        return (render or fluidsynth)(_midi(song, Path(tmp)), Path(tmp) / "song.wav")


def fluidsynth(midi: Path, wav: Path) -> Audio:
    """(frames, 2) float32 audio of a MIDI file played through FluidR3 at SR (written to wav)."""
    check_source(soundfont=SOUNDFONT)
    subprocess.run(
        ["fluidsynth", "-ni", "-q", "-g", "0.5", "-r", str(SR), "-F", str(wav),
         str(SOUNDFONT), str(midi)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    audio, _ = soundfile.read(wav, dtype="float32", always_2d=True)
    return audio


def freepats_available() -> bool:
    return shutil.which("timidity") is not None and FREEPATS_CONFIG.exists()


def timidity_freepats(midi: Path, wav: Path) -> Audio:
    """(frames, 2) float32 audio of a MIDI file played through TiMidity++ with the freepats
    patches at SR (written to wav).

    freepats holds 72 of General MIDI's 128 programs; each missing one plays the nearest
    program of its family of eight (a second string ensemble plays the first), else the
    nearest at all, so that no part falls silent."""
    check_source(soundfont=FREEPATS_CONFIG)
    config = wav.parent / "freepats-gm.cfg"
    if not config.exists():
        config.write_text(_freepats_gm_config(FREEPATS_CONFIG.read_text()))
    subprocess.run(
        ["timidity", "-c", str(config), "-Ow", "-s", str(SR), "-A", "50", "-o", str(wav),
         str(midi)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    audio, _ = soundfile.read(wav, dtype="float32", always_2d=True)
    return audio


def _freepats_gm_config(config: str) -> str:
    """freepats.cfg with every General MIDI program of bank 0 mapped to a patch."""
    head, bank = config.split("\nbank 0", 1)
    present = {
        int(m.group(1)): m.group(2) for m in re.finditer(r"^\s*(\d+)\s+(\S+\.pat)", bank, re.M)
    }
    lines = [head, "bank 0"]
    for program in range(128):
        family = [p for p in present if p // 8 == program // 8] or list(present)
        nearest = min(family, key=lambda p: (abs(p - program), p))
        lines.append(f" {program}\t{present[nearest]}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class DrumPattern:
    """One bar on a grid of `steps` (steps per beat = steps / beats): (role, steps, gain)."""

    name: str
    steps: int
    beats: int
    hits: tuple[tuple[str, tuple[int, ...], float], ...]
    low: float
    high: float
    meter: str = "4/4"


_EIGHTHS = tuple(range(0, 16, 2))
DRUM_PATTERNS = (
    DrumPattern("rock", 16, 4, (("kick", (0, 8), 1.0), ("snare", (4, 12), 0.9),
                                ("hat", _EIGHTHS, 0.5)), 80, 150),
    DrumPattern("sync", 16, 4, (("kick", (0, 6, 10), 1.0), ("snare", (4, 12), 0.9),
                                ("hat", _EIGHTHS, 0.4)), 85, 140),
    DrumPattern("four", 16, 4, (("kick", (0, 4, 8, 12), 1.0), ("snare", (4, 12), 0.7),
                                ("hat", (2, 6, 10, 14), 0.6)), 110, 135),
    DrumPattern("busy", 16, 4, (("kick", (0, 10), 1.0), ("snare", (4, 12), 1.0),
                                ("hat", tuple(range(16)), 0.3)), 80, 120),
    DrumPattern("boombap", 16, 4, (("kick", (0, 7, 10), 1.0), ("snare", (4, 12), 1.0),
                                   ("hat", _EIGHTHS, 0.35)), 75, 98),
    DrumPattern("halftime", 16, 4, (("kick", (0, 3, 11), 1.0), ("snare", (8,), 1.0),
                                    ("hat", tuple(range(16)), 0.3)), 130, 150),
    DrumPattern("dnb", 16, 4, (("kick", (0, 10), 1.0), ("snare", (4, 12), 1.0),
                               ("hat", _EIGHTHS, 0.35)), 160, 178),
    DrumPattern("shuffle", 12, 4, (("kick", (0, 6), 1.0), ("snare", (3, 9), 0.9),
                                   ("hat", (0, 2, 3, 5, 6, 8, 9, 11), 0.4)), 80, 130),
    DrumPattern("waltz", 12, 3, (("kick", (0,), 1.0), ("snare", (4, 8), 0.8),
                                 ("hat", tuple(range(0, 12, 2)), 0.4)), 90, 170, "3/4"),
)  # fmt: skip
Kit = dict[str, npt.NDArray[np.float64]]
# Kits without a drum set's names: which of their instruments play kick, snare and hat.
_ROLE_NAMES = {
    "kick": re.compile(r"kick|bass ?drum|\bbd|cajon thump|djembe1 bass", re.I),
    "snare": re.compile(r"snare|\bsd|djembe1 slap|cajon slap", re.I),
    "hat": re.compile(r"closed|hh|hi-?hat|hat|maraca|sangban1 bell hit", re.I),
    "clap": re.compile(r"clap", re.I),
    "tom": re.compile(r"\btom\b|tom ", re.I),
}
_CORE_ROLES = ("kick", "snare", "hat")


def load_kit(kit_dir: Path) -> Kit:
    """One hydrogen kit's one-shots by role (at most a second each), at SR, mono."""
    check_source(kit=kit_dir.name)
    root = ET.parse(kit_dir / "drumkit.xml").getroot()
    found: Kit = {}
    for instrument in root.iter():
        if not instrument.tag.endswith("instrument"):
            continue
        name = next((c.text or "" for c in instrument if c.tag.endswith("name")), "")
        files = [e.text for e in instrument.iter() if e.tag.endswith("filename") and e.text]
        for role, pattern in _ROLE_NAMES.items():
            if role in found or not files or not pattern.search(name):
                continue
            if role == "hat" and re.search(r"open|pedal|semi", name, re.I):
                continue
            if role == "snare" and re.search(r"roll|rim", name, re.I):
                continue
            try:
                data, rate = soundfile.read(kit_dir / files[0], always_2d=True)
            except (soundfile.LibsndfileError, RuntimeError):
                continue
            mono = data.mean(axis=1)
            if rate != SR:
                positions = np.arange(0, mono.shape[0], rate / SR)
                mono = np.interp(positions, np.arange(mono.shape[0]), mono)
            found[role] = mono[:SR]
            break
    return found


def load_kits() -> list[tuple[str, Kit]]:
    """Every allowed hydrogen kit with a kick, snare and hat; reserved kits are skipped."""
    kits: list[tuple[str, Kit]] = []
    for xml_path in sorted(DRUMKITS.glob("*/drumkit.xml")):
        try:
            check_source(kit=xml_path.parent.name)
            kit = load_kit(xml_path.parent)
        except (ReservedSource, ET.ParseError):
            continue
        if all(role in kit for role in _CORE_ROLES):
            kits.append((xml_path.parent.name, kit))
    return kits


def drum_loop_bars(pattern: DrumPattern, bpm: float) -> int:
    """How many bars a sequenced drum loop lasts: the power of two (1 to 8) nearest 6 seconds."""
    bar_s = pattern.beats * 60.0 / bpm
    return max(1, min(8, 2 ** round(np.log2(max(1.0, 6.0 / bar_s)))))


def write_drum_loop(
    path: Path,
    kit: Kit | None,
    pattern: DrumPattern,
    bpm: float,
    lofi: str,
    render_rng: np.random.Generator,
) -> None:
    """Sequence `pattern` on `kit` (a synthesised kit where None) for drum_loop_bars, degrade it
    as `lofi` says and write it to `path`, unless a render is cached there. Every random draw of
    the render comes from `render_rng`, a generator of its own, so the labels the caller draws
    never depend on what is cached."""
    if path.exists():
        return
    bars = drum_loop_bars(pattern, bpm)
    audio = _sequence(kit or _synth_kit(render_rng), pattern, bpm, bars, render_rng)
    soundfile.write(path, _degrade(audio, lofi, render_rng), SR)


def _sequence(
    kit: Kit,
    pattern: DrumPattern,
    bpm: float,
    bars: int,
    rng: np.random.Generator,
) -> Audio:
    step_s = pattern.beats * 60.0 / bpm / pattern.steps
    length = round(bars * pattern.beats * 60.0 / bpm * SR)
    out = np.zeros(length + SR)
    for bar in range(bars):
        for role, steps, gain in pattern.hits:
            for step in steps:
                start = round((bar * pattern.steps + step) * step_s * SR)
                hit = kit[role] * gain * float(rng.uniform(0.7, 1.0))
                out[start : start + hit.shape[0]] += hit
    # Wrap the tail past the loop's end onto its start, as a seamless loop would be.
    out[:SR] += out[length : length + SR]
    out = out[:length]
    return (out / max(1e-9, float(np.abs(out).max())) * 0.8).astype(np.float32)


_LOFI = ("crush", "lowpass", "noise", "tape")


def _degrade(audio: Audio, how: str, rng: np.random.Generator) -> Audio:
    """Lo-fi degradations: 8-bit/11 kHz crush, 3 kHz low-pass, hiss and crackle, saturation."""
    if not how:
        return audio
    x = np.asarray(audio, dtype=np.float64)
    squeeze = x.ndim == 1
    if squeeze:
        x = x[:, None]
    if how == "crush":
        held = np.repeat(x[::4], 4, axis=0)[: x.shape[0]]
        x = np.round(held * 127.0) / 127.0
    elif how == "lowpass":
        from scipy.signal import butter, sosfilt

        x = sosfilt(butter(4, 3000.0, fs=SR, output="sos"), x, axis=0)
    elif how == "noise":
        hiss = rng.standard_normal(x.shape) * 0.02
        crackle = (rng.uniform(size=x.shape) < 2e-4) * rng.uniform(-0.5, 0.5, x.shape)
        x = x + hiss + crackle
    elif how == "tape":
        x = np.tanh(3.0 * x) / np.tanh(3.0)
    out = (x / max(1e-9, float(np.abs(x).max())) * 0.8).astype(np.float32)
    return out[:, 0] if squeeze else out


def _synth_kit(rng: np.random.Generator) -> Kit:
    t = np.arange(int(0.5 * SR)) / SR
    kick = np.sin(2 * np.pi * np.cumsum(50.0 + 90.0 * np.exp(-t / 0.04)) / SR) * np.exp(-t / 0.2)
    snare = (0.4 * np.sin(2 * np.pi * 185.0 * t) + 0.5 * rng.standard_normal(t.shape[0])) * np.exp(
        -t / 0.07
    )
    hat = np.diff(rng.standard_normal(t.shape[0] + 1)) * 0.2 * np.exp(-t / 0.015)
    return {"kick": kick, "snare": snare, "hat": hat}


def _synth_band(
    bpm: float,
    tonic: str,
    progression: tuple[tuple[int, str], ...],
    rng: np.random.Generator,
    bass_only: bool = False,
    per_bar: int = 1,
) -> Audio:
    bars = max(_bars_for(bpm, 4, 16.0), 4)
    chord_s = 240.0 / bpm / per_bar
    root = 48 + NOTES.index(tonic)
    out = np.zeros(round(bars * per_bar * chord_s * SR) + SR)
    t = np.arange(round(chord_s * SR)) / SR
    for slot in range(bars * per_bar):
        degree, suffix = progression[slot % len(progression)]
        tone = np.zeros(t.shape[0])
        for interval in () if bass_only else CHORD_TONES[suffix]:
            f0 = 440.0 * 2.0 ** ((root + degree + interval - 69) / 12.0)
            tone += sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
        bass_f0 = 440.0 * 2.0 ** ((root + degree - 12 - 69) / 12.0)
        tone += 0.8 * np.sin(2 * np.pi * bass_f0 * t)
        start = round(slot * chord_s * SR)
        out[start : start + t.shape[0]] += 0.1 * tone * np.minimum(1.0, t / 0.02)
    drums = _sequence(_synth_kit(rng), DRUM_PATTERNS[0], bpm, bars, rng)
    out[: drums.shape[0]] += 0.5 * drums
    return (out / np.abs(out).max() * 0.8).astype(np.float32)[:, None]
