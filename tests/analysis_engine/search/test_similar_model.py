"""The similarity model without a database: the embedding's layout, rhythm that ignores the tempo
octave, the ranking's tempo and key terms, "% alike", and a corpus that refuses reserved sources."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from analysis_engine.features import embedding
from analysis_engine.features.descriptor import describe, fold_tempo
from analysis_engine.features.extractor import measure_similarity
from analysis_engine.music import Key
from analysis_engine.search.ranking import (
    TEMPO_DOUBLE,
    TEMPO_HALF,
    TEMPO_NONE,
    TEMPO_SAME,
    RankWeights,
    key_grades,
    order,
    percentiles,
    rank_keys,
    tempo_matches,
    tiers_of,
    top,
    weights_for,
)

SR = 44100


def clicks(
    bpm: float, seconds: float = 8.0, pattern: tuple[float, ...] = (0.0, 0.75)
) -> np.ndarray:
    """A loop of short noise bursts at the given beat positions of every beat."""
    rng = np.random.default_rng(7)
    out = np.zeros(int(seconds * SR))
    burst = rng.standard_normal(600) * np.exp(-np.arange(600) / 120)
    beat = 60.0 / bpm
    for n in range(int(seconds / beat)):
        for offset in pattern:
            start = int((n + offset) * beat * SR)
            out[start : start + 600] += burst[: max(0, min(600, out.shape[0] - start))]
    return (out / np.abs(out).max() * 0.8).astype(np.float32)


@pytest.mark.parametrize(("bpm", "folded"), [(45, 90), (90, 90), (180, 90), (170, 85), (80, 80)])
def test_tempos_fold_by_octaves_into_80_to_160(bpm: float, folded: float) -> None:
    assert fold_tempo(bpm) == folded


def _rhythm(audio: np.ndarray, bpm: float | None) -> np.ndarray:
    measured = measure_similarity((audio, SR))
    return describe(measured, tempo_bpm=bpm, tonality=0.0, harmonic_ratio=0.1).rhythm


def test_rhythm_reads_the_same_at_half_or_double_the_detected_tempo() -> None:
    audio = clicks(100.0)
    at = {bpm: _rhythm(audio, bpm) for bpm in (50.0, 100.0, 200.0)}
    assert np.allclose(at[50.0], at[100.0]) and np.allclose(at[200.0], at[100.0])
    other = _rhythm(clicks(100.0, pattern=(0.0, 0.5)), 100.0)
    assert np.linalg.norm(other - at[100.0]) > 0.1
    assert not _rhythm(audio, None).any()


@pytest.mark.parametrize(
    ("role", "cls"),
    [("drum_loop", ""), ("band_loop", ""), ("one_shot", "kick"), ("one_shot", "keys"),
     ("texture", "")],
)  # fmt: skip
def test_an_embedding_carries_its_role_class_and_brightness_and_stays_unit_length(
    role: str, cls: str
) -> None:
    metric = np.linspace(-1.0, 1.0, embedding.METRIC_DIMS)
    vector = embedding.compose(metric, role=role, one_shot_class=cls, brightness=1.25, revision=3)
    assert len(vector) == embedding.EMBEDDING_SIZE
    assert np.linalg.norm(vector) == pytest.approx(1.0)
    # The facts are read back by ratio, so a rescaled vector says the same.
    layout = embedding.read_layout([v * 0.37 for v in vector])
    assert (layout.layout, layout.role, layout.one_shot_class, layout.revision) == (
        embedding.EMBEDDING_LAYOUT, role, cls, 3
    )  # fmt: skip
    assert layout.brightness == pytest.approx(1.25)
    roles = embedding.read_roles(np.array([vector], dtype=np.float32))
    assert embedding.ROLES[int(roles.role[0])] == role
    assert not embedding.metric_only(np.array([vector], dtype=np.float32), roles)[0, 56:].any()


def test_an_embedding_of_the_first_layout_has_no_role() -> None:
    old = [0.0] * embedding.EMBEDDING_SIZE
    old[0] = 1.0
    assert embedding.read_layout(old).layout == 1
    assert embedding.read_layout(old).role == "unknown"


def test_tempo_matches_half_and_double_time_and_never_a_missing_tempo() -> None:
    bpms = np.array([90.0, 94.0, 45.5, 181.0, 120.0, np.nan, 30.0])
    assert tempo_matches(90.0, bpms, 5.0).tolist() == [
        TEMPO_SAME, TEMPO_SAME, TEMPO_HALF, TEMPO_DOUBLE, TEMPO_NONE, TEMPO_NONE, TEMPO_NONE
    ]  # fmt: skip
    assert not tempo_matches(None, bpms, 5.0).any()


def test_key_grades_rank_same_then_relative_then_fifths_then_parallel() -> None:
    a_minor = Key(9, True)
    codes = np.array(
        [Key(9, True).code, Key(0, False).code, Key(4, True).code, Key(9, False).code,
         Key(6, False).code, -1],
        dtype=np.int16,
    )  # fmt: skip
    grades = key_grades(a_minor.code, codes).tolist()
    assert grades[0] > grades[1] > grades[2] > grades[3] > grades[4] == grades[5] == 0.0
    assert not key_grades(-1, codes).any()


def test_role_outranks_sound_and_a_required_fit_outranks_role() -> None:
    similarity = np.array([0.9, 0.2, 0.95, 0.1])
    same_role = np.array([False, True, False, True])
    required = np.array([False, False, True, False])
    nothing = np.zeros(4)
    no_tempo = np.zeros(4, dtype=np.int8)
    keys = rank_keys(similarity, same_role=same_role, same_class=None, tempo=no_tempo,
                     key_grade=nothing, weights=RankWeights())  # fmt: skip
    assert top(keys, np.ones(4, dtype=bool), 4).tolist() == [1, 3, 2, 0]
    keys = rank_keys(similarity, same_role=same_role, same_class=None, tempo=no_tempo,
                     key_grade=nothing, weights=RankWeights(), required=required)  # fmt: skip
    assert top(keys, np.ones(4, dtype=bool), 4).tolist() == [2, 1, 3, 0]
    assert top(keys, np.array([True, True, False, True]), 2).tolist() == [1, 3]


def test_a_tempo_rate_interleaves_loops_at_a_mixable_tempo_but_keeps_the_role_first() -> None:
    # By key: 0, 1, 2, 3, 4 (same role), 5 (another role, at a mixable tempo, most similar).
    keys = np.array([16.9, 16.8, 16.7, 16.6, 16.5, 0.99])
    same_role = np.array([True, True, True, True, True, False])
    in_tempo = np.array([False, False, False, True, True, True])
    tiers = tiers_of(same_role, None, 6)
    keep = np.ones(6, dtype=bool)
    # Rate 1: the j-th at a mixable tempo stands at place j, beside the j-th of all.
    assert order(keys, keep, 4, tiers=tiers, in_tempo=in_tempo, tempo_rate=1.0).tolist() == [
        0, 3, 1, 4
    ]  # fmt: skip
    # Rate 2: they come twice as often; another role's loop still comes after every own one.
    assert order(keys, keep, 6, tiers=tiers, in_tempo=in_tempo, tempo_rate=2.0).tolist() == [
        3, 0, 4, 1, 2, 5
    ]  # fmt: skip
    # No rate: the keys alone, as `top`.
    assert order(keys, keep, 6, tiers=tiers, in_tempo=in_tempo, tempo_rate=0.0).tolist() == (
        top(keys, keep, 6).tolist()
    )


def test_the_shipped_model_has_fitted_bonuses_for_loops_only() -> None:
    ranking = embedding.similarity_model()["ranking"]
    assert weights_for("band_loop", ranking).key > 0
    assert weights_for("drum_loop", ranking).tempo_rate > 0
    assert weights_for("drum_loop", ranking).key == 0
    assert weights_for("one_shot", ranking) == RankWeights()


def test_percent_alike_is_the_share_of_the_library_below() -> None:
    similarity = np.array([0.1, 0.5, 0.9, 0.3, 0.7])
    keep = np.ones(5, dtype=bool)
    assert percentiles(similarity, keep, np.array([2, 4, 0])) == [100.0, 75.0, 0.0]


@pytest.mark.parametrize("groove", ["Samba", "Funk1", "HipHop", "Waltz"])
def test_the_similar_corpus_refuses_grooves_reserved_for_judging(groove: str) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "benchmarks"))
    from corpus import Groove, ReservedSource
    from similar_corpus import render_band

    with pytest.raises(ReservedSource):
        render_band(Groove(groove, 4, 90, 120, "4/4"), 100.0, "C", ((0, ""),), ("piano", 0, 32))
