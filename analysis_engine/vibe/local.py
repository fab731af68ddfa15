"""A description written from the measured features alone: deterministic, honest, no network.

Used when no OpenRouter key is configured (the embedded default) or the provider fails. Every
word follows from a number the analyser measured, by the rules below; era and genre stay None
(audio alone cannot tell them) unless the owner's title or tags name one.

Rules, in the order they are applied:
- Silence: a peak below -60 dBFS is described as silent and nothing else is claimed.
- Tempo is stated only when the analyser found one with confidence >= 0.3; its feel follows the
  BPM (slow < 70 <= laid-back < 95 <= mid-tempo < 115 <= driving < 140 <= fast). A loop states
  the BPM exactly and its bar count when it is a whole 1/2/4/8/16; anything else says "about".
- Key and mode are stated only with key confidence >= 0.5; the relative key is a compatible tag.
- Brightness from the spectral centroid: dark < 700 Hz <= warm < 1500 Hz; bright >= 3500 Hz,
  very bright >= 7000 Hz; in between nothing is claimed.
- Texture from the harmonic share: percussive <= 0.3, tonal >= 0.7; noisy when flatness >= 0.3.
  Punchy: mostly percussive with a crest factor (peak - RMS) of 12 dB or more.
- Level from integrated loudness (or RMS when the clip is too short to gate): loud >= -10 LUFS,
  quiet <= -30 LUFS. Busy: 6+ onsets a second in a clip of 2 s or more; short: under 0.25 s.
- Energy = 0.5 loudness + 0.3 activity + 0.2 brightness, each scaled to 0..1: loudness from -36
  to -8 LUFS, activity from 0 to 8 onsets a second (a clip under 2 s uses its percussive share,
  since one hit's onset rate only restates its length), brightness from 200 Hz to 8 kHz (log).
- Moods: energetic (energy >= 0.7), calm (<= 0.3), relaxed (slow or laid-back tempo), driving
  (driving or fast tempo), moody (minor key), uplifting (major key and energy >= 0.4), dark
  (dark timbre), hard-hitting (punchy and loud).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from analysis_engine.features import DB_FLOOR, PITCH_CLASSES, AudioFeatures
from analysis_engine.vibe.hints import era_from, genre_from
from analysis_engine.vibe.model import (
    LOCAL_MODEL,
    MAX_COMPATIBILITY_TAGS,
    MAX_DESCRIPTION_CHARS,
    MAX_DESCRIPTORS,
    MAX_MOODS,
    VibeResult,
)
from analysis_engine.vibe.reply import clip_text

SILENCE_PEAK_DBFS = -60.0
TEMPO_CONFIDENCE_MIN = 0.3
KEY_CONFIDENCE_MIN = 0.5
_FEELS = ((70.0, "slow"), (95.0, "laid-back"), (115.0, "mid-tempo"), (140.0, "driving"))
_FAST = "fast"
_WHOLE_BARS = (1, 2, 4, 8, 16)
_BAR_TOLERANCE = 0.03
_DARK_HZ, _WARM_HZ, _BRIGHT_HZ, _VERY_BRIGHT_HZ = 700.0, 1500.0, 3500.0, 7000.0
_PERCUSSIVE_MAX, _TONAL_MIN, _NOISY_FLATNESS = 0.3, 0.7, 0.3
_PUNCH_CREST_DB = 12.0
_LOUD_LUFS, _QUIET_LUFS = -10.0, -30.0
_BUSY_ONSETS, _SHORT_S, _ACTIVITY_MIN_S, _ONE_SHOT_MAX_S = 6.0, 0.25, 2.0, 4.0


@dataclass(frozen=True, slots=True)
class _Reading:
    """The facts the rules found, before they become words."""

    feel: str | None
    bpm: float | None
    bars: int | None
    key: str | None
    brightness: str | None
    texture: str | None
    noisy: bool
    punchy: bool
    level: str | None
    loudness: float
    energy: float


class LocalDescriber:
    """Describes a sample from its features by the module's documented rules."""

    model = LOCAL_MODEL

    def describe(
        self, features: AudioFeatures, *, title: str | None = None, tags: Sequence[str] = ()
    ) -> VibeResult:
        """The rule-based description of one sample (same features, same words)."""
        genre, era = genre_from(title, tags), era_from(title, tags)
        if features.peak_dbfs < SILENCE_PEAK_DBFS:
            return self._silence(features, genre=genre, era=era)
        reading = _read(features)
        return VibeResult(
            model=self.model,
            description=_description(features, reading),
            moods=_moods(reading)[:MAX_MOODS],
            era=era,
            genre=genre,
            energy=reading.energy,
            descriptors=_descriptors(features, reading)[:MAX_DESCRIPTORS],
            compatibility_tags=_tags(features, reading)[:MAX_COMPATIBILITY_TAGS],
            best_use=_best_use(features, reading),
            tokens_used=None,
            cost_usd=None,
            source="local",
        )

    def _silence(
        self, features: AudioFeatures, *, genre: str | None, era: str | None
    ) -> VibeResult:
        return VibeResult(
            model=self.model,
            description=(
                f"Silent clip: {_seconds(features.duration_s)} with a peak below "
                f"{SILENCE_PEAK_DBFS:.0f} dBFS, so there is nothing audible to describe."
            ),
            moods=(),
            era=era,
            genre=genre,
            energy=0.0,
            descriptors=("silent",),
            compatibility_tags=(_kind(features),),
            best_use=None,
            tokens_used=None,
            cost_usd=None,
            source="local",
        )


