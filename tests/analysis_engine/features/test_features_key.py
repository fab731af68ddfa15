"""Key and mode of chord progressions and arpeggios built from harmonic tones."""

from __future__ import annotations

import pytest

from analysis_engine.features.extractor import extract_batch
from tests.analysis_engine.features.synthetic_audio import SR, chord_progression, drum_loop

_CASES = [
    ("C", "major", False),
    ("G", "major", True),
    ("D", "major", False),
    ("F#", "major", False),
    ("A#", "major", True),
    ("A", "minor", False),
    ("E", "minor", True),
    ("F", "minor", False),
    ("G#", "minor", False),
    ("D", "minor", True),
]


@pytest.fixture(scope="module")
def analysed() -> dict[tuple[str, str, bool], tuple[str | None, str | None, float]]:
    clips = [(chord_progression(t, m, arpeggio=a), SR) for t, m, a in _CASES]
    results = extract_batch(clips)
    return {case: (f.key, f.mode, f.key_confidence) for case, f in zip(_CASES, results)}


@pytest.mark.parametrize(("tonic", "mode", "arpeggio"), _CASES)
def test_a_progression_reads_its_key_and_mode(
    analysed: dict[tuple[str, str, bool], tuple[str | None, str | None, float]],
    tonic: str,
    mode: str,
    arpeggio: bool,
) -> None:
    key, found_mode, confidence = analysed[(tonic, mode, arpeggio)]
    assert (key, found_mode) == (tonic, mode)
    assert 0.0 < confidence <= 1.0


def test_block_chords_are_more_certain_of_their_key_than_drums() -> None:
    chords, drums = extract_batch([(chord_progression("C", "major"), SR), (drum_loop(100, 2), SR)])
    assert chords.key_confidence > drums.key_confidence
    assert chords.key_confidence > 0.5
