"""Reductions across the channels of (frames, channels) audio, column by column (numpy only).

numpy reduces along a short last axis one row at a time, about 50x slower than adding whole
columns; these give the same numbers (the same additions in the same order) at column speed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

# numpy adds fewer than 8 values in order; from 8 on it sums in blocks, so defer to it there.
_IN_ORDER = 7


def channel_mean(frames: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """frames.mean(axis=1) of a 2-D array, exactly."""
    if frames.shape[1] > _IN_ORDER or frames.shape[1] == 0:
        mean: npt.NDArray[Any] = frames.mean(axis=1)
        return mean
    total = frames[:, 0].copy()
    for channel in range(1, frames.shape[1]):
        total += frames[:, channel]
    result: npt.NDArray[Any] = total / frames.shape[1]
    return result


def channel_min_max(frames: npt.NDArray[Any]) -> tuple[npt.NDArray[Any], npt.NDArray[Any]]:
    """(frames.min(axis=1), frames.max(axis=1)) of a 2-D array with at least one channel."""
    low = frames[:, 0].copy()
    high = low.copy()
    for channel in range(1, frames.shape[1]):
        np.minimum(low, frames[:, channel], out=low)
        np.maximum(high, frames[:, channel], out=high)
    return low, high
