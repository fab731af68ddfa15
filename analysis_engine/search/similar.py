"""Samples that sound like a given one: nearest neighbours by embedding in the caller's library."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis_engine.context import Engine
from analysis_engine.features import EMBEDDING_SIZE
from analysis_engine.music import (
    Key,
    compatible_keys,
    key_relation,
    parse_key,
    tempo_relation,
    tempo_windows,
)
from analysis_engine.samples.service import sample_view
from analysis_engine.search.errors import NoKey, NotAnalysed, NoTempo
from analysis_engine.search.library import SQL, Library, LibraryCache, normalise
from sp404.core.audit import Hidden, owner_tx

# How far apart two tempos may be and still "match" when the request names no tolerance.
DEFAULT_TEMPO_TOLERANCE_PCT = 5.0
LIBRARIES = LibraryCache()


@dataclass(frozen=True)
class SimilarFilters:
    """What a similar-sounds search keeps: tempo, key and loop filters (None or False: any)."""

    limit: int = 20
    bpm_tolerance_pct: float | None = None
    include_half_double: bool = False
    key_compatible: bool = False
    include_fifths: bool = False
    loop: bool | None = None

    @property
    def filters_tempo(self) -> bool:
        return self.bpm_tolerance_pct is not None or self.include_half_double

    @property
    def tolerance_pct(self) -> float:
        if self.bpm_tolerance_pct is None:
            return DEFAULT_TEMPO_TOLERANCE_PCT
        return self.bpm_tolerance_pct


def _eligible(
    library: Library,
    *,
    target_id: uuid.UUID,
    target_bpm: float | None,
    target_key: Key | None,
    filters: SimilarFilters,
) -> npt.NDArray[np.bool_]:
    keep = np.ones(len(library.ids), dtype=bool)
    own_row = library.rows.get(target_id)
    if own_row is not None:
        keep[own_row] = False
    if filters.filters_tempo and target_bpm is not None:
        windows = tempo_windows(
            target_bpm, filters.tolerance_pct, half_double=filters.include_half_double
        )
        in_tempo = np.zeros(len(library.ids), dtype=bool)
        for low, high in windows.values():
            # NaN (no tempo) compares false, so samples without a tempo drop out.
            in_tempo |= (library.bpm >= low) & (library.bpm <= high)
        keep &= in_tempo
    if filters.key_compatible and target_key is not None:
        codes = [key.code for key in compatible_keys(target_key, fifths=filters.include_fifths)]
        keep &= np.isin(library.key_code, codes)
    if filters.loop is not None:
        keep &= library.loop == int(filters.loop)
    return keep


def rank_neighbours(
    library: Library, query: npt.NDArray[np.float32], keep: npt.NDArray[np.bool_], limit: int
) -> list[tuple[uuid.UUID, float]]:
    """The `limit` kept samples closest to `query`, best first, with their cosine similarity."""
    kept = int(keep.sum())
    if kept == 0:
        return []
    # Scoring every row and masking is cheaper than copying out the kept rows first.
    scores = library.vectors @ query
    masked = np.where(keep, scores, -np.inf)
    count = min(limit, kept)
    top = np.argpartition(-masked, count - 1)[:count] if count < masked.size else np.arange(count)
    # Ties (duplicates of one sound) keep library order, so a page is the same on every call.
    ordered = top[np.lexsort((top, -masked[top]))]
    return [(library.ids[i], float(scores[i])) for i in ordered]


def _query_vector(embedding: list[float] | None) -> npt.NDArray[np.float32] | None:
    if embedding is None or len(embedding) != EMBEDDING_SIZE:
        return None
    vector = np.asarray(embedding, dtype=np.float32).reshape(1, EMBEDDING_SIZE)
    if not np.isfinite(vector).all():
        return None
    unit: npt.NDArray[np.float32] = normalise(vector)[0]
    return unit


async def find_similar(
    ctx: Engine, *, user_id: uuid.UUID, sample_id: uuid.UUID, filters: SimilarFilters
) -> dict[str, Any]:
    """The caller's samples that sound most like `sample_id`, with how their tempo and key fit."""
    target_key: Key | None = None
    neighbours: list[tuple[uuid.UUID, float]] = []
    rows: dict[uuid.UUID, Any] = {}
    total = 0
    async with owner_tx(ctx.pool, user_id) as conn:
        target = await conn.fetchrow(SQL["similar_target"], sample_id)
        query = None if target is None else _query_vector(target["embedding"])
        if target is not None and query is not None:
            target_key = parse_key(target["musical_key"])
            if filters.filters_tempo and target["bpm"] is None:
                raise NoTempo()
            if filters.key_compatible and target_key is None:
                raise NoKey()
            library = await LIBRARIES.load(conn, user_id)
            keep = _eligible(
                library,
                target_id=sample_id,
                target_bpm=target["bpm"],
                target_key=target_key,
                filters=filters,
            )
            total = int(keep.sum())
            neighbours = rank_neighbours(library, query, keep, filters.limit)
            found = await conn.fetch(SQL["samples_by_id"], [n for n, _ in neighbours])
            rows = {row["id"]: row for row in found}
        if target is None:
            raise Hidden("sample", sample_id)
    if query is None:
        raise NotAnalysed()
    results = []
    for neighbour_id, score in neighbours:
        row = rows.get(neighbour_id)
        if row is None:
            continue  # deleted meanwhile
        results.append(
            {
                "sample": sample_view(row),
                "score": round(min(1.0, max(0.0, score)), 6),
                "bpm_match": tempo_relation(target["bpm"], row["bpm"], filters.tolerance_pct),
                "key_relation": key_relation(target_key, parse_key(row["musical_key"])),
            }
        )
    return {"sample_id": sample_id, "results": results, "total": total}
