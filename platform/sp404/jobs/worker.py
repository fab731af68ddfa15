"""The worker loop: wake on LISTEN/NOTIFY (poll as a fallback), claim a batch, run it, renew
leases while it runs, and on SIGTERM finish the batch in hand before leaving."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Awaitable, Callable

import asyncpg

from sp404.jobs.queue import ClaimedJob, claim_jobs, fail_job, renew_leases
from sp404.observability import JOB_METRICS

log = logging.getLogger("worker")

# A handler processes a whole claimed batch of one kind (a GPU wants many clips at once) and
# completes each job itself, in the job owner's transaction, together with its results.
BatchHandler = Callable[[asyncpg.Pool, list[ClaimedJob], str], Awaitable[None]]

LEASE_S = 60
POLL_S = 5.0


async def _keep_leases(
    pool: asyncpg.Pool, worker_id: str, jobs: list[ClaimedJob], lease_s: int
) -> None:
    while True:
        await asyncio.sleep(lease_s / 3)
        await renew_leases(pool, worker_id=worker_id, job_ids=[j.id for j in jobs], lease_s=lease_s)


async def run_batch(
    pool: asyncpg.Pool,
    worker_id: str,
    jobs: list[ClaimedJob],
    handlers: dict[str, BatchHandler],
    *,
    lease_s: int = LEASE_S,
) -> None:
    """Run claimed jobs grouped by kind; a failing batch fails each of its jobs for retry."""
    renewer = asyncio.create_task(_keep_leases(pool, worker_id, jobs, lease_s))
    try:
        for kind in sorted({job.kind for job in jobs}):
            batch = [job for job in jobs if job.kind == kind]
            started = time.perf_counter()
            try:
                await handlers[kind](pool, batch, worker_id)
            except Exception as exc:  # a handler bug must not kill the worker
                JOB_METRICS.observe_batch(kind, len(batch), time.perf_counter() - started, ok=False)
                log.exception("batch failed", extra={"kind": kind, "jobs": len(batch)})
                for job in batch:
                    error = f"{type(exc).__name__}: {exc}"
                    await fail_job(pool, job, worker_id=worker_id, error=error)
            else:
                JOB_METRICS.observe_batch(kind, len(batch), time.perf_counter() - started, ok=True)
    finally:
        renewer.cancel()


async def process_jobs(
    pool: asyncpg.Pool,
    listen_dsn: str,
    handlers: dict[str, BatchHandler],
    *,
    worker_id: str,
    batch_size: int,
    stopping: asyncio.Event,
    lease_s: int = LEASE_S,
) -> None:
    """Claim and run batches of the handled kinds until `stopping` is set; the batch in hand is
    always finished first. Wakes on NOTIFY and polls every POLL_S as a fallback."""
    wake = asyncio.Event()
    listener = await asyncpg.connect(listen_dsn)
    await listener.add_listener("sp404_jobs", lambda *_: wake.set())
    kinds = sorted(handlers)
    log.info("worker started", extra={"worker_id": worker_id, "kinds": kinds})
    try:
        while not stopping.is_set():
            jobs = (
                await claim_jobs(
                    pool, worker_id=worker_id, kinds=kinds, limit=batch_size, lease_s=lease_s
                )
                if kinds
                else []
            )
            if jobs:
                await run_batch(pool, worker_id, jobs, handlers, lease_s=lease_s)
                continue
            wake.clear()
            waiters = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stopping.wait())]
            await asyncio.wait(waiters, timeout=POLL_S, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
    finally:
        log.info("worker stopping", extra={"worker_id": worker_id})
        await listener.close()


def new_worker_id() -> str:
    """A worker id that names the host and process, for leases and logs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def start_job_loop(
    pool: asyncpg.Pool,
    listen_dsn: str,
    handlers: dict[str, BatchHandler],
    *,
    name: str,
    batch_size: int = 1,
) -> Callable[[], Awaitable[None]]:
    """Run `process_jobs` as a background task of a service; returns the shutdown to await.

    Shutting down cancels a batch in progress: its lease runs out and another instance takes it.
    """
    stopping = asyncio.Event()
    task = asyncio.create_task(
        process_jobs(
            pool,
            listen_dsn,
            handlers,
            worker_id=new_worker_id(),
            batch_size=batch_size,
            stopping=stopping,
        ),
        name=name,
    )

    async def stop() -> None:
        stopping.set()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)

    return stop
