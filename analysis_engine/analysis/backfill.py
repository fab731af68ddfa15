"""Waveform peaks for samples analysed before the engine drew them (`sp404 admin
backfill-waveforms`): decode each stored file once and write only its peaks, so nothing else of
the analysis changes and no analysis is counted against a plan.

The samples to do are listed as the auditor (BYPASSRLS, SELECT only: it crosses tenants); each
write goes through the owner's tenant transaction like the worker's, and never replaces peaks
that a re-analysis stored in the meantime.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from analysis_engine.analysis.stored_audio import decode_stored
from analysis_engine.features import UndecodableAudio
from analysis_engine.features.waveform import compute_peaks
from sp404.core.db import tenant_tx
from sp404.core.queries import load_queries
from sp404.storage import BlobNotFound, BlobStore

SQL = load_queries(Path(__file__).with_name("queries.sql"))
log = logging.getLogger("analysis.backfill")


@dataclass
class BackfillReport:
    """How a backfill went: peaks written, and samples left without them (with why)."""

    written: int = 0
    failed: list[tuple[uuid.UUID, str]] = field(default_factory=list)


async def _peaks(blobs: BlobStore, blob_key: str) -> bytes:
    decoded = await decode_stored(blobs, blob_key)
    return await asyncio.to_thread(compute_peaks, decoded.samples)


async def backfill_waveforms(
    auditor: asyncpg.Connection,
    pool: asyncpg.Pool,
    blobs: BlobStore,
    *,
    limit: int,
    user_id: uuid.UUID | None = None,
) -> BackfillReport:
    """Draw and store the peaks of up to `limit` analysed samples that have none (of one
    producer with `user_id`, else of every producer)."""
    report = BackfillReport()
    for row in await auditor.fetch(SQL["samples_without_waveform"], limit, user_id):
        try:
            peaks = await _peaks(blobs, row["blob_key"])
        except (BlobNotFound, UndecodableAudio) as exc:
            report.failed.append((row["sample_id"], f"{type(exc).__name__}: {exc}"))
            continue
        async with tenant_tx(pool, row["user_id"]) as conn:
            stored = await conn.fetchval(SQL["store_waveform"], row["sample_id"], peaks)
        if stored:
            report.written += 1
    log.info("waveforms backfilled", extra={"written": report.written})
    return report