def _read(features: AudioFeatures) -> _Reading:
    bpm = features.tempo_bpm if features.tempo_confidence >= TEMPO_CONFIDENCE_MIN else None
    feel = None if bpm is None else next((f for limit, f in _FEELS if bpm < limit), _FAST)
    bars = None
    if bpm is not None and features.is_loop:
        count = features.duration_s * bpm / 240.0
        bars = next((b for b in _WHOLE_BARS if abs(count - b) <= _BAR_TOLERANCE * b), None)
    key = None
    if features.key is not None and features.key_confidence >= KEY_CONFIDENCE_MIN:
        key = f"{features.key} {features.mode}"
    centroid = features.spectral_centroid_hz
    brightness = (
        "dark"
        if centroid < _DARK_HZ
        else "warm"
        if centroid < _WARM_HZ
        else None
        if centroid < _BRIGHT_HZ
        else "bright"
        if centroid < _VERY_BRIGHT_HZ
        else "very bright"
    )
    share = features.harmonic_percussive_ratio
    texture = "percussive" if share <= _PERCUSSIVE_MAX else "tonal" if share >= _TONAL_MIN else None
    crest = features.peak_dbfs - features.rms_dbfs
    loudness = _loudness(features)
    level = "loud" if loudness >= _LOUD_LUFS else "quiet" if loudness <= _QUIET_LUFS else None
    return _Reading(
        feel=feel,
        bpm=bpm,
        bars=bars,
        key=key,
        brightness=brightness,
        texture=texture,
        noisy=features.spectral_flatness >= _NOISY_FLATNESS,
        punchy=share < 0.5 and crest >= _PUNCH_CREST_DB,
        level=level,
        loudness=loudness,
        energy=estimate_energy(features),
    )


def _loudness(features: AudioFeatures) -> float:
    # Integrated LUFS gates 400 ms blocks: a shorter clip reads the floor, so use its RMS.
    if features.lufs_integrated > DB_FLOOR + 1.0:
        return features.lufs_integrated
    return features.rms_dbfs


def estimate_energy(features: AudioFeatures) -> float:
    """Energy in 0..1 from loudness, activity and brightness (weights in the module docstring)."""
    if features.peak_dbfs < SILENCE_PEAK_DBFS:
        return 0.0
    loudness = _unit((_loudness(features) + 36.0) / 28.0)
    if features.duration_s >= _ACTIVITY_MIN_S:
        activity = _unit(features.onset_rate / 8.0)
    else:
        activity = _unit(1.0 - features.harmonic_percussive_ratio)
    centroid = max(features.spectral_centroid_hz, 1.0)
    brightness = _unit(math.log2(centroid / 200.0) / math.log2(8000.0 / 200.0))
    return round(0.5 * loudness + 0.3 * activity + 0.2 * brightness, 3)


def _unit(value: float) -> float:
    return min(1.0, max(0.0, value))


def _kind(features: AudioFeatures) -> str:
    return "loop" if features.is_loop else "one-shot"


def _noun(features: AudioFeatures) -> str:
    if features.is_loop:
        return "loop"
    return "one-shot" if features.duration_s <= _ONE_SHOT_MAX_S else "phrase"


def _seconds(duration_s: float) -> str:
    return f"{duration_s:.2f} s" if duration_s < 1.0 else f"{duration_s:.1f} s"


