"""Drill: restart PostgreSQL under load. Pools must recover on their own, and no 500 may appear
outside the outage window (refusals during it must be 503s, quickly).

This restarts the SHARED local cluster (`pg_ctlcluster --skip-systemctl-redirect 15 main
restart`, as root): everyone's database on this machine goes away for a few seconds. It refuses
to run without --yes-restart-shared-postgres.

    .venv/bin/python drills/postgres_restart.py --yes-restart-shared-postgres
"""

from __future__ import annotations

import argparse
import asyncio
import subprocess
import time

import aiohttp

from drills.common import NO_ANSWER, Answer, Verdict, histogram, p95, sign_in, traffic
from drills.setup import drill_stack
from loadtests.seed import Producer
from loadtests.stack import Stack, find

RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
BEFORE_S = 4.0
AFTER_S = 15.0
# Pools notice dead connections on their next use; allow this long after the restart returns.
GRACE_S = 5.0


async def _drill(verdict: Verdict, stack: Stack, producers: list[Producer]) -> None:
    gateway = find(stack, "gateway1")
    async with aiohttp.ClientSession() as session:
        token, _ = await sign_in(session, gateway.url, producers[0])
    answers: list[Answer] = []
    paths = ["/api/samples?limit=20", "/api/account/profile", "/api/billing/subscription"]
    task = asyncio.ensure_future(
        traffic(gateway.url, token, paths, seconds=BEFORE_S + 60, concurrency=4, answers=answers)
    )
    await asyncio.sleep(BEFORE_S)
    down_at = time.monotonic()
    restart = await asyncio.to_thread(
        subprocess.run, RESTART, capture_output=True, timeout=120, check=False
    )
    up_at = time.monotonic()
    await asyncio.sleep(AFTER_S)
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)

    window_end = up_at + GRACE_S
    outside = [a for a in answers if a.sent < down_at or a.sent > window_end]
    inside = [a for a in answers if down_at <= a.sent <= window_end]
    after = [a for a in answers if a.sent > window_end]
    verdict.check("the cluster restarted", restart.returncode == 0)
    verdict.check("no 5xx outside the outage window", all(a.status < 500 for a in outside))
    verdict.check("no 500 even inside it (refusals are 503)",
                  all(a.status != 500 for a in inside))  # fmt: skip
    verdict.check("pools recovered: everything after the window is 200",
                  bool(after) and all(a.status == 200 for a in after))  # fmt: skip
    verdict.check("no request went unanswered", all(a.status != NO_ANSWER for a in answers))
    verdict.figure("restart took s", f"{up_at - down_at:.1f}")
    verdict.figure("answers in the window", histogram(inside))
    verdict.figure("answers outside it", histogram(outside))
    verdict.figure("p95 ms in the window", f"{p95([a.elapsed for a in inside]) * 1000:.0f}")
    first_ok = min((a.sent for a in answers if a.sent > up_at and a.status == 200), default=None)
    if first_ok is not None:
        verdict.figure("first 200 after the restart, s", f"{first_ok - up_at:.2f}")


def run(confirmed: bool = False) -> Verdict:
    """Run the drill once when `confirmed`; otherwise SKIP (it restarts the shared server)."""
    verdict = Verdict("PostgreSQL restarted under load")
    if not confirmed:
        verdict.skipped = "restarts the shared cluster; pass --yes-restart-shared-postgres"
        return verdict
    try:
        with drill_stack("sp404_drill_postgres", users=1) as (stack, producers):
            asyncio.run(_drill(verdict, stack, producers))
    except Exception as exc:
        verdict.check(f"drill ran to the end ({type(exc).__name__}: {exc})", False)
    return verdict


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--yes-restart-shared-postgres", action="store_true")
    args = parser.parse_args()
    result = run(args.yes_restart_shared_postgres)
    print(result.report())
    return 0 if result.passed or result.skipped else 1


if __name__ == "__main__":
    raise SystemExit(main())
