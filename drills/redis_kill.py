"""Drill: Redis dies. The stack runs on a private redis-server (never the shared one), which is
killed under load. The documented fallback must hold: limits fail open (no 429s, no 5xx, no
timeouts), sign-in still works, and a token revoked before the outage stays refused (each
gateway's local copy of the revocations it has seen).

    .venv/bin/python -m drills.redis_kill
"""

from __future__ import annotations

import asyncio
import time

import aiohttp

from drills.common import NO_ANSWER, Answer, Verdict, histogram, p95, sign_in, traffic
from drills.setup import SMALL, drill_stack
from loadtests.seed import Producer
from loadtests.stack import Stack, Topology, find, private_redis

# Low enough that the traffic below hits it while Redis is up: proof the limiter was on.
RATE_PER_MINUTE = 60
BEFORE_S = 5.0
OUTAGE_S = 10.0


async def _status(session: aiohttp.ClientSession, url: str, token: str) -> int:
    try:
        async with session.get(url, headers={"Authorization": f"Bearer {token}"}) as response:
            await response.read()
            return response.status
    except (aiohttp.ClientError, TimeoutError):
        return NO_ANSWER


async def _drill(verdict: Verdict, stack: Stack, producers: list[Producer], redis: object) -> None:
    gateway = find(stack, "gateway1")
    timeout = aiohttp.ClientTimeout(total=15)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        revoked, _ = await sign_in(session, gateway.url, producers[0], index=1)
        live, _ = await sign_in(session, gateway.url, producers[0], index=2)
        async with session.post(
            f"{gateway.url}/api/auth/logout", headers={"Authorization": f"Bearer {revoked}"}
        ) as response:
            logged_out = response.status
        # The gateway learns of the revocation on the next use of that token.
        before_revoked = await _status(session, f"{gateway.url}/api/samples", revoked)

    answers: list[Answer] = []
    paths = ["/api/samples?limit=20", "/api/account/profile", "/api/jobs?limit=5"]
    task = asyncio.ensure_future(
        traffic(gateway.url, live, paths, seconds=BEFORE_S + OUTAGE_S, concurrency=4,
                answers=answers)
    )  # fmt: skip
    await asyncio.sleep(BEFORE_S)
    killed_at = time.monotonic()
    redis.kill()  # type: ignore[attr-defined]
    await asyncio.sleep(1.0)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        during_revoked = await _status(session, f"{gateway.url}/api/samples", revoked)
        try:
            await sign_in(session, gateway.url, producers[0], index=3)
            signed_in = True
        except (RuntimeError, aiohttp.ClientError, TimeoutError):
            signed_in = False
        async with session.get(f"{find(stack, 'platform1').url}/readyz") as response:
            readiness = f"{response.status} {(await response.text())[:120]}"
    await task

    before = [a for a in answers if a.sent < killed_at]
    outage = [a for a in answers if a.sent >= killed_at + 0.5]
    verdict.check("logout succeeded and the gateway refused the token while Redis was up",
                  logged_out == 200 and before_revoked == 401)  # fmt: skip
    verdict.check("the limiter was enforcing before the outage (some 429s)",
                  any(a.status == 429 for a in before))  # fmt: skip
    verdict.check("limits fail open during the outage (every answer 200)",
                  bool(outage) and all(a.status == 200 for a in outage))  # fmt: skip
    verdict.check("no request slowed to a timeout (p95 < 1 s)",
                  p95([a.elapsed for a in outage]) < 1.0)  # fmt: skip
    verdict.check("the revoked token stays refused without Redis", during_revoked == 401)
    verdict.check("sign-in works without Redis", signed_in)
    verdict.figure("answers before", histogram(before))
    verdict.figure("answers during outage", histogram(outage))
    verdict.figure("outage p95 ms", f"{p95([a.elapsed for a in outage]) * 1000:.1f}")
    verdict.figure("platform /readyz during outage", readiness)


def run() -> Verdict:
    """Run the drill once; never raises (a crash is a FAIL with the reason)."""
    verdict = Verdict("private Redis killed under load")
    topology = Topology(
        platforms=SMALL.platforms,
        engines=SMALL.engines,
        workers=0,
        gateway_env={"SP404_GATEWAY_RATE_PER_MINUTE": str(RATE_PER_MINUTE)},
    )
    try:
        with (
            private_redis() as (url, redis),
            drill_stack("sp404_drill_redis", users=1, topology=topology, redis_url=url) as (
                stack,
                producers,
            ),
        ):
            asyncio.run(_drill(verdict, stack, producers, redis))
    except Exception as exc:
        verdict.check(f"drill ran to the end ({type(exc).__name__}: {exc})", False)
    return verdict


if __name__ == "__main__":
    result = run()
    print(result.report())
    raise SystemExit(0 if result.passed else 1)