def _description(features: AudioFeatures, r: _Reading) -> str:
    # "Laid-back 90 BPM 4-bar tonal loop in A minor." / "Short, very bright, noisy percussive
    # one-shot." / "Laid-back tonal phrase at about 90 BPM."
    qualities: list[str] = []
    if features.duration_s < _SHORT_S:
        qualities.append("short")
    if r.brightness is not None and r.feel is None:
        qualities.append(r.brightness)
    if r.noisy:
        qualities.append("noisy")
    head: list[str] = []
    if r.feel is not None:
        head.append(r.feel)
    if r.bpm is not None and features.is_loop:
        head.append(f"{r.bpm:.0f} BPM")
    if r.bars is not None:
        head.append(f"{r.bars}-bar")
    if r.texture is not None:
        head.append(r.texture)
    head.append(_noun(features))
    if r.bpm is not None and not features.is_loop:
        head.append(f"at about {r.bpm:.0f} BPM")
    first = " ".join(head)
    if qualities:
        first = f"{', '.join(qualities)}{',' if r.feel is not None else ''} {first}"
    if r.key is not None:
        first += f" in {r.key}"
    second: list[str] = []
    if r.brightness is not None and r.feel is not None:
        second.append(r.brightness)
    if r.punchy:
        second.append("punchy")
    level = {"loud": "loud", "quiet": "quiet", None: "moderately loud"}[r.level]
    unit = "LUFS" if features.lufs_integrated > DB_FLOOR + 1.0 else "dBFS RMS"
    second.append(f"{level} at {r.loudness:.0f} {unit}")
    length = _seconds(features.duration_s)
    text = f"{first[0].upper()}{first[1:]}. {_sentence(second)}, {length} long."
    return clip_text(text, MAX_DESCRIPTION_CHARS)


def _sentence(parts: list[str]) -> str:
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return text[0].upper() + text[1:]


def _moods(r: _Reading) -> tuple[str, ...]:
    rules = (
        ("energetic", r.energy >= 0.7),
        ("calm", r.energy <= 0.3),
        ("relaxed", r.feel in ("slow", "laid-back")),
        ("driving", r.feel in ("driving", _FAST)),
        ("moody", r.key is not None and r.key.endswith("minor")),
        ("uplifting", r.key is not None and r.key.endswith("major") and r.energy >= 0.4),
        ("dark", r.brightness == "dark"),
        ("hard-hitting", r.punchy and r.level == "loud"),
    )
    return tuple(mood for mood, applies in rules if applies)


def _descriptors(features: AudioFeatures, r: _Reading) -> tuple[str, ...]:
    rules = (
        (r.brightness, r.brightness is not None),
        (r.texture, r.texture is not None),
        ("noisy", r.noisy),
        ("punchy", r.punchy),
        ("busy", features.duration_s >= _ACTIVITY_MIN_S and features.onset_rate >= _BUSY_ONSETS),
        ("short", features.duration_s < _SHORT_S),
        (r.level, r.level is not None),
    )
    return tuple(word for word, applies in rules if applies and word)


def _tags(features: AudioFeatures, r: _Reading) -> tuple[str, ...]:
    tags = [_kind(features)]
    if r.bpm is not None:
        tags.append(f"{round(r.bpm)}-bpm")
    if r.bars is not None:
        tags.append(f"{r.bars}-bar")
    if r.key is not None and features.key is not None:
        tags.append(r.key.lower().replace(" ", "-"))
        tags.append(_relative_key(features.key, r.key.endswith("minor")))
    return tuple(tags)


def _relative_key(tonic: str, minor: bool) -> str:
    # A minor and C major share their notes: three semitones up from a minor tonic, down from major.
    index = PITCH_CLASSES.index(tonic)
    other = PITCH_CLASSES[(index + (3 if minor else -3)) % 12]
    return f"{other.lower()}-{'major' if minor else 'minor'}"


def _best_use(features: AudioFeatures, r: _Reading) -> str:
    if features.is_loop:
        if r.texture == "percussive":
            return "drum loop to chop or layer under a beat"
        # Never a word for another kind of sound: text search reads the best use too, and
        # "play under drums" made every band loop an answer to "drums".
        return "loop to chop, flip or layer"
    if r.texture == "percussive" or r.punchy:
        where = {"dark": "low", "bright": "high", "very bright": "high"}.get(r.brightness or "")
        return f"{where} percussion hit for a pad" if where else "percussion hit for a pad"
    if r.key is not None:
        return "tonal hit to play chromatically across the pads"
    return "texture or transition on a pad"
