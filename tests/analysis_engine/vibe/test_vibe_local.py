"""The local describer: honest words from measured features, the same every time."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from analysis_engine.features import AudioFeatures
from analysis_engine.vibe import LOCAL_MODEL, LocalDescriber
from tests.analysis_engine.vibe.clips import features, hat_one_shot, minor_loop, silence

describer = LocalDescriber()
Clip = Callable[[], AudioFeatures]


def test_a_90_bpm_a_minor_loop_is_described_by_tempo_bars_and_key() -> None:
    vibe = describer.describe(minor_loop())

    assert vibe.description.startswith("Laid-back 90 BPM 4-bar tonal loop in A minor.")
    assert "-14 LUFS" in vibe.description
    assert vibe.source == "local"
    assert vibe.model == LOCAL_MODEL
    assert vibe.compatibility_tags == ("loop", "90-bpm", "4-bar", "a-minor", "c-major")
    assert "relaxed" in vibe.moods and "moody" in vibe.moods
    assert "warm" in vibe.descriptors
    assert vibe.best_use is not None and "loop" in vibe.best_use


def test_a_tonal_loop_s_words_never_name_drums() -> None:
    # Text search reads every word of a vibe, its best use included: a keys loop told to
    # "play under drums" answered a search for "drums" (found by using the product).
    vibe = describer.describe(minor_loop())

    words = " ".join(
        [vibe.description, vibe.best_use or "", *vibe.moods, *vibe.descriptors,
         *vibe.compatibility_tags]
    ).lower()  # fmt: skip
    assert "drum" not in words


def test_a_bright_hat_one_shot_claims_no_tempo_and_no_key() -> None:
    vibe = describer.describe(hat_one_shot())

    assert vibe.description.startswith("Short, very bright, noisy percussive one-shot.")
    assert "BPM" not in vibe.description and " in " not in vibe.description.split(".")[0]
    assert vibe.compatibility_tags == ("one-shot",)
    assert {"very bright", "percussive", "short"} <= set(vibe.descriptors)
    assert vibe.best_use == "high percussion hit for a pad"


def test_silence_is_called_silent_and_nothing_more() -> None:
    vibe = describer.describe(silence())

    assert vibe.description.startswith("Silent clip: 2.0 s")
    assert vibe.energy == 0.0
    assert vibe.moods == ()
    assert vibe.descriptors == ("silent",)
    assert vibe.compatibility_tags == ("one-shot",)
    assert vibe.best_use is None


@pytest.mark.parametrize("clip", [minor_loop, hat_one_shot, silence])
def test_the_same_features_always_give_the_same_description(
    clip: Clip,
) -> None:
    assert describer.describe(clip(), title="x", tags=["y"]) == describer.describe(
        clip(), title="x", tags=["y"]
    )


@pytest.mark.parametrize("clip", [minor_loop, hat_one_shot, silence])
def test_era_and_genre_stay_unknown_without_the_owners_words(
    clip: Clip,
) -> None:
    vibe = describer.describe(clip(), title="take 3", tags=["keys"])

    assert (vibe.era, vibe.genre) == (None, None)


@pytest.mark.parametrize(
    ("title", "tags", "genre", "era"),
    [
        ("Dusty 70s soul chop", [], "soul", "1970s"),
        ("break", ["1990s", "boom bap"], "boom bap", "1990s"),
        ("90's R&B keys", [], "r&b", "1990s"),
        ("early 00s UK garage stab", [], "uk garage", "2000s"),
        ("'80s synth", ["lofi"], "lo-fi", "1980s"),
        ("soulful warehouse pad", [], None, None),
        ("roaring 20s horn", [], None, None),
        ("dubstep wobble", ["dub"], "dub", None),
    ],
)
def test_genre_and_era_come_only_from_words_the_owner_wrote(
    title: str, tags: list[str], genre: str | None, era: str | None
) -> None:
    vibe = describer.describe(minor_loop(), title=title, tags=tags)

    assert (vibe.genre, vibe.era) == (genre, era)


def test_an_unsure_key_is_not_stated() -> None:
    vibe = describer.describe(features(key_confidence=0.3))

    assert "minor" not in vibe.description
    assert not any("minor" in tag or "major" in tag for tag in vibe.compatibility_tags)
    assert "moody" not in vibe.moods


def test_an_unsure_tempo_is_not_stated() -> None:
    vibe = describer.describe(features(tempo_confidence=0.15, is_loop=False, duration_s=6.0))

    assert "BPM" not in vibe.description
    assert not any(tag.endswith("-bpm") for tag in vibe.compatibility_tags)


def test_a_phrase_with_a_tempo_says_about() -> None:
    vibe = describer.describe(features(is_loop=False, duration_s=6.0))

    assert "at about 90 BPM" in vibe.description
    assert "-bar" not in vibe.description


def test_a_major_key_lists_its_relative_minor() -> None:
    vibe = describer.describe(features(key="C#", mode="major"))

    assert vibe.compatibility_tags[-2:] == ("c#-major", "a#-minor")


def test_a_loud_busy_drum_loop_has_more_energy_than_a_quiet_pad() -> None:
    drums = features(
        harmonic_percussive_ratio=0.1,
        onset_rate=7.0,
        lufs_integrated=-8.0,
        rms_dbfs=-14.0,
        peak_dbfs=0.0,
        spectral_centroid_hz=2500.0,
        tempo_bpm=128.0,
        duration_s=7.5,
    )
    pad = features(
        is_loop=False,
        tempo_bpm=None,
        tempo_confidence=0.0,
        duration_s=3.0,
        harmonic_percussive_ratio=0.95,
        onset_rate=0.3,
        lufs_integrated=-32.0,
        rms_dbfs=-35.0,
        peak_dbfs=-22.0,
        spectral_centroid_hz=500.0,
    )

    loud, quiet = describer.describe(drums), describer.describe(pad)

    assert loud.energy > 0.7 > 0.3 > quiet.energy
    assert {"energetic", "driving", "hard-hitting"} <= set(loud.moods)
    assert {"calm", "dark"} <= set(quiet.moods)
    assert loud.best_use == "drum loop to chop or layer under a beat"
    assert "Dark tonal one-shot" in quiet.description


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"spectral_centroid_hz": 20000.0, "spectral_flatness": 1.0, "onset_rate": 50.0},
        {"lufs_integrated": 0.0, "rms_dbfs": 0.0, "peak_dbfs": 0.0},
        {"duration_s": 3600.0, "is_loop": False, "tempo_bpm": 300.0},
        {"duration_s": 0.001, "is_loop": False, "tempo_bpm": None},
    ],
)
def test_extreme_features_still_give_a_valid_description(changes: dict[str, object]) -> None:
    vibe = describer.describe(features(**changes), title="t" * 5000, tags=["x" * 500] * 100)

    assert 0 < len(vibe.description) <= 300
    assert 0.0 <= vibe.energy <= 1.0
