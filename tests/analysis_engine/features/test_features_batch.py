"""Batching, determinism, the embedding, and awkward inputs."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest

from analysis_engine.features import EMBEDDING_SIZE, AudioFeatures
from analysis_engine.features.extractor import extract_batch, pick_device
from tests.analysis_engine.features.synthetic_audio import (
    SR,
    Audio,
    chord_progression,
    drum_loop,
    kick_one_shot,
    sine,
    sine_pad,
    swelling_chords,
)


def _assert_close(one: AudioFeatures, other: AudioFeatures, tolerance: float) -> None:
    left, right = one.to_dict(), other.to_dict()
    for name, value in left.items():
        if isinstance(value, list):
            assert np.allclose(value, right[name], atol=tolerance, rtol=tolerance), name
        elif isinstance(value, float):
            assert math.isclose(value, right[name], abs_tol=tolerance, rel_tol=tolerance), name
        else:
            assert value == right[name], name


@pytest.mark.parametrize(
    "make",
    # A drum loop timed by its onsets; legato chords timed by the chords' rate, which only the
    # clips without onsets measure.
    [lambda: drum_loop(100.0, 2, channels=2), lambda: swelling_chords(96.0, 2)],
    ids=["drum loop", "swelling chords"],
)
def test_a_clip_reads_the_same_alone_and_in_a_padded_batch(make: Callable[[], Audio]) -> None:
    target = (make(), SR)
    alone = extract_batch([target])[0]
    batch = extract_batch(
        [
            (kick_one_shot(), SR),
            target,
            (chord_progression("A", "minor"), SR),
            (sine(440.0, -12.0, 0.03), SR),
            (sine(300.0, -12.0, 2.0, sr=48000), 48000),
        ]
    )
    _assert_close(alone, batch[1], 1e-4)


def test_the_cpu_gives_identical_results_twice() -> None:
    clips = [(drum_loop(120.0, 2), SR), (chord_progression("D", "major"), SR)]
    assert extract_batch(clips, device="cpu") == extract_batch(clips, device="cpu")


def test_every_embedding_has_the_fixed_size_and_unit_length() -> None:
    clips = [(drum_loop(90.0, 1), SR), (sine_pad(3.0), SR), (kick_one_shot(), SR)]
    for features in extract_batch(clips):
        assert len(features.embedding) == EMBEDDING_SIZE
        assert np.linalg.norm(features.embedding) == pytest.approx(1.0, abs=1e-6)


def test_two_takes_of_a_drum_loop_are_closer_to_each_other_than_to_a_pad() -> None:
    first, second, pad = extract_batch(
        [
            (drum_loop(96.0, 2, variant=0, seed=1), SR),
            (drum_loop(104.0, 2, variant=1, seed=2), SR),
            (sine_pad(5.0), SR),
        ]
    )
    same = float(np.dot(first.embedding, second.embedding))
    assert same > float(np.dot(first.embedding, pad.embedding)) + 0.2
    assert same > float(np.dot(second.embedding, pad.embedding)) + 0.2


def test_a_clip_shorter_than_50_ms_still_gets_finite_features() -> None:
    (features,) = extract_batch([(sine(1000.0, -6.0, 0.02), SR)])
    assert features.duration_s == pytest.approx(0.02, abs=1e-4)
    assert features.tempo_bpm is None
    assert not features.is_loop
    assert features.peak_dbfs == pytest.approx(-6.0, abs=0.1)
    assert features.lufs_integrated > -20.0
    assert json_safe(features)


def test_a_one_sample_clip_is_analysed_without_error() -> None:
    (features,) = extract_batch([(np.array([[0.5]], dtype=np.float32), 8000)])
    assert features.duration_s == pytest.approx(1 / 8000)
    assert json_safe(features)


def test_a_six_channel_clip_is_mixed_down_for_analysis() -> None:
    audio = np.repeat(drum_loop(100.0, 1), 6, axis=1)
    (features,) = extract_batch([(audio, SR)])
    assert features.channels == 6
    assert features.tempo_bpm == pytest.approx(100.0, rel=0.001)


def test_a_one_dimensional_array_is_read_as_mono() -> None:
    (features,) = extract_batch([(sine(440.0, -6.0, 1.0)[:, 0], SR)])
    assert features.channels == 1


def test_a_long_clip_has_its_exact_duration_but_analyses_two_minutes() -> None:
    loop = drum_loop(120.0, 4, sr=22050)  # 8 s
    audio = np.tile(loop, (17, 1))  # 136 s
    (features,) = extract_batch([(audio, 22050)])
    assert features.duration_s == pytest.approx(136.0, abs=1e-6)
    assert features.tempo_bpm == pytest.approx(120.0, rel=0.02)
    assert features.onset_rate > 0.0


@pytest.mark.parametrize(
    ("samples", "rate", "message"),
    [
        (np.zeros((0, 1), dtype=np.float32), SR, "non-empty"),
        (np.zeros((10, 1, 1), dtype=np.float32), SR, "non-empty"),
        (np.zeros((10, 1), dtype=np.float32), 0, "sample rate"),
        (np.full((10, 1), np.inf, dtype=np.float32), SR, "finite"),
    ],
)
def test_malformed_clips_are_refused_with_a_clear_error(
    samples: np.ndarray, rate: int, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        extract_batch([(samples, rate)])


def test_an_empty_batch_gives_no_results() -> None:
    assert extract_batch([]) == []


def test_the_device_defaults_to_cuda_only_when_it_is_there() -> None:
    import torch

    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert pick_device().type == expected
    assert pick_device("cpu").type == "cpu"


def json_safe(features: AudioFeatures) -> bool:
    import json

    json.dumps(features.to_dict(), allow_nan=False)
    return True
