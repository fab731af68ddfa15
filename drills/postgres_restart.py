"""Drill: PostgreSQL goes away under load, twice: a clean restart (`pg_ctl restart -m fast`) and a
crash (`pg_ctl stop -m immediate`, then start, which replays the WAL). Pools must recover on
their own, no 5xx may appear outside the outage windows, refusals inside them must be fast 503s,
no request may hang past the gateway's timeout, and nothing acknowledged may be lost.

The cluster is the drill's own (see drills/private_postgres.py): nobody else's database is touched.

    .venv/bin/python -m drills.postgres_restart
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass

import aiohttp

from drills.common import NO_ANSWER, Answer, Verdict, count_rows, histogram, p95, sign_in, traffic
from drills.private_postgres import Cluster, private_cluster
from drills.setup import drill_stack
from loadtests.seed import Producer
from loadtests.stack import Stack, find, private_redis
from sp404.core.settings import Settings, get_settings

BEFORE_S = 4.0
BETWEEN_S = 10.0
CRASH_DOWN_S = 3.0  # how long the crashed server stays down before it is started again
AFTER_S = 10.0
# Pools notice dead connections on their next use; allow this long after the server is back.
GRACE_S = 3.0
GATEWAY_TIMEOUT_S = 10.0  # SP404_GATEWAY_DEFAULT_TIMEOUT_S's default
FAST_S = 1.0  # a refusal slower than this is not "fast"
# What a user owns that the drill must find again afterwards (read as the auditor).
COUNTS = {
    "users": "select count(*) from app.users",
    "samples": "select count(*) from app.samples",
    "audio_features": "select count(*) from app.audio_features",
    "subscriptions": "select count(*) from app.subscriptions",
    "usage_counters": "select count(*) from app.usage_counters",
}
READS = ["/api/samples?limit=20", "/api/account/profile", "/api/billing/subscription"]
WRITE = "/api/collections"


@dataclass(frozen=True)
class Outage:
    """One planned outage: how it was caused and when the server was down and back."""

    name: str
    down_at: float
    up_at: float
    ok: bool

    def holds(self, answer: Answer) -> bool:
        """Whether the request was in flight during this outage's window (plus the grace)."""
        return answer.sent <= self.up_at + GRACE_S and answer.sent + answer.elapsed >= self.down_at


async def _writes(
    base: str, token: str, deadline: float, answers: list[Answer], acked: list[uuid.UUID]
) -> None:
    """Create collections one after another; every 201's id lands in `acked`."""
    headers = {"Authorization": f"Bearer {token}"}
    timeout = aiohttp.ClientTimeout(total=GATEWAY_TIMEOUT_S + 5)
    n = 0
    async with aiohttp.ClientSession(timeout=timeout) as session:
        while time.monotonic() < deadline:
            n += 1
            sent = time.monotonic()
            try:
                async with session.post(
                    f"{base}{WRITE}", json={"name": f"drill {n}"}, headers=headers
                ) as response:
                    body = await response.json(content_type=None)
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                status, body = NO_ANSWER, None
            answers.append(Answer(WRITE, sent, time.monotonic() - sent, status))
            if status == 201 and isinstance(body, dict):
                acked.append(uuid.UUID(body["id"]))
            await asyncio.sleep(0.1 if status else 0.05)


async def _counts(settings: Settings) -> dict[str, int]:
    return {table: await count_rows(settings, sql) for table, sql in COUNTS.items()}


async def _restart(cluster: Cluster) -> Outage:
    down_at = time.monotonic()
    done = await asyncio.to_thread(cluster.pg_ctl, "-w", "-t", "60", "-m", "fast", "restart")
    return Outage("restart -m fast", down_at, time.monotonic(), done.returncode == 0)


async def _crash(cluster: Cluster) -> Outage:
    down_at = time.monotonic()
    stopped = await asyncio.to_thread(cluster.pg_ctl, "-w", "-m", "immediate", "stop")
    await asyncio.sleep(CRASH_DOWN_S)
    started = await asyncio.to_thread(cluster.pg_ctl, "-w", "-t", "60", "start")
    return Outage("crash + start", down_at, time.monotonic(),
                  stopped.returncode == 0 and started.returncode == 0)  # fmt: skip


