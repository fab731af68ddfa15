"""Drill: kill a worker (SIGKILL) in the middle of a batch. Its leases expire, another worker
takes the jobs, and every job finishes exactly once: one feature row per sample, none dead.

    .venv/bin/python -m drills.worker_kill
"""

from __future__ import annotations

import asyncio
import random
import time

import aiohttp

from drills.common import Verdict, count_blobs, count_rows, sign_in
from drills.setup import drill_stack
from loadtests.journey import multipart, wav_clip
from loadtests.seed import Producer
from loadtests.stack import Stack, Topology, find

CLIPS = 24
BATCH = 8
LEASE_S = 6
FINISH_WITHIN_S = 240.0


async def upload_clips(base: str, token: str, count: int, seconds: float = 2.0) -> list[int]:
    """Upload `count` distinct clips through the gateway, four at a time; returns statuses."""
    rnd = random.Random(7)  # noqa: S311 - test audio, not secrets
    clips = [wav_clip(rnd, seconds) for _ in range(count)]
    gate = asyncio.Semaphore(4)
    headers = {"Authorization": f"Bearer {token}"}

    async def one(session: aiohttp.ClientSession, n: int) -> int:
        body, content_type = multipart(clips[n], f"clip-{n}.wav", f"drill clip {n}")
        async with (
            gate,
            session.post(
                f"{base}/api/samples", data=body, headers={**headers, "Content-Type": content_type}
            ) as response,
        ):
            await response.read()
            return response.status

    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        return list(await asyncio.gather(*(one(session, n) for n in range(count))))


def _drill(verdict: Verdict, stack: Stack, producers: list[Producer]) -> None:
    settings = stack.settings
    gateway = find(stack, "gateway1")

    async def prepare() -> list[int]:
        async with aiohttp.ClientSession() as session:
            token, _ = await sign_in(session, gateway.url, producers[0])
        return await upload_clips(gateway.url, token, CLIPS)

    statuses = asyncio.run(prepare())
    verdict.check("every upload was accepted", statuses == [201] * CLIPS)
    jobs_sql = "select count(*) from app.processing_jobs where status = $1"
    lease = {"SP404_WORKER_LEASE_S": str(LEASE_S)}
    first = stack.worker(BATCH, **lease)
    # Kill it the moment it holds a batch (torch import first: allow a minute).
    deadline = time.monotonic() + 60
    running = 0
    while time.monotonic() < deadline and running == 0:
        running = asyncio.run(count_rows(settings, jobs_sql, "running"))
        time.sleep(0.05)
    stack.kill(first)
    killed_at = time.monotonic()
    done_before = asyncio.run(count_rows(settings, jobs_sql, "done"))
    verdict.check("the worker was killed holding a batch", running > 0)
    verdict.figure("jobs running / done when killed", f"{running} / {done_before}")

    stack.worker(BATCH, **lease)
    finished_at = None
    deadline = time.monotonic() + FINISH_WITHIN_S
    while time.monotonic() < deadline:
        open_jobs = asyncio.run(
            count_rows(settings, "select count(*) from app.processing_jobs where status in"
                       " ('queued', 'running')")
        )  # fmt: skip
        if open_jobs == 0:
            finished_at = time.monotonic()
            break
        time.sleep(0.5)

    async def tally() -> dict[str, int]:
        return {
            "samples": await count_rows(settings, "select count(*) from app.samples"),
            "features": await count_rows(settings, "select count(*) from app.audio_features"),
            "done": await count_rows(settings, jobs_sql, "done"),
            "dead": await count_rows(settings, jobs_sql, "dead"),
            "retaken": await count_rows(
                settings, "select count(*) from app.processing_jobs where attempts > 1"
            ),
        }

    counts = asyncio.run(tally())
    verdict.check(f"all jobs finished within {FINISH_WITHIN_S:.0f} s", finished_at is not None)
    verdict.check("every job is done, none dead", counts["done"] == CLIPS and counts["dead"] == 0)
    verdict.check(
        "one feature row per sample (nothing lost, nothing twice)",
        counts["features"] == counts["samples"] == CLIPS,
    )
    verdict.check("one blob per uploaded sample", count_blobs(settings) == CLIPS)
    verdict.figure("samples / feature rows / done / dead",
                   f"{counts['samples']} / {counts['features']} / {counts['done']} /"
                   f" {counts['dead']}")  # fmt: skip
    verdict.figure("jobs taken more than once", counts["retaken"])
    if finished_at is not None:
        verdict.figure("kill to all done, s", f"{finished_at - killed_at:.1f} (lease {LEASE_S} s)")


def run() -> Verdict:
    """Run the drill once; never raises (a crash is a FAIL with the reason)."""
    verdict = Verdict("worker killed mid-batch")
    topology = Topology(platforms=1, engines=1, workers=0)
    try:
        with drill_stack("sp404_drill_worker", users=1, samples_each=0, topology=topology) as (
            stack,
            producers,
        ):
            _drill(verdict, stack, producers)
    except Exception as exc:
        verdict.check(f"drill ran to the end ({type(exc).__name__}: {exc})", False)
    return verdict


if __name__ == "__main__":
    result = run()
    print(result.report())
    raise SystemExit(0 if result.passed else 1)
