"""Samples that sound like a given one, in the caller's library: the same role first, then what
mixes (tempo 1x, 1/2x, 2x; compatible keys), then the learned similarity (see `ranking`).

Filters the request names rank instead of removing: compatible samples come first and the rest
fill the page, so a query never comes back empty while the library has candidates. The only
filter that removes is `loop`, which asks for a kind of sample outright.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from analysis_engine.context import Engine
from analysis_engine.features import EMBEDDING_SIZE, embedding
from analysis_engine.music import Key, compatible_keys, key_relation, parse_key
from analysis_engine.samples.service import sample_view
from analysis_engine.search.errors import NoKey, NotAnalysed, NoTempo
from analysis_engine.search.library import SQL, Library, LibraryCache, normalise
from analysis_engine.search.ranking import (
    TEMPO_DOUBLE,
    TEMPO_HALF,
    TEMPO_NAMES,
    TEMPO_NONE,
    TEMPO_SAME,
    key_grades,
    percentiles,
    rank_page,
    tempo_matches,
    weights_for,
)
from sp404.core.audit import Hidden, owner_tx

# How far apart two tempos may be and still "match" when the request names no tolerance.
DEFAULT_TEMPO_TOLERANCE_PCT = 5.0
LIBRARIES = LibraryCache()
ROLE_NAMES = {
    "drum_loop": "drum loop",
    "band_loop": "band loop",
    "one_shot": "one-shot",
    "texture": "texture",
}
_KEY_REASONS = {
    "same": "same key",
    "relative": "relative key",
    "fifth": "a fifth away",
    "parallel": "parallel key",
}
_TEMPO_REASONS = {"same": "same tempo", "half": "half-time", "double": "double-time"}
_SOUND_REASONS = {
    "drum_loop": "same kit sound",
    "band_loop": "same instruments",
    "one_shot": "very close sound",
    "texture": "same texture",
}
# "Same kit sound" and the like: among the closest tenth of the library and close in itself.
_SOUND_PERCENTILE = 90.0
_SOUND_SIMILARITY = 0.6
_BRIGHTNESS_OCTAVES = 0.35


@dataclass(frozen=True)
class SimilarFilters:
    """What a similar-sounds search asks for: compatibility to rank first (tempo within a
    tolerance, half/double time, compatible keys), loops or one-shots only, and whether to
    look beyond the sample's own role."""

    limit: int = 20
    bpm_tolerance_pct: float | None = None
    include_half_double: bool = False
    key_compatible: bool = False
    include_fifths: bool = False
    loop: bool | None = None
    any_role: bool = False

    @property
    def filters_tempo(self) -> bool:
        return self.bpm_tolerance_pct is not None or self.include_half_double

    @property
    def tolerance_pct(self) -> float:
        if self.bpm_tolerance_pct is None:
            return DEFAULT_TEMPO_TOLERANCE_PCT
        return self.bpm_tolerance_pct


@dataclass(frozen=True)
class Query:
    """The sample asked about, as the ranking sees it."""

    vector: npt.NDArray[np.float32]
    layout: embedding.Layout
    bpm: float | None
    key: Key | None


def _required(
    library: Library, query: Query, tempo: npt.NDArray[np.int8], filters: SimilarFilters
) -> npt.NDArray[np.bool_] | None:
    """Which samples satisfy the compatibility the request asks for (None: it asks none)."""
    if not (filters.filters_tempo or filters.key_compatible):
        return None
    ok = np.ones(len(library.ids), dtype=bool)
    if filters.filters_tempo:
        allowed = [TEMPO_SAME] + ([TEMPO_HALF, TEMPO_DOUBLE] if filters.include_half_double else [])
        ok &= np.isin(tempo, allowed)
    if filters.key_compatible and query.key is not None:
        codes = [k.code for k in compatible_keys(query.key, fifths=filters.include_fifths)]
        ok &= np.isin(library.key_code, codes)
    return ok


def rank_library(
    library: Library, query: Query, *, target_id: uuid.UUID, filters: SimilarFilters
) -> tuple[list[int], list[float], npt.NDArray[np.float64], int, int | None]:
    """(rows best first, their "% alike", every row's similarity, candidates, compatible ones)."""
    # einsum, not `@`: a matrix-vector product through multi-threaded BLAS costs 5-8x more on a
    # busy machine (threads wait for cores) than this one-thread loop, 4 ms at 50,000 samples.
    similarity = np.einsum("ij,j->i", library.vectors, query.vector).astype(np.float64)
    everyone = np.ones(len(library.ids), dtype=bool)
    own_row = library.rows.get(target_id)
    if own_row is not None:
        everyone[own_row] = False
    keep = everyone.copy()
    if filters.loop is not None:
        keep &= library.loop == int(filters.loop)
    role = query.layout.role
    role_code = embedding.ROLES.index(role)
    same_role = None if filters.any_role else library.roles.role == role_code
    if same_role is not None:
        # Another model revision's metric is not this one's (until `sp404 admin
        # backfill-embeddings` rebuilds it): such rows rank after this revision's, as another
        # role's do, and old rows still find each other.
        same_role &= library.roles.revision == query.layout.revision
    same_class = None
    if role == "one_shot" and query.layout.one_shot_class:
        class_code = embedding.ONE_SHOT_CLASSES.index(query.layout.one_shot_class)
        same_class = library.roles.one_shot_class == class_code
    tempo = tempo_matches(query.bpm, library.bpm, filters.tolerance_pct)
    grades = key_grades(query.key.code if query.key is not None else -1, library.key_code)
    required = _required(library, query, tempo, filters)
    chosen = rank_page(
        similarity,
        keep,
        filters.limit,
        same_role=same_role,
        same_class=same_class,
        tempo=tempo,
        key_grade=grades,
        weights=weights_for(role, embedding.similarity_model()["ranking"]),
        required=required,
    )
    # "% alike" is the neighbour's place among everything else in the producer's library.
    alike = percentiles(similarity, everyone, chosen)
    compatible = None if required is None else int((required & keep).sum())
    return [int(i) for i in chosen], alike, similarity, int(keep.sum()), compatible


