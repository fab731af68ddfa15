"""Drill: a producer one mebibyte short of their storage quota fires many uploads at once. The
quota must never be exceeded, the usage counter must equal what is stored, reservations must
be released, and every stored sample must have exactly one blob (nothing lost, nothing orphaned).

    .venv/bin/python -m drills.storage_fill
"""

from __future__ import annotations

import asyncio
import random
import uuid

import aiohttp

from drills.common import Verdict, count_blobs, count_partial_uploads, count_rows, sign_in
from drills.setup import drill_stack
from loadtests.journey import multipart, wav_clip
from loadtests.seed import Producer
from loadtests.stack import Stack, find
from sp404.core.db import create_pool, tenant_tx

HEADROOM = 1024 * 1024
PARALLEL = 20
CLIP_S = 2.3  # ~200 KB of 16-bit mono WAV: about five fit in the headroom


async def _preset_usage(stack: Stack, user_id: uuid.UUID, used: int) -> None:
    pool = await create_pool(stack.settings, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute("update app.usage_counters set storage_bytes = $1", used)
    finally:
        await pool.close()


async def _drill(verdict: Verdict, stack: Stack, producers: list[Producer]) -> None:
    settings = stack.settings
    gateway = find(stack, "gateway1")
    user_id = uuid.UUID(producers[0].user_id)
    limit = await count_rows(settings, "select storage_bytes from app.plans where id = 'pro'")
    preset = limit - HEADROOM
    await _preset_usage(stack, user_id, preset)
    rnd = random.Random(11)  # noqa: S311 - test audio, not secrets
    clips = [wav_clip(rnd, CLIP_S) for _ in range(PARALLEL)]
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        token, _ = await sign_in(session, gateway.url, producers[0])

        async def one(n: int) -> int:
            body, content_type = multipart(clips[n], f"fill-{n}.wav", f"fill {n}")
            headers = {"Authorization": f"Bearer {token}", "Content-Type": content_type}
            async with session.post(
                f"{gateway.url}/api/samples", data=body, headers=headers
            ) as response:
                text = await response.text()
                if response.status >= 300 and n == 0:
                    verdict.figure("first refusal", text[:300])
                return response.status

        statuses = await asyncio.gather(*(one(n) for n in range(PARALLEL)))

    async def value(sql: str) -> int:
        return await count_rows(settings, sql, user_id)

    stored = await value("select count(*) from app.samples where user_id = $1")
    stored_bytes = await value(
        "select coalesce(sum(size_bytes), 0) from app.samples where user_id = $1"
    )
    counter = await value("select storage_bytes from app.usage_counters where user_id = $1")
    reserved = await value("select reserved_bytes from app.usage_counters where user_id = $1")
    active = await value("select active_uploads from app.usage_counters where user_id = $1")
    blobs = count_blobs(settings, user_id)
    accepted = statuses.count(201)
    verdict.check("some uploads fit and were accepted", accepted > 0)
    verdict.check("the others were refused cleanly (4xx, never 5xx)",
                  all(s == 201 or 400 <= s < 500 for s in statuses))  # fmt: skip
    verdict.check("storage never exceeds the quota", counter <= limit)
    verdict.check("the counter equals what is stored", counter == preset + stored_bytes)
    verdict.check("reservations and upload slots are released", reserved == 0 and active == 0)
    verdict.check("one blob per sample, no unfinished upload files",
                  blobs == stored and count_partial_uploads(settings) == 0)  # fmt: skip
    answers: dict[int, int] = {}
    for status in statuses:
        answers[status] = answers.get(status, 0) + 1
    verdict.figure("answers", ", ".join(f"{s}x{n}" for s, n in sorted(answers.items())))
    verdict.figure("stored samples / blobs", f"{stored} / {blobs}")
    verdict.figure("headroom left, bytes", limit - counter)


def run() -> Verdict:
    """Run the drill once; never raises (a crash is a FAIL with the reason)."""
    verdict = Verdict("parallel uploads against a nearly full quota")
    try:
        with drill_stack("sp404_drill_storage", users=1, tier="pro", samples_each=0) as (
            stack,
            producers,
        ):
            asyncio.run(_drill(verdict, stack, producers))
    except Exception as exc:
        verdict.check(f"drill ran to the end ({type(exc).__name__}: {exc})", False)
    return verdict


if __name__ == "__main__":
    result = run()
    print(result.report())
    raise SystemExit(0 if result.passed else 1)
