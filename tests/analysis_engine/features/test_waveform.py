"""Waveform peaks: min/max pairs per column on a -127..127 scale, merged down on request."""

from __future__ import annotations

import numpy as np

from analysis_engine.features.waveform import (
    compute_peaks,
    page_waveforms,
    waveform_peaks,
    waveform_view,
)


def test_a_clip_is_drawn_as_a_thousand_min_max_pairs_in_two_kilobytes() -> None:
    rate = 44100
    t = np.arange(rate * 10) / rate
    tone = 0.5 * np.sin(2 * np.pi * 220 * t)
    stereo = np.stack([tone, -tone * 0.5], axis=1)
    stored = compute_peaks(stereo)
    assert len(stored) == 2000
    view = waveform_view(stored)
    assert view is not None and view["columns"] == 1000 == len(view["peaks"])
    # Every column spans several periods: its extremes are the tone's, on either channel.
    assert all(low in (-64, -63) and high in (63, 64) for low, high in view["peaks"])


def test_the_peaks_follow_the_clip_from_left_to_right_and_clip_at_full_scale() -> None:
    audio = np.zeros(10_000)
    audio[:500] = 2.0  # over full scale: drawn at the top
    audio[5000:5010] = -0.25
    view = waveform_view(compute_peaks(audio), 10)
    assert view == {
        "columns": 10,
        "peaks": [
            [0, 127],
            [0, 0],
            [0, 0],
            [0, 0],
            [0, 0],
            [-32, 0],
            [0, 0],
            [0, 0],
            [0, 0],
            [0, 0],
        ],
    }


def test_a_clip_shorter_than_the_columns_gets_one_column_a_frame() -> None:
    view = waveform_view(compute_peaks(np.array([0.0, 1.0, -1.0])))
    assert view == {"columns": 3, "peaks": [[0, 0], [127, 127], [-127, -127]]}


def test_merging_columns_keeps_each_spans_extremes() -> None:
    pairs = np.array([[-1, 1], [-5, 2], [0, 9], [-3, 3]], dtype=np.int8).tobytes()
    merged = waveform_peaks(pairs, 2)
    assert merged is not None and merged["peaks"].ravel().tolist() == [-5, 2, -3, 9]
    as_stored = waveform_peaks(pairs, 10)
    assert as_stored is not None and as_stored["peaks"].tobytes() == pairs
    assert waveform_view(None) is None


def test_a_page_of_waveforms_reads_as_each_row_alone() -> None:
    # A library page merges its rows' peaks together; a short clip (fewer stored columns than
    # the page draws), a row not analysed yet and an empty clip must come out as on their own.
    rng = np.random.default_rng(7)
    stored: list[bytes | None] = [
        *(rng.integers(-127, 128, 2000, dtype=np.int8).tobytes() for _ in range(3)),
        rng.integers(-127, 128, 150, dtype=np.int8).tobytes(),
        None,
        b"",
        rng.integers(-127, 128, 1234, dtype=np.int8).tobytes(),
    ]
    page = page_waveforms(stored, 200)
    for row, alone in zip(page, (waveform_peaks(s, 200) for s in stored), strict=True):
        if alone is None:
            assert row is None
            continue
        assert row is not None
        assert row["columns"] == alone["columns"]
        assert row["peaks"].tolist() == alone["peaks"].tolist()
