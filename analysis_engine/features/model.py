"""The features one analysis produces for one clip (pure data: no torch here)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

# Bump when the extractor's numbers change meaning, so stored rows can be recomputed.
# 2: tempo octave chosen by fitted cues for band mixes; 3: no key for unpitched sound, a
# calibrated key confidence, tonality, tempo never below 40 BPM and snapped to 4/4 or 3/4 bars;
# 4: key profiles blended with learned ones, the band octave chosen among half/estimate/double
# by metrical cues, no doubled tempo for 3/4 or triplet drum loops; 5: a pitched band mix
# with loud drums takes the band octave choice, not the drum loops' backbeat rule, and a band
# mix whose beat splits in three is never doubled; 6: a band mix whose beats group in threes
# (6/8 eighths, 12/8 triplets, waltz beats) is never halved and may be read three beats a beat,
# and a drum loop whose hats alone run too fast for half its tempo is never halved; 7: the key
# confidence is calibrated on harmony the key profiles never heard as well (same keys); 8: a
# drum loop's beat splits in three only where it repeats after a third of a beat (a two-step
# read at half its tempo is no longer kept there by its ghost notes), and a slow 12/8 drum loop
# read at its triplets moves to a third of that reading, its dotted quarter; the octave and key
# constants are refitted on the corpus as it now renders on every machine (seeded), and a loop of
# exactly two bars compares its two bars' chords for the band octave choice; 9: a band mix
# read at two triplets a beat (a 12/8 at 3:2) moves to two thirds where its snare and chords
# both put a four-beat bar there; a drum loop is no longer halved below 60 BPM, nor doubled
# where that leaves under an onset a beat; 10: a key wherever the tonal clarity (the tonality
# of what stands above each semitone's floor) reaches its floor, so hats and hiss over a tonal
# loop no longer leave it without a key (tonal_clarity stored beside the tonality); 11: a drum
# loop whose snare repeats only every eight beats of its reading (a reggae one-drop read at its
# hats) is halved to where that snare falls once a bar of four; 12: a band mix whose chords
# come back after four of a candidate's beats and not after one, over kick and bass pulsing
# three times each of them, is a waltz read at its bar: its beat (three a bar) wins, so a fast
# waltz read at its bar, or at half of it, moves to its beat, and one read right stays there;
# and the band octave weighs whether the chords stay two of a candidate's beats on but change
# four on (a chord a bar), which reads slow ballads at their beat rather than double; 13: the
# key weighs which chords a loop dwells on (each frame read as a major, minor or seventh chord)
# beside its pitch classes, with weights learned from 35 progressions rather than 8; 14: a drum
# loop whose reading shows a backbeat of its own moves only where another octave's is clearly
# stronger (by 0.3, not 0.2), so two-beat grooves read right are no longer halved; 15: the key's
# chord templates credit each chord tone with its partials, so a dominant seventh over a loud
# bass root reads as a seventh, and the key weights are refitted on those readings; 16: a
# clip's opening onset is capped at its later peak however quietly it opens, not only when it
# is cut mid-sound, so a loop opening on a soft swell keeps its onsets and its tempo; 17: a
# pitched clip with no onsets to time (strings, a pad swelling into each chord) takes the rate
# its chords change at, where they change regularly; 18: silence before a clip's first sound
# (a recording's lead-in, an encoder's padding) is left out of its analysis, and a loop's bars
# may run from its first sound, or end anywhere in the silence after its last, so a lead-in or
# a silent tail no longer snaps a loop 3 % off its tempo; 19: the key weighs the cadences
# onto each candidate tonic (chord changes whose root falls a fifth, the loop's return from its
# last chord to its first included), so I-vi-IV-V reads as its major key, not as the relative
# minor whose chords it shares.
FEATURE_VERSION = 19
N_MFCC = 13
N_CHROMA = 12
EMBEDDING_SIZE = 64
# The floor for every dB figure: digital silence reads this instead of -inf.
DB_FLOOR = -120.0

PITCH_CLASSES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
MODES = ("major", "minor")

_VECTOR_SIZES = {
    "mfcc_mean": N_MFCC,
    "mfcc_std": N_MFCC,
    "chroma_mean": N_CHROMA,
    "chroma_std": N_CHROMA,
    "embedding": EMBEDDING_SIZE,
}


@dataclass(frozen=True, slots=True)
class AudioFeatures:
    """Everything the analysis says about one clip; every float is finite."""

    duration_s: float
    sample_rate: int
    channels: int
    is_loop: bool
    tempo_bpm: float | None
    tempo_confidence: float
    key: str | None
    mode: str | None
    # The calibrated probability that key and mode are exactly right (0 when there is no key).
    key_confidence: float
    rms_dbfs: float
    peak_dbfs: float
    lufs_integrated: float
    spectral_centroid_hz: float
    spectral_bandwidth_hz: float
    spectral_rolloff_hz: float
    spectral_flatness: float
    zero_crossing_rate: float
    onset_rate: float
    # Share of spectral energy in the harmonic part after HPSS: 0 = all hits, 1 = all tone.
    harmonic_percussive_ratio: float
    mfcc_mean: tuple[float, ...]
    mfcc_std: tuple[float, ...]
    chroma_mean: tuple[float, ...]
    chroma_std: tuple[float, ...]
    embedding: tuple[float, ...]
    # How pitched the sound is: 0 for noise and drums, towards 1 for tuned tones (a timbre
    # figure of similarity's descriptor).
    tonality: float = 0.0
    # The tonality of what stands above the broadband floor (keys.key_evidence): below the
    # key model's floor there is no key (key, mode None) and key_confidence is 0.
    tonal_clarity: float = 0.0
    version: int = FEATURE_VERSION

    def __post_init__(self) -> None:
        for name, size in _VECTOR_SIZES.items():
            if len(getattr(self, name)) != size:
                raise ValueError(f"{name} must hold {size} values")
        for field in fields(self):
            value = getattr(self, field.name)
            values = value if isinstance(value, tuple) else (value,)
            for item in values:
                if isinstance(item, float) and not math.isfinite(item):
                    raise ValueError(f"{field.name} must be finite")
        if self.key is not None and self.key not in PITCH_CLASSES:
            raise ValueError(f"unknown key {self.key!r}")
        if self.mode is not None and self.mode not in MODES:
            raise ValueError(f"unknown mode {self.mode!r}")

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-safe dict (vectors become lists)."""
        out: dict[str, Any] = {}
        for field in fields(self):
            value = getattr(self, field.name)
            out[field.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> AudioFeatures:
        """Rebuild features from `to_dict` output; unknown keys are ignored."""
        kwargs: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in data:
                if field.name in ("version", "tonality", "tonal_clarity"):
                    continue
                raise ValueError(f"missing feature {field.name!r}")
            kwargs[field.name] = _coerce(str(field.type), data[field.name])
        return cls(**kwargs)


def _coerce(annotation: str, value: Any) -> Any:
    # JSON turns 1.0 into 1 and tuples into lists; undo that so equality round-trips.
    if value is None:
        return None
    if annotation.startswith("tuple"):
        return tuple(float(v) for v in value)
    if annotation.startswith("float"):
        return float(value)
    if annotation == "int":
        return int(value)
    if annotation == "bool":
        return bool(value)
    return value
