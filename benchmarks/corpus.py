"""A labelled benchmark corpus built at run time: nothing downloaded, nothing committed.

Band clips are MMA grooves at chosen tempi and keys, rendered through fluidsynth with the
FluidR3 GM soundfont; drum loops are sequenced from hydrogen-drumkits one-shots. Without
those Debian packages (`apt-get install mma fluidsynth fluid-soundfont-gm hydrogen-drumkits`)
everything is synthesised in numpy instead, and `Corpus.source` says which it was.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import soundfile

SR = 44100
NOTES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
SOUNDFONT = Path("/usr/share/sounds/sf2/FluidR3_GM.sf2")
DRUMKITS = Path("/usr/share/hydrogen/data/drumkits")
GROOVES = (
    "8Beat",
    "50sRock",
    "60sRock",
    "BasicRock",
    "SoftRock",
    "FolkRock",
    "R&B",
    "PopBallad",
    "BossaNova",
    "JazzRock",
    "Dsoul",
    "Twist",
)
# Other 4/4 grooves from MMA's library, never in the benchmark: the octave decision is fitted
# on these (benchmarks/fit_octave.py), so the benchmark scores styles it has not seen.
TRAINING_GROOVES = (
    "Ballad",
    "BubbleRock",
    "BVFunk",
    "Folk",
    "FolkBallad",
    "GuitarBallad",
    "Jive",
    "Ska",
    "Rhumba",
    "ShuffleBoggie",
    "RockBallad",
    "R&B-Ballad",
    "Blues",
    "EasySwing",
    "HillCountry",
    "LFusion",
    "PopSpiritual",
    "ShowTune",
    "CountrySwing",
    "PianoBallad",
    "BoneyM",
    "Calypso",
)
# Scale degrees (semitones above the tonic) and chord suffixes, one chord per bar.
PROGRESSIONS = {
    "major": (
        ((0, ""), (9, "m"), (5, ""), (7, "")),
        ((0, ""), (5, ""), (7, "7"), (0, "")),
        ((0, ""), (7, ""), (9, "m"), (5, "")),
    ),
    "minor": (
        ((0, "m"), (5, "m"), (7, "7"), (0, "m")),
        ((0, "m"), (8, ""), (5, "m"), (7, "7")),
        ((0, "m"), (5, "m"), (0, "m"), (7, "7")),
    ),
}
Audio = npt.NDArray[np.float32]


@dataclass(frozen=True, slots=True)
class CorpusClip:
    """One labelled clip; key and mode are None for drums only."""

    name: str
    path: Path
    bpm: float
    key: str | None
    mode: str | None
    loop_cut: bool
    kind: str


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
    n_band: int = 48,
    n_drums: int = 24,
    seed: int = 404,
    grooves: tuple[str, ...] = GROOVES,
) -> Corpus:
    """Render (or reuse) the corpus under out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rendered = tools_available()
    rng = np.random.default_rng(seed)
    clips: list[CorpusClip] = []
    kits = _load_kits() if rendered else []
    if rendered and not kits:
        rendered = False
    for index in range(n_band):
        bpm = float(np.round(rng.uniform(70.0, 170.0), 1))
        tonic = NOTES[int(rng.integers(12))]
        mode = ("major", "minor")[int(rng.integers(2))]
        progression = PROGRESSIONS[mode][int(rng.integers(3))]
        groove = grooves[index % len(grooves)]
        loop_cut = index % 2 == 0
        offset = float(rng.uniform(0.1, 1.5))
        length = float(rng.uniform(8.0, 12.0))
        slug = re.sub(r"\W", "", groove)
        name = f"band{index:03d}_{slug}_{bpm}_{tonic}{mode[:3]}"
        path = out_dir / f"{name}.wav"
        if not path.exists():
            audio = (
                _render_band(groove, bpm, tonic, progression)
                if rendered
                else _synth_band(bpm, tonic, progression, np.random.default_rng([seed, index]))
            )
            soundfile.write(path, _cut(audio, bpm, loop_cut, offset, length), SR)
        clips.append(CorpusClip(name, path, bpm, tonic, mode, loop_cut, "band"))
    for index in range(n_drums):
        bpm = float(np.round(rng.uniform(70.0, 170.0), 1))
        pattern = index % len(_PATTERNS)
        bars = 2 if bpm < 110 else 4
        name = f"drums{index:03d}_p{pattern}_{bpm}"
        path = out_dir / f"{name}.wav"
        if not path.exists():
            # Rendering draws from its own generator so the labels never depend on the cache.
            render_rng = np.random.default_rng([seed, n_band + index])
            kit = kits[index % len(kits)] if kits else _synth_kit(render_rng)
            audio = _sequence(kit, _PATTERNS[pattern], bpm, bars, render_rng)
            soundfile.write(path, audio, SR)
        clips.append(CorpusClip(name, path, bpm, None, None, True, "drums"))
    source = "mma+fluidsynth+hydrogen" if rendered else "numpy-synth"
    return Corpus(clips, source)


