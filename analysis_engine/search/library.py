"""A producer's library as arrays for similarity search, cached per user while it is unchanged.

Loading 10,000 embeddings takes Postgres and asyncpg some 50-100 ms, far more than ranking them
(well under 1 ms with numpy), so each engine process keeps the arrays of recently searched
libraries. A copy is current while the producer's library version (one row that a trigger moves
on every write to their samples, features and vibes: sql/0053) is the one it was read at; only
when it moved are the exact fingerprints read: the count and summed write times of the user's
feature rows (every analysis stamps `created_at`) and of their sample rows (every edit and
analysis stamps `updated_at`), index-only scans that grow with the library (about a millisecond
at 10,000 samples, ~20 ms at 50,000). The version and the fingerprints are read before the rows,
so a write committed in between can only make the cache look older than it is, never newer.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import asyncpg
import numpy as np
import numpy.typing as npt

from analysis_engine.features import EMBEDDING_SIZE, embedding
from analysis_engine.music import parse_key
from sp404.core.queries import load_queries

SQL = load_queries(Path(__file__).with_name("queries.sql"))
# About 64 MiB of float32 vectors per engine process.
MAX_CACHED_VECTORS = 262_144
NO_KEY = -1

# Postgres's binary array format (what `array_send` returns) for a one-dimensional real[] of
# EMBEDDING_SIZE elements: ndim, has-nulls flag, element type, length, lower bound; then a
# length word and a big-endian float per element.
_ARRAY_BINARY = np.dtype(
    [("header", ">i4", 5), ("items", [("length", ">i4"), ("value", ">f4")], EMBEDDING_SIZE)]
)


@dataclass(frozen=True)
class Library:
    """One user's analysed samples: unit embeddings and the facts the filters look at."""

    ids: tuple[uuid.UUID, ...]
    rows: dict[uuid.UUID, int]
    # The metric part of each embedding (layout 2), or the whole unit vector (layout 1): a dot
    # product is the learned similarity within a layout; the role keeps layouts apart.
    vectors: npt.NDArray[np.float32]
    bpm: npt.NDArray[np.float64]
    key_code: npt.NDArray[np.int16]
    loop: npt.NDArray[np.int8]
    features_version: tuple[Any, ...]
    samples_version: tuple[Any, ...]
    roles: embedding.Roles = field(default_factory=embedding.Roles.empty)
    # The producer's library version (sql/0053) these arrays are known to be current at.
    library_version: int | None = None


def parse_embeddings(
    blobs: Sequence[bytes],
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.bool_]]:
    """Unit vectors from `array_send` blobs, and which blobs were well-formed embeddings."""
    size = _ARRAY_BINARY.itemsize
    valid = np.array([len(blob) == size for blob in blobs], dtype=bool)
    vectors = np.zeros((len(blobs), EMBEDDING_SIZE), dtype=np.float32)
    if valid.any():
        records = np.frombuffer(
            b"".join(b for b, ok in zip(blobs, valid, strict=True) if ok), dtype=_ARRAY_BINARY
        )
        header = records["header"]
        shaped = (
            (header[:, 0] == 1)
            & (header[:, 1] == 0)
            & (header[:, 3] == EMBEDDING_SIZE)
            & (records["items"]["length"] == 4).all(axis=1)
        )
        values = records["items"]["value"].astype(np.float32)
        finite = np.isfinite(values).all(axis=1)
        good = shaped & finite
        vectors[valid] = np.where(good[:, None], values, 0.0)
        valid[valid] = good
    return normalise(vectors), valid


def normalise(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Rows scaled to unit length (all-zero rows stay zero and score 0 against anything)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit: npt.NDArray[np.float32] = np.divide(
        vectors, norms, out=np.zeros_like(vectors), where=norms > 1e-12
    )
    return unit


def _facts(
    ids: Sequence[uuid.UUID], rows: Sequence[asyncpg.Record]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int16], npt.NDArray[np.int8]]:
    index = {sample_id: i for i, sample_id in enumerate(ids)}
    bpm = np.full(len(ids), np.nan)
    key_code = np.full(len(ids), NO_KEY, dtype=np.int16)
    loop = np.full(len(ids), -1, dtype=np.int8)
    for row in rows:
        i = index.get(row["id"])
        if i is None:
            continue
        if row["bpm"] is not None:
            bpm[i] = row["bpm"]
        key = parse_key(row["musical_key"])
        if key is not None:
            key_code[i] = key.code
        if row["is_loop"] is not None:
            loop[i] = int(row["is_loop"])
    return bpm, key_code, loop


class LibraryCache:
    """Libraries of recently searched users, least recently used dropped past a vector budget."""

    def __init__(self, max_vectors: int = MAX_CACHED_VECTORS) -> None:
        self._max_vectors = max_vectors
        self._entries: OrderedDict[uuid.UUID, Library] = OrderedDict()

    async def load(self, conn: asyncpg.Connection, user_id: uuid.UUID) -> Library:
        """The library of the user whose tenant transaction `conn` is, fresh or from the cache."""
        library_version = await conn.fetchval(SQL["library_version"])
        cached = self._entries.get(user_id)
        if (
            cached is not None
            and library_version is not None
            and cached.library_version == library_version
        ):
            self._remember(user_id, cached)
            return cached
        library = await self._read(conn, cached, library_version)
        self._remember(user_id, library)
        return library

    async def _read(
        self, conn: asyncpg.Connection, cached: Library | None, library_version: int | None
    ) -> Library:
        """The library checked against its exact fingerprints, re-reading what they say moved."""
        versions = await conn.fetchrow(SQL["library_versions"])
        features_version = (versions["features_count"], versions["features_stamp"])
        samples_version = (versions["samples_count"], versions["samples_stamp"])
        if cached is not None and cached.features_version == features_version:
            if cached.samples_version != samples_version:
                facts = await conn.fetch(SQL["library_facts"])
                bpm, key_code, loop = _facts(cached.ids, facts)
                cached = replace(
                    cached, bpm=bpm, key_code=key_code, loop=loop, samples_version=samples_version
                )
            return replace(cached, library_version=library_version)
        embeddings = await conn.fetch(SQL["library_embeddings"])
        facts = await conn.fetch(SQL["library_facts"])
        vectors, valid = parse_embeddings([r["embedding"] for r in embeddings])
        ids = tuple(r["sample_id"] for r, ok in zip(embeddings, valid, strict=True) if ok)
        bpm, key_code, loop = _facts(ids, facts)
        kept = vectors[valid]
        roles = embedding.read_roles(kept)
        library = Library(
            ids=ids,
            rows={sample_id: i for i, sample_id in enumerate(ids)},
            vectors=np.ascontiguousarray(embedding.metric_only(kept, roles)),
            roles=roles,
            bpm=bpm,
            key_code=key_code,
            loop=loop,
            features_version=features_version,
            samples_version=samples_version,
            library_version=library_version,
        )
        return library

    def _remember(self, user_id: uuid.UUID, library: Library) -> None:
        self._entries[user_id] = library
        self._entries.move_to_end(user_id)
        total = sum(len(entry.ids) for entry in self._entries.values())
        while total > self._max_vectors and len(self._entries) > 1:
            _, dropped = self._entries.popitem(last=False)
            total -= len(dropped.ids)
        if total > self._max_vectors:
            # A single library larger than the whole budget is served but not kept.
            self._entries.clear()

    def clear(self) -> None:
        """Forget every cached library."""
        self._entries.clear()
