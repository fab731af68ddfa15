"""`sp404 worker`: the analysis worker process (the only process that imports torch)."""

from __future__ import annotations

import asyncio
import signal

import asyncpg

from analysis_engine.analysis.pipeline import WorkerContext, analyze_batch
from analysis_engine.vibe import aclose_clients
from sp404.core.db import create_pool
from sp404.core.settings import WorkerSettings
from sp404.jobs import ClaimedJob, new_worker_id, process_jobs
from sp404.storage import create_blob_store


async def run_analysis_worker(settings: WorkerSettings, *, batch_size: int = 16) -> None:
    """Analyse queued samples in batches until SIGTERM/SIGINT (the batch in hand finishes)."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    pool = await create_pool(settings, min_size=1, max_size=4)
    blobs = create_blob_store(settings)
    ctx = WorkerContext(pool, blobs, settings)

    async def analyze(_: asyncpg.Pool, jobs: list[ClaimedJob], worker_id: str) -> None:
        await analyze_batch(ctx, jobs, worker_id)

    try:
        await process_jobs(
            pool,
            settings.database_url,
            {"analyze": analyze},
            worker_id=new_worker_id(),
            batch_size=batch_size,
            stopping=stopping,
            lease_s=settings.worker_lease_s,
        )
    finally:
        await aclose_clients()
        await blobs.aclose()
        await pool.close()