def _bars_for(bpm: float, seconds: float) -> int:
    return max(1, int(np.ceil(seconds * bpm / 240.0)))


def _cut(audio: Audio, bpm: float, loop_cut: bool, offset: float, length: float) -> Audio:
    # A loop cut holds exactly 4 or 8 whole bars from the downbeat; the rest start mid-bar.
    if loop_cut:
        bars = 8 if 8 * 240.0 / bpm <= 15.0 else 4
        return audio[: round(bars * 240.0 / bpm * SR)]
    start = round(offset * SR)
    return audio[start : start + round(length * SR)]


def _render_band(
    groove: str, bpm: float, tonic: str, progression: tuple[tuple[int, str], ...]
) -> Audio:
    bars = max(_bars_for(bpm, 16.0), 4)
    root = NOTES.index(tonic)
    lines = [f"Tempo {bpm}", f"Groove {groove}"]
    for bar in range(bars):
        degree, suffix = progression[bar % len(progression)]
        lines.append(f"{bar + 1} {NOTES[(root + degree) % 12]}{suffix}")
    with tempfile.TemporaryDirectory() as tmp:
        song, midi, wav = Path(tmp) / "song.mma", Path(tmp) / "song.mid", Path(tmp) / "song.wav"
        song.write_text("\n".join(lines) + "\n")
        subprocess.run(["mma", "-f", str(midi), str(song)], check=True, capture_output=True)
        subprocess.run(
            [
                "fluidsynth",
                "-ni",
                "-q",
                "-g",
                "0.5",
                "-r",
                str(SR),
                "-F",
                str(wav),
                str(SOUNDFONT),
                str(midi),
            ],
            check=True,
            capture_output=True,
        )
        audio, _ = soundfile.read(wav, dtype="float32", always_2d=True)
    return audio


# Patterns on a 16th-note grid over one bar: (instrument, steps, gain).
_PATTERNS = (
    (("kick", (0, 8), 1.0), ("snare", (4, 12), 0.9), ("hat", tuple(range(0, 16, 2)), 0.5)),
    (("kick", (0, 6, 10), 1.0), ("snare", (4, 12), 0.9), ("hat", tuple(range(0, 16, 2)), 0.4)),
    (("kick", (0, 4, 8, 12), 1.0), ("snare", (4, 12), 0.7), ("hat", (2, 6, 10, 14), 0.6)),
    (("kick", (0, 10), 1.0), ("snare", (4, 12), 1.0), ("hat", tuple(range(16)), 0.3)),
)
Kit = dict[str, npt.NDArray[np.float64]]