def reasons(
    library: Library,
    query: Query,
    row: int,
    *,
    similarity: float,
    alike: float,
    bpm_match: str | None,
    key_match: str | None,
) -> list[str]:
    """A few words on why this sample is here: its kind, tempo, key and sound."""
    said: list[str] = []
    role = embedding.ROLES[int(library.roles.role[row])]
    if role != query.layout.role and role in ROLE_NAMES:
        said.append(f"a {ROLE_NAMES[role]}")
    cls = embedding.ONE_SHOT_CLASSES[int(library.roles.one_shot_class[row])]
    if role == "one_shot" and cls and cls == query.layout.one_shot_class:
        said.append(f"also a {cls}")
    if bpm_match is not None:
        said.append(_TEMPO_REASONS[bpm_match])
    if key_match is not None:
        said.append(_KEY_REASONS[key_match])
    if (
        role == query.layout.role
        and role in _SOUND_REASONS
        and alike >= _SOUND_PERCENTILE
        and similarity >= _SOUND_SIMILARITY
    ):
        said.append(_SOUND_REASONS[role])
    if query.layout.layout == embedding.EMBEDDING_LAYOUT and library.roles.layout[row] == 2:
        shift = float(library.roles.brightness[row]) - query.layout.brightness
        if abs(shift) <= _BRIGHTNESS_OCTAVES:
            said.append("similar brightness")
        elif shift > 2 * _BRIGHTNESS_OCTAVES:
            said.append("brighter")
        elif shift < -2 * _BRIGHTNESS_OCTAVES:
            said.append("darker")
    return said[:4]


def _query(target: Any) -> Query | None:
    raw = target["embedding"]
    if raw is None or len(raw) != EMBEDDING_SIZE:
        return None
    vector = np.asarray(raw, dtype=np.float32).reshape(1, EMBEDDING_SIZE)
    if not np.isfinite(vector).all():
        return None
    unit = normalise(vector)
    roles = embedding.read_roles(unit)
    layout = embedding.read_layout(unit[0])
    metric: npt.NDArray[np.float32] = embedding.metric_only(unit, roles)[0]
    return Query(metric, layout, target["bpm"], parse_key(target["musical_key"]))


async def find_similar(
    ctx: Engine, *, user_id: uuid.UUID, sample_id: uuid.UUID, filters: SimilarFilters
) -> dict[str, Any]:
    """The caller's samples that sound most like `sample_id`, with how they fit and why."""
    query: Query | None = None
    chosen: list[int] = []
    alike: list[float] = []
    similarity = np.zeros(0)
    rows: dict[uuid.UUID, Any] = {}
    total = 0
    compatible: int | None = None
    async with owner_tx(ctx.pool, user_id) as conn:
        target = await conn.fetchrow(SQL["similar_target"], sample_id)
        if target is None:
            raise Hidden("sample", sample_id)
        query = _query(target)
        if query is not None:
            if filters.filters_tempo and target["bpm"] is None:
                raise NoTempo()
            if filters.key_compatible and query.key is None:
                raise NoKey()
            library = await LIBRARIES.load(conn, user_id)
            chosen, alike, similarity, total, compatible = rank_library(
                library, query, target_id=sample_id, filters=filters
            )
            found = await conn.fetch(SQL["samples_by_id"], [library.ids[i] for i in chosen])
            rows = {row["id"]: row for row in found}
    if query is None:
        raise NotAnalysed()
    results = []
    for index, percent in zip(chosen, alike, strict=True):
        row = rows.get(library.ids[index])
        if row is None:
            continue  # deleted meanwhile
        score = float(similarity[index])
        tempo = tempo_matches(
            query.bpm, np.array([np.nan if row["bpm"] is None else row["bpm"]]),
            filters.tolerance_pct,
        )[0]  # fmt: skip
        bpm_match = None if tempo == TEMPO_NONE else TEMPO_NAMES[int(tempo)]
        key_match = key_relation(query.key, parse_key(row["musical_key"]))
        role = embedding.ROLES[int(library.roles.role[index])]
        results.append(
            {
                "sample": sample_view(row),
                "score": round(min(1.0, max(0.0, score)), 6),
                "alike": percent,
                "role": role,
                "bpm_match": bpm_match,
                "key_relation": key_match,
                "reasons": reasons(
                    library,
                    query,
                    index,
                    similarity=score,
                    alike=percent,
                    bpm_match=bpm_match,
                    key_match=key_match,
                ),
            }
        )
    return {
        "sample_id": sample_id,
        "role": query.layout.role,
        "results": results,
        "total": total,
        "compatible": compatible,
    }
