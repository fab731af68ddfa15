"""Similarity embeddings for samples analysed before the current layout or model (`sp404 admin
backfill-embeddings`): decode each stored file once and rebuild only its embedding from the
stored analysis (tempo, key, tonality) and the descriptor's measurement of the audio (the
extractor's own spectrogram, as the worker measures it), so nothing else changes and no analysis
is counted against a plan. A re-analysis rebuilds the embedding by itself. It measures with the
extractor (torch), so it runs where the worker does (the worker image), not in the api image.

Rows are walked as the auditor (BYPASSRLS, SELECT only: it crosses tenants) in (created_at,
sample_id) order; each write goes through the owner's tenant transaction like the worker's, and
never replaces an embedding that a re-analysis stored in the meantime. The write stamps
created_at, so every engine's cached copy of that library sees the change.
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import asyncpg

from analysis_engine.analysis.stored_audio import decode_stored
from analysis_engine.features import UndecodableAudio, embedding
from analysis_engine.features.extractor import measure_similarity
from sp404.core.db import tenant_tx
from sp404.storage import BlobNotFound, BlobStore

log = logging.getLogger("analysis.embeddings")

# Every sample analysed before the run began ($5) after the keyset ($1, $2), oldest analysis
# first, of one producer ($4) or all, with what the embedding is rebuilt from (as the auditor).
# A rebuilt row is stamped anew, so the run never meets it twice.
ANALYSED_AFTER = """
select f.user_id, f.sample_id, f.created_at, f.embedding, s.blob_key,
       (f.features ->> 'tempo_bpm')::double precision as tempo_bpm,
       coalesce((f.features ->> 'tonality')::double precision, 0) as tonality,
       coalesce((f.features ->> 'harmonic_percussive_ratio')::double precision, 0)
           as harmonic_percussive_ratio,
       f.features ->> 'key' is not null as has_key
from app.audio_features f
join app.samples s on s.user_id = f.user_id and s.id = f.sample_id
where (f.created_at, f.sample_id) > ($1, $2)
  and ($4::uuid is null or f.user_id = $4)
  and f.created_at < $5
order by f.created_at, f.sample_id
limit $3
"""
# A rebuilt embedding, unless a re-analysis wrote the row meanwhile (true when written).
STORE_EMBEDDING = """
update app.audio_features set embedding = $3, created_at = now()
 where sample_id = $1 and created_at = $2
returning true
"""
_PAGE = 500
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)
_NIL = uuid.UUID(int=0)


@dataclass
class EmbeddingBackfill:
    """How a backfill went: embeddings rewritten, current ones left, failures (with why)."""

    written: int = 0
    current: int = 0
    failed: list[tuple[uuid.UUID, str]] = field(default_factory=list)


def is_current(vector: list[float] | None) -> bool:
    """Whether a stored embedding has today's layout and model (else the backfill redoes it)."""
    if vector is None or len(vector) != embedding.EMBEDDING_SIZE:
        return False
    layout = embedding.read_layout(vector)
    return (
        layout.layout == embedding.EMBEDDING_LAYOUT
        and layout.revision == embedding.model_revision()
    )


async def _rebuild(blobs: BlobStore, row: Any) -> tuple[float, ...]:
    decoded = await decode_stored(blobs, row["blob_key"])
    return await asyncio.to_thread(_embedding_of, decoded.samples, decoded.sample_rate, row)


def _embedding_of(samples: Any, rate: int, row: Any) -> tuple[float, ...]:
    inputs = embedding.EmbeddingInputs(
        measurement=measure_similarity((samples, rate)),
        tempo_bpm=row["tempo_bpm"],
        tonality=row["tonality"],
        harmonic_percussive_ratio=row["harmonic_percussive_ratio"],
        has_key=row["has_key"],
    )
    return embedding.build_embedding(inputs)


async def backfill_embeddings(
    auditor: asyncpg.Connection,
    pool: asyncpg.Pool,
    blobs: BlobStore,
    *,
    limit: int,
    user_id: uuid.UUID | None = None,
) -> EmbeddingBackfill:
    """Rebuild up to `limit` embeddings (of one producer's library, or all) that are not of
    the current layout and model."""
    report = EmbeddingBackfill()
    after: tuple[datetime.datetime, uuid.UUID] = (_EPOCH, _NIL)
    began = await auditor.fetchval("select now()")
    while report.written + len(report.failed) < limit:
        rows = await auditor.fetch(ANALYSED_AFTER, *after, _PAGE, user_id, began)
        if not rows:
            break
        after = (rows[-1]["created_at"], rows[-1]["sample_id"])
        for row in rows:
            if report.written + len(report.failed) >= limit:
                break
            if is_current(row["embedding"]):
                report.current += 1
                continue
            try:
                vector = await _rebuild(blobs, row)
            except (BlobNotFound, UndecodableAudio) as exc:
                report.failed.append((row["sample_id"], f"{type(exc).__name__}: {exc}"))
                continue
            async with tenant_tx(pool, row["user_id"]) as conn:
                stored = await conn.fetchval(
                    STORE_EMBEDDING, row["sample_id"], row["created_at"], list(vector)
                )
            if stored:
                report.written += 1
    log.info("embeddings backfilled", extra={"written": report.written})
    return report