def _load_kits() -> list[Kit]:
    kits: list[Kit] = []
    wanted = {
        "kick": re.compile(r"kick|bass ?drum|\bbd", re.I),
        "snare": re.compile(r"snare|\bsd", re.I),
        "hat": re.compile(r"closed|hh|hi-?hat|hat", re.I),
    }
    for xml_path in sorted(DRUMKITS.glob("*/drumkit.xml")):
        try:
            root = ET.parse(xml_path).getroot()
        except ET.ParseError:
            continue
        found: Kit = {}
        for instrument in root.iter():
            if not instrument.tag.endswith("instrument"):
                continue
            name = next((c.text or "" for c in instrument if c.tag.endswith("name")), "")
            files = [e.text for e in instrument.iter() if e.tag.endswith("filename") and e.text]
            for role, pattern in wanted.items():
                if role in found or not files or not pattern.search(name):
                    continue
                if role == "hat" and re.search(r"open|pedal", name, re.I):
                    continue
                try:
                    data, rate = soundfile.read(xml_path.parent / files[0], always_2d=True)
                except (soundfile.LibsndfileError, RuntimeError):
                    continue
                mono = data.mean(axis=1)
                if rate != SR:
                    positions = np.arange(0, mono.shape[0], rate / SR)
                    mono = np.interp(positions, np.arange(mono.shape[0]), mono)
                found[role] = mono[:SR]  # at most one second of each hit
        if len(found) == 3:
            kits.append(found)
    return kits


def _sequence(
    kit: Kit,
    pattern: tuple[tuple[str, tuple[int, ...], float], ...],
    bpm: float,
    bars: int,
    rng: np.random.Generator,
) -> Audio:
    sixteenth = 15.0 / bpm
    length = round(bars * 240.0 / bpm * SR)
    out = np.zeros(length + SR)
    for bar in range(bars):
        for role, steps, gain in pattern:
            for step in steps:
                start = round((bar * 16 + step) * sixteenth * SR)
                hit = kit[role] * gain * float(rng.uniform(0.8, 1.0))
                out[start : start + hit.shape[0]] += hit
    # Wrap the tail past the loop's end onto its start, as a seamless loop would be.
    out[:SR] += out[length : length + SR]
    out = out[:length]
    return (out / max(1e-9, float(np.abs(out).max())) * 0.8).astype(np.float32)


def _synth_kit(rng: np.random.Generator) -> Kit:
    t = np.arange(int(0.5 * SR)) / SR
    kick = np.sin(2 * np.pi * np.cumsum(50.0 + 90.0 * np.exp(-t / 0.04)) / SR) * np.exp(-t / 0.2)
    snare = (0.4 * np.sin(2 * np.pi * 185.0 * t) + 0.5 * rng.standard_normal(t.shape[0])) * np.exp(
        -t / 0.07
    )
    hat = np.diff(rng.standard_normal(t.shape[0] + 1)) * 0.2 * np.exp(-t / 0.015)
    return {"kick": kick, "snare": snare, "hat": hat}


def _synth_band(
    bpm: float, tonic: str, progression: tuple[tuple[int, str], ...], rng: np.random.Generator
) -> Audio:
    bars = max(_bars_for(bpm, 16.0), 4)
    bar_s = 240.0 / bpm
    root = 48 + NOTES.index(tonic)
    out = np.zeros(round(bars * bar_s * SR) + SR)
    t = np.arange(round(bar_s * SR)) / SR
    for bar in range(bars):
        degree, suffix = progression[bar % len(progression)]
        third = 3 if suffix == "m" else 4
        chord = (0, third, 7) + ((10,) if suffix == "7" else ())
        tone = np.zeros(t.shape[0])
        for interval in chord:
            f0 = 440.0 * 2.0 ** ((root + degree + interval - 69) / 12.0)
            tone += sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6))
        bass_f0 = 440.0 * 2.0 ** ((root + degree - 12 - 69) / 12.0)
        tone += 0.8 * np.sin(2 * np.pi * bass_f0 * t)
        start = round(bar * bar_s * SR)
        out[start : start + t.shape[0]] += 0.1 * tone * np.minimum(1.0, t / 0.02)
    drums = _sequence(_synth_kit(rng), _PATTERNS[0], bpm, bars, rng)
    out[: drums.shape[0]] += 0.5 * drums
    return (out / np.abs(out).max() * 0.8).astype(np.float32)[:, None]
