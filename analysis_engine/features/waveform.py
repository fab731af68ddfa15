"""Waveform peaks: a clip drawn as min/max pairs per column, small enough to send with every row.

The worker computes them from the decoded audio on the host (numpy only, no torch), so the CPU
and the GPU analyses store the same bytes. Stored as signed 8-bit pairs `min0 max0 min1 max1 ...`
(bytea, 2 bytes a column: 2,000 bytes for the usual 1,000 columns), scaled so that full scale
(1.0) is 127; the API answers them as `{"columns": n, "peaks": [[min, max], ...]}` on that scale.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from analysis_engine.features.channels import channel_min_max

COLUMNS = 1000
MAX_COLUMNS = 2000
SCALE = 127


def compute_peaks(samples: npt.ArrayLike, columns: int = COLUMNS) -> bytes:
    """The min/max pairs of (frames x channels) or mono audio over `columns` equal spans (fewer
    for a clip shorter than that), across all channels, as stored."""
    audio = np.asarray(samples, dtype=np.float32)
    if audio.ndim == 1:
        audio = audio[:, None]
    frames = int(audio.shape[0])
    if frames == 0 or audio.shape[1] == 0:
        return b""
    count = max(1, min(columns, frames))
    # Span i covers frames [edges[i], edges[i + 1]): spans differ by one frame at most.
    edges = (np.arange(count, dtype=np.int64) * frames) // count
    low, high = channel_min_max(audio)
    lows = np.minimum.reduceat(low, edges)
    highs = np.maximum.reduceat(high, edges)
    return _encode(lows, highs)


def _encode(lows: npt.NDArray[Any], highs: npt.NDArray[Any]) -> bytes:
    pairs = np.empty((len(lows), 2), dtype=np.float64)
    pairs[:, 0] = lows
    pairs[:, 1] = highs
    return np.round(np.clip(pairs, -1.0, 1.0) * SCALE).astype(np.int8).tobytes()


def _merge_down(pairs: npt.NDArray[np.int8], columns: int) -> npt.NDArray[np.int8]:
    """(rows, have, 2) stored pairs merged down to at most `columns` columns each (each the min
    and max of its span); as given when they have no more."""
    have = pairs.shape[1]
    if have <= columns or columns < 1:
        return pairs
    edges = (np.arange(columns, dtype=np.int64) * have) // columns
    return np.stack(
        [
            np.minimum.reduceat(pairs[:, :, 0], edges, axis=1),
            np.maximum.reduceat(pairs[:, :, 1], edges, axis=1),
        ],
        axis=2,
    )


def _rows(stored: bytes, rows: int) -> npt.NDArray[np.int8]:
    return np.frombuffer(stored, dtype=np.int8).reshape(rows, -1, 2)


def waveform_peaks(stored: bytes | None, columns: int = COLUMNS) -> dict[str, Any] | None:
    """Stored peaks as the API answers them, the pairs as one (columns x 2) int8 array that
    orjson writes as `[[min, max], ...]` without a Python list per pair (None until the sample
    is analysed)."""
    return page_waveforms([stored], columns)[0]


def page_waveforms(stored: list[bytes | None], columns: int) -> list[dict[str, Any] | None]:
    """`waveform_peaks` of every row of a page at once: rows stored with the same number of
    columns are merged down together, one numpy call per step for all of them instead of one
    per row (a page of 50 rows is most of a library list's Python time)."""
    views: list[dict[str, Any] | None] = [None] * len(stored)
    by_length: dict[int, list[tuple[int, bytes]]] = {}
    for row, peaks in enumerate(stored):
        if peaks is not None:
            by_length.setdefault(len(peaks), []).append((row, bytes(peaks)))
    for members in by_length.values():
        joined = b"".join(peaks for _, peaks in members)
        pairs = _merge_down(_rows(joined, len(members)), columns)
        for (row, _), page_row in zip(members, pairs, strict=True):
            views[row] = {"columns": page_row.shape[0], "peaks": page_row}
    return views


def waveform_view(stored: bytes | None, columns: int = COLUMNS) -> dict[str, Any] | None:
    """Stored peaks as the API answers them, the pairs as Python lists (for pydantic)."""
    view = waveform_peaks(stored, columns)
    return None if view is None else {**view, "peaks": view["peaks"].tolist()}