async def _drill(
    verdict: Verdict, stack: Stack, producers: list[Producer], cluster: Cluster
) -> None:
    settings = stack.settings
    gateway = find(stack, "gateway1")
    async with aiohttp.ClientSession() as session:
        token, _ = await sign_in(session, gateway.url, producers[0])
    before = await _counts(settings)
    answers: list[Answer] = []
    acked: list[uuid.UUID] = []
    deadline = time.monotonic() + BEFORE_S + BETWEEN_S + AFTER_S + 120
    load = asyncio.ensure_future(
        asyncio.gather(
            traffic(gateway.url, token, READS, seconds=deadline - time.monotonic(),
                    concurrency=4, timeout_s=GATEWAY_TIMEOUT_S + 5, answers=answers),
            _writes(gateway.url, token, deadline, answers, acked),
        )
    )  # fmt: skip
    await asyncio.sleep(BEFORE_S)
    outages = [await _restart(cluster)]
    await asyncio.sleep(BETWEEN_S)
    outages.append(await _crash(cluster))
    await asyncio.sleep(AFTER_S)
    load.cancel()
    await asyncio.gather(load, return_exceptions=True)

    after = await _counts(settings)
    stored = await count_rows(
        settings, "select count(*) from app.collections where id = any($1::uuid[])", acked
    )
    attempted = sum(1 for a in answers if a.path == WRITE)
    all_collections = await count_rows(settings, "select count(*) from app.collections")

    inside = [a for a in answers if any(o.holds(a) for o in outages)]
    outside = [a for a in answers if not any(o.holds(a) for o in outages)]
    refused = [a for a in inside if a.status != 200 and a.status != 201]
    verdict.check("both outages happened (pg_ctl succeeded)", all(o.ok for o in outages))
    verdict.check("no 5xx outside the outage windows", all(a.status < 500 for a in outside))
    verdict.check("refusals inside the windows are 503 (never 500)",
                  all(a.status == 503 for a in refused))  # fmt: skip
    verdict.check(f"refusals are fast (p95 < {FAST_S:.0f} s)",
                  p95([a.elapsed for a in refused]) < FAST_S)  # fmt: skip
    verdict.check("no request hangs past the gateway timeout",
                  max(a.elapsed for a in answers) < GATEWAY_TIMEOUT_S + 2)  # fmt: skip
    verdict.check("no request went unanswered", all(a.status != NO_ANSWER for a in answers))
    last = outages[-1].up_at + GRACE_S
    recovered = [a for a in answers if a.sent > last]
    verdict.check("pools recovered on their own: everything after the last window is 2xx",
                  bool(recovered) and all(a.status in (200, 201) for a in recovered))  # fmt: skip
    verdict.check("seeded rows unchanged (users, samples, features, subscriptions, usage)",
                  before == after)  # fmt: skip
    verdict.check("every acknowledged write (201) is still there", stored == len(acked))
    verdict.check("no write stored twice (rows <= writes sent)", all_collections <= attempted)

    for outage in outages:
        window = [a for a in answers if outage.holds(a)]
        first_ok = min((a.sent for a in answers if a.sent > outage.up_at and
                        a.status in (200, 201)), default=None)  # fmt: skip
        figures = (
            f"down {outage.up_at - outage.down_at:.1f} s; answers {histogram(window)}; "
            f"p95 {p95([a.elapsed for a in window]) * 1000:.0f} ms"
        )
        if first_ok is not None:
            figures += f"; first 2xx {first_ok - outage.up_at:.2f} s after it was back"
        verdict.figure(outage.name, figures)
    verdict.figure("answers outside the windows", histogram(outside))
    verdict.figure("slowest request s", f"{max(a.elapsed for a in answers):.2f}")
    verdict.figure("writes attempted / acknowledged / found", f"{attempted} / {len(acked)} /"
                   f" {stored} (collections in table: {all_collections})")  # fmt: skip
    verdict.figure("PostgreSQL", f"private {cluster.version} cluster on port {cluster.port}")


def run() -> Verdict:
    """Run the drill once on a private cluster; never raises (a crash is a FAIL with the reason)."""
    verdict = Verdict("PostgreSQL restarted and crashed under load")
    try:
        with (
            private_redis() as (redis_url, _),
            private_cluster(get_settings()) as cluster,
            drill_stack(
                "sp404_drill_postgres", users=1, redis_url=redis_url, database_port=cluster.port
            ) as (stack, producers),
        ):
            asyncio.run(_drill(verdict, stack, producers, cluster))
    except Exception as exc:
        verdict.check(f"drill ran to the end ({type(exc).__name__}: {exc})", False)
    return verdict


if __name__ == "__main__":
    result = run()
    print(result.report())
    raise SystemExit(0 if result.passed else 1)
