"""Key and mode from a chroma profile by correlation with 24 rotated key profiles (torch)."""

from __future__ import annotations

import math

import torch

from analysis_engine.features.model import MODES, PITCH_CLASSES

# Temperley's Kostka-Payne profiles, tonic first. Krumhansl-Kessler's weigh the major third
# so little that the overtones of a minor arpeggio's root (the 5th partial) tip it to major.
_MAJOR = (0.748, 0.060, 0.488, 0.082, 0.670, 0.460, 0.096, 0.715, 0.104, 0.366, 0.057, 0.400)
_MINOR = (0.712, 0.084, 0.474, 0.618, 0.049, 0.460, 0.105, 0.747, 0.404, 0.067, 0.133, 0.330)
# How much correlation margin over the runner-up counts as "sure" (1 - 1/e of full confidence).
_MARGIN_SCALE = 0.05


def _profiles(device: torch.device) -> torch.Tensor:
    # (24, 12): rows 0..11 are the major keys on C..B, rows 12..23 the minor keys.
    rows: list[torch.Tensor] = []
    for profile in (_MAJOR, _MINOR):
        base = torch.tensor(profile, dtype=torch.float32)
        rows.extend(torch.roll(base, tonic) for tonic in range(12))
    table = torch.stack(rows).to(device)
    table = table - table.mean(-1, keepdim=True)
    unit: torch.Tensor = table / table.norm(dim=-1, keepdim=True)
    return unit


def estimate_keys(
    chroma_energy: torch.Tensor,
) -> list[tuple[str | None, str | None, float]]:
    """(key, mode, confidence) for each (B, 12) chroma energy profile; None for no tone."""
    centred = chroma_energy - chroma_energy.mean(-1, keepdim=True)
    norm = centred.norm(dim=-1, keepdim=True)
    correlation = (centred / norm.clamp(min=1e-12)) @ _profiles(chroma_energy.device).T
    top = correlation.topk(2, dim=-1)
    results: list[tuple[str | None, str | None, float]] = []
    # One copy to the host for the whole batch: per-element reads would each wait on the GPU.
    values = top.values.tolist()
    indices = top.indices[:, 0].tolist()
    norms = norm[:, 0].tolist()
    totals = chroma_energy.sum(-1).tolist()
    for row in range(chroma_energy.shape[0]):
        best, second = values[row]
        total = totals[row]
        # A flat profile (silence, noise, pure drums with no pitch) names no key.
        flat = norms[row] <= 1e-3 * max(total, 1e-12)
        if total <= 1e-9 or flat or best <= 0.0:
            results.append((None, None, 0.0))
            continue
        index = indices[row]
        confidence = best * (1.0 - math.exp(-(best - second) / _MARGIN_SCALE))
        results.append(
            (PITCH_CLASSES[index % 12], MODES[index // 12], min(1.0, max(0.0, confidence)))
        )
    return results
