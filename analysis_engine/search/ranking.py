"""How similar-sounds search orders a library: role first, then what mixes, then what sounds alike.

One ordering for the engine and for benchmarks/bench_similar.py, vectorised over a whole library
(50,000 samples in a few milliseconds). A candidate's rank key is, from the strongest:

1. asked-for compatibility (a tempo or key filter): compatible samples come first, the rest
   follow, so a filter ranks instead of emptying the page;
2. the role: a drum loop's neighbours are drum loops, a one-shot's one-shots of its instrument
   class first, unless the request widens the search;
3. learned similarity plus fitted bonuses for a mixable tempo (1x, 1/2x, 2x) and key; or, for
   roles whose fitted weights say so (drum loops), the loops at a mixable tempo interleaved with
   the most similar at a fitted rate (`order`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from analysis_engine.music import Key, key_relation

# How much a key relation is worth, as a share of the fitted key weight: the relative key and
# the Camelot neighbours (a fifth away) mix almost as well as the same key; parallel barely.
KEY_GRADES = {"same": 1.0, "relative": 0.9, "fifth": 0.8, "parallel": 0.2}
TEMPO_NONE, TEMPO_SAME, TEMPO_HALF, TEMPO_DOUBLE = 0, 1, 2, 3
TEMPO_NAMES = {TEMPO_SAME: "same", TEMPO_HALF: "half", TEMPO_DOUBLE: "double"}
# Far above any similarity (the metric part of an embedding is at most unit length).
_TIER = 16.0


@dataclass(frozen=True, slots=True)
class RankWeights:
    """Bonuses added to similarity (fitted by benchmarks/fit_similar.py, shipped in the model)."""

    tempo: float = 0.0
    key: float = 0.0
    # On top of both: a sample that fits in tempo and in key is what a producer layers.
    both: float = 0.0
    same_class: float = 1.0
    # Above 0: instead of a tempo bonus, the j-th best sample at a mixable tempo ranks as the
    # (j / tempo_rate)-th best of all (see `order`).
    tempo_rate: float = 0.0


def weights_for(role: str, ranking: dict[str, dict[str, float]]) -> RankWeights:
    """The fitted bonuses for a query of this role (none for roles without fitted ones)."""
    fitted = ranking.get(role, {})
    return RankWeights(
        tempo=fitted.get("tempo", 0.0),
        key=fitted.get("key", 0.0),
        both=fitted.get("both", 0.0),
        tempo_rate=fitted.get("tempo_rate", 0.0),
    )


@lru_cache(maxsize=1)
def _key_grade_table() -> npt.NDArray[np.float64]:
    # Row: the query's key code (0-11 major, 12-23 minor); column: the candidate's; last: none.
    table = np.zeros((25, 25))
    for a in range(24):
        for b in range(24):
            relation = key_relation(Key(a % 12, a >= 12), Key(b % 12, b >= 12))
            table[a, b] = KEY_GRADES.get(relation or "", 0.0)
    return table


def key_grades(target_code: int, codes: npt.NDArray[np.int16]) -> npt.NDArray[np.float64]:
    """How well each key (code, -1 for none) mixes with the target's: 1 same ... 0 unrelated."""
    table = _key_grade_table()
    row = table[target_code if target_code >= 0 else 24]
    grades: npt.NDArray[np.float64] = row[np.where(codes >= 0, codes, 24)]
    return grades


def tempo_matches(
    target_bpm: float | None, bpms: npt.NDArray[np.float64], tolerance_pct: float
) -> npt.NDArray[np.int8]:
    """Per candidate: TEMPO_SAME, TEMPO_HALF, TEMPO_DOUBLE within the tolerance, else NONE."""
    out = np.zeros(bpms.shape[0], dtype=np.int8)
    if target_bpm is None or not target_bpm > 0:
        return out
    share = tolerance_pct / 100.0
    ratio = bpms / target_bpm  # NaN (no tempo) compares false everywhere below
    with np.errstate(invalid="ignore"):
        out[np.abs(ratio * 2.0 - 1.0) <= share] = TEMPO_HALF
        out[np.abs(ratio / 2.0 - 1.0) <= share] = TEMPO_DOUBLE
        out[np.abs(ratio - 1.0) <= share] = TEMPO_SAME
    return out


def rank_keys(
    similarity: npt.NDArray[np.float64],
    *,
    same_role: npt.NDArray[np.bool_] | None,
    same_class: npt.NDArray[np.bool_] | None,
    tempo: npt.NDArray[np.int8],
    key_grade: npt.NDArray[np.float64],
    weights: RankWeights,
    required: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.float64]:
    """One number per candidate; higher ranks first (see the module's docstring)."""
    in_tempo = tempo != TEMPO_NONE
    key = (
        similarity + weights.tempo * in_tempo + (weights.key + weights.both * in_tempo) * key_grade
    )
    if same_class is not None:
        key = key + weights.same_class * same_class
    if same_role is not None:
        key = key + _TIER * same_role
    if required is not None:
        key = key + 4 * _TIER * required
    result: npt.NDArray[np.float64] = key
    return result


