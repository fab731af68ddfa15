"""Median filters as sorting networks of elementwise min/max (no torch: numpy or torch alike).

A running median over k neighbours is the middle output of a network that sorts k wires; only
the compare-exchanges that output depends on are kept (24 for k = 9, 70 for k = 17). Each
compare-exchange is one elementwise minimum and maximum over the whole array, so the filter is
exactly the median that sorting each window gives, at a fraction of the cost.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import numpy.typing as npt


@functools.lru_cache(maxsize=16)
def median_network(size: int) -> tuple[tuple[int, int], ...]:
    """Compare-exchange pairs (low wire, high wire) that put the median of `size` values on
    wire size // 2: Batcher's odd-even merge sort, pruned to what that wire depends on."""
    width = 1
    while width < size:
        width *= 2
    pairs: list[tuple[int, int]] = []

    def merge(low: int, high: int, stride: int) -> None:
        step = stride * 2
        if step < high - low:
            merge(low, high, step)
            merge(low + stride, high, step)
            pairs.extend((i, i + stride) for i in range(low + stride, high - stride, step))
        else:
            pairs.append((low, low + stride))

    def sort(low: int, high: int) -> None:
        if high > low:
            middle = low + (high - low) // 2
            sort(low, middle)
            sort(middle + 1, high)
            merge(low, high, 1)

    sort(0, width - 1)
    # Wires past `size` would hold +inf, which no comparator moves: drop those comparators,
    # then keep only the ones the middle wire depends on, walking back from the output.
    needed = {size // 2}
    kept: list[tuple[int, int]] = []
    for i, j in reversed([(i, j) for i, j in pairs if j < size]):
        if i in needed or j in needed:
            kept.append((i, j))
            needed |= {i, j}
    return tuple(reversed(kept))


def running_median(values: npt.NDArray[Any], width: int, *, axis: int) -> npt.NDArray[Any]:
    """Median over `width` (odd) neighbours along `axis` of a 2-D array, edges repeated."""
    pad = [(0, 0), (0, 0)]
    pad[axis] = (width // 2, width // 2)
    padded = np.pad(values, pad, mode="edge")
    size = values.shape[axis]
    wires = [padded[k : k + size] if axis == 0 else padded[:, k : k + size] for k in range(width)]
    for i, j in median_network(width):
        low, high = wires[i], wires[j]
        wires[i], wires[j] = np.minimum(low, high), np.maximum(low, high)
    median: npt.NDArray[Any] = wires[width // 2]
    return median
