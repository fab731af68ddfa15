"""Login latency (hashing included) with 1 and 4 concurrent clients, against a real platform
process, next to the cost of one Argon2id verification measured in the same run.

    .venv/bin/python benchmarks/bench_login.py [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time

import httpx

from benchmarks.stack import (
    bench_settings,
    create_verified_users,
    fresh_database,
    percentile,
    service,
)
from sp404.accounts.passwords import hash_password, verify_password

PASSWORD = "a benchmark passphrase"


async def _logins(url: str, emails: list[str], requests: int, concurrency: int) -> list[float]:
    timings: list[float] = []
    queue = list(range(requests))

    async def client() -> None:
        async with httpx.AsyncClient(base_url=url, timeout=30) as http:
            while queue:
                queue.pop()
                email = random.choice(emails)
                ip = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.7"
                started = time.perf_counter()
                response = await http.post(
                    "/api/auth/login",
                    headers={"X-Forwarded-For": ip},
                    json={"email": email, "password": PASSWORD},
                )
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.text

    await asyncio.gather(*(client() for _ in range(concurrency)))
    return timings


async def _hash_baseline(rounds: int = 20) -> float:
    stored = await hash_password(PASSWORD)
    started = time.perf_counter()
    for _ in range(rounds):
        await verify_password(stored, PASSWORD)
    return (time.perf_counter() - started) * 1000 / rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    settings = bench_settings()
    asyncio.run(fresh_database(settings))
    users = asyncio.run(create_verified_users(settings, 20, PASSWORD))
    emails = [email for _, email in users]
    argon_ms = asyncio.run(_hash_baseline())
    with service("platform", settings) as (url, _):
        asyncio.run(_logins(url, emails, 20, 1))  # warm-up
        print(f"argon2id verify alone (baseline): {argon_ms:.1f} ms")
        for concurrency in (1, 4):
            timings = asyncio.run(_logins(url, emails, args.requests, concurrency))
            p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
            print(
                f"login, {concurrency} concurrent: p50 {p50:.1f} ms  p95 {p95:.1f} ms  "
                f"(p50 = {p50 / argon_ms:.1f}x one hash; target p95 < 100 ms at 4)"
            )


if __name__ == "__main__":
    main()