def top(
    keys: npt.NDArray[np.float64], keep: npt.NDArray[np.bool_], limit: int
) -> npt.NDArray[np.intp]:
    """Indices of the `limit` best kept candidates, best first (ties: library order)."""
    kept = int(keep.sum())
    if kept == 0 or limit <= 0:
        return np.zeros(0, dtype=np.intp)
    masked = np.where(keep, keys, -np.inf)
    count = min(limit, kept)
    chosen = (
        np.argpartition(-masked, count - 1)[:count] if count < masked.size else np.arange(count)
    )
    ordered: npt.NDArray[np.intp] = chosen[np.lexsort((chosen, -masked[chosen]))]
    return ordered


def order(
    keys: npt.NDArray[np.float64],
    keep: npt.NDArray[np.bool_],
    limit: int,
    *,
    tiers: npt.NDArray[np.int8],
    in_tempo: npt.NDArray[np.bool_],
    tempo_rate: float,
) -> npt.NDArray[np.intp]:
    """The page: `top` by the keys, or with `tempo_rate` > 0 the kept samples at a mixable tempo
    interleaved with all: the i-th best by key stands at place i, the j-th best at a mixable
    tempo at j / tempo_rate, whichever comes first; `tiers` (role, asked-for fit) still rank first.

    Why a rate and not a bonus: how many loops at a mixable tempo a bonus lets in depends on how
    many lie close in sound, which grows with the library (a bonus chosen on a smaller library
    gave drum queries of the whole corpus 0.32 to 0.89 tempo-compatible by fold); a rate gives every
    page the same share. Two partial selections, no sort of the library."""
    if tempo_rate <= 0:
        return top(keys, keep, limit)
    best = top(keys, keep, limit)
    fitting = top(keys, keep & in_tempo, math.ceil(limit * tempo_rate))
    # Whatever is in neither list stands after `limit` in both, behind every sample of `best`
    # (whose tiers are at least its own), so the page is drawn from these two lists alone.
    candidates = np.concatenate([best, fitting])
    places = np.concatenate(
        [np.arange(1, best.size + 1), np.arange(1, fitting.size + 1) / tempo_rate]
    )
    unique, first = np.unique(candidates, return_inverse=True)
    place = np.full(unique.size, np.inf)
    np.minimum.at(place, first, places)
    ranked = unique[np.lexsort((unique, -keys[unique], place, -tiers[unique]))]
    result: npt.NDArray[np.intp] = ranked[:limit]
    return result


def rank_page(
    similarity: npt.NDArray[np.float64],
    keep: npt.NDArray[np.bool_],
    limit: int,
    *,
    same_role: npt.NDArray[np.bool_] | None,
    same_class: npt.NDArray[np.bool_] | None,
    tempo: npt.NDArray[np.int8],
    key_grade: npt.NDArray[np.float64],
    weights: RankWeights,
    required: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.intp]:
    """The page a query gets, best first: `rank_keys`, then `order` with the tiers of the
    role and the asked-for fit (the engine's similar sounds and the benchmark both ask here)."""
    keys = rank_keys(
        similarity,
        same_role=same_role,
        same_class=same_class,
        tempo=tempo,
        key_grade=key_grade,
        weights=weights,
        required=required,
    )
    return order(
        keys,
        keep,
        limit,
        tiers=tiers_of(same_role, required, keys.size),
        in_tempo=tempo != TEMPO_NONE,
        tempo_rate=weights.tempo_rate,
    )


def tiers_of(
    same_role: npt.NDArray[np.bool_] | None, required: npt.NDArray[np.bool_] | None, size: int
) -> npt.NDArray[np.int8]:
    """The strongest parts of the rank key as small integers: an asked-for fit, then the role."""
    tiers = np.zeros(size, dtype=np.int8)
    if same_role is not None:
        tiers += same_role.astype(np.int8)
    if required is not None:
        tiers += 2 * required.astype(np.int8)
    return tiers


def percentiles(
    similarity: npt.NDArray[np.float64], keep: npt.NDArray[np.bool_], chosen: npt.NDArray[np.intp]
) -> list[float]:
    """Each chosen candidate's percentile (0-100) of similarity among every kept candidate."""
    pool = similarity[keep]
    if pool.size <= 1:
        return [100.0 for _ in chosen]
    # A page is at most 100 rows: counting beats sorting 50,000.
    below = (pool[None, :] < similarity[chosen][:, None]).sum(axis=1)
    return [round(100.0 * float(b) / (pool.size - 1), 1) for b in below]
