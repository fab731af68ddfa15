"""Drill: kill the engine under load. The gateway must answer engine routes with a fast 503,
sign-in and account routes must keep working, no request may hang past its timeout, and engine
routes must recover once the engine is back.

    .venv/bin/python -m drills.engine_kill
"""

from __future__ import annotations

import asyncio
import time

import aiohttp

from drills.common import NO_ANSWER, Answer, Verdict, histogram, p95, sign_in, traffic
from drills.setup import drill_stack
from loadtests.seed import Producer
from loadtests.stack import Stack, find

LOAD_S = 4.0
OUTAGE_S = 6.0
AFTER_S = 15.0
GATEWAY_TIMEOUT_S = 10.0  # SP404_GATEWAY_DEFAULT_TIMEOUT_S's default
IN_FLIGHT_S = 1.0  # how long after the kill a request may still have been inside the engine


async def _drill(verdict: Verdict, stack: Stack, producers: list[Producer]) -> None:
    gateway = find(stack, "gateway1")
    engine = find(stack, "engine1")
    async with aiohttp.ClientSession() as session:
        token, _ = await sign_in(session, gateway.url, producers[0])
    engine_paths = ["/api/samples?limit=20", "/api/jobs?limit=5"]
    platform_paths = ["/api/account/profile", "/api/billing/subscription"]
    answers: list[Answer] = []
    total = LOAD_S + OUTAGE_S + AFTER_S
    load = asyncio.gather(
        traffic(gateway.url, token, engine_paths, seconds=total, answers=answers),
        traffic(gateway.url, token, platform_paths, seconds=total, concurrency=4,
                answers=answers),
    )  # fmt: skip
    task = asyncio.ensure_future(load)
    await asyncio.sleep(LOAD_S)
    killed_at = time.monotonic()
    await asyncio.to_thread(stack.kill, engine)
    await asyncio.sleep(1.0)
    try:
        async with aiohttp.ClientSession() as session:
            await sign_in(session, gateway.url, producers[0], index=1)
        signed_in = True
    except (RuntimeError, aiohttp.ClientError):
        signed_in = False
    await asyncio.sleep(OUTAGE_S - 1.0)
    restart_at = time.monotonic()
    await asyncio.to_thread(stack.start, engine)
    back_at = time.monotonic()
    await task

    during = [a for a in answers if killed_at <= a.sent < restart_at]
    engine_during = [a for a in during if a.path in engine_paths]
    platform_during = [a for a in during if a.path in platform_paths]
    failed_engine = [a for a in engine_during if a.status != 200]
    recovered = [a for a in answers if a.path in engine_paths and a.sent >= back_at and
                 a.status == 200]  # fmt: skip
    first_ok = min((a.sent for a in recovered), default=None)
    # Requests already inside the engine when it died get 502 (they reached it, so they are not
    # retried); everything sent after the crash must be a clean 503.
    settled = {a.status for a in failed_engine if a.sent > killed_at + IN_FLIGHT_S}
    crashed = {a.status for a in failed_engine if a.sent <= killed_at + IN_FLIGHT_S}
    verdict.check(
        "engine routes answer 503 while the engine is down (502 only for those in flight)",
        bool(failed_engine) and settled <= {503} and crashed <= {502, 503},
    )
    verdict.check("those 503s are fast (p95 < 1 s)", p95([a.elapsed for a in failed_engine]) < 1.0)
    verdict.check("sign-in works while the engine is down", signed_in)
    platform_ok = bool(platform_during) and all(a.status == 200 for a in platform_during)
    verdict.check("account and billing routes stay 200", platform_ok)
    verdict.check("no request hangs past the gateway timeout",
                  max(a.elapsed for a in answers) < GATEWAY_TIMEOUT_S + 2)  # fmt: skip
    verdict.check("engine routes recover after the restart", first_ok is not None)
    verdict.check("no request went unanswered", all(a.status != NO_ANSWER for a in answers))
    verdict.figure("requests", len(answers))
    verdict.figure("engine answers during outage", histogram(engine_during))
    verdict.figure("platform answers during outage", histogram(platform_during))
    verdict.figure("503 p95 ms", f"{p95([a.elapsed for a in failed_engine]) * 1000:.1f}")
    verdict.figure("slowest request s", f"{max(a.elapsed for a in answers):.2f}")
    verdict.figure("engine restart took s", f"{back_at - restart_at:.1f}")
    if first_ok is not None:
        verdict.figure("first engine 200 after healthy, s", f"{first_ok - back_at:.2f}")


def run() -> Verdict:
    """Run the drill once; never raises (a crash is a FAIL with the reason)."""
    verdict = Verdict("engine killed under load")
    try:
        with drill_stack("sp404_drill_engine", users=1) as (stack, producers):
            asyncio.run(_drill(verdict, stack, producers))
    except Exception as exc:
        verdict.check(f"drill ran to the end ({type(exc).__name__}: {exc})", False)
    return verdict


if __name__ == "__main__":
    result = run()
    print(result.report())
    raise SystemExit(0 if result.passed else 1)
