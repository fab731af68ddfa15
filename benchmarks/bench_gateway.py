"""The gateway's cost: the same requests straight to a backend and through the gateway.

Usage: python benchmarks/bench_gateway.py [--redis redis://127.0.0.1:6379/14] [--quick]

Starts real processes on loopback: a trivial backend (the echo stub of tests/gateway, which also
serves the JWKS as the "platform"), and `sp404 serve gateway` in front of it, against the dev
database (`sp404 db migrate` first) and a Redis database of its own. The client runs in this
process, on the same cores, so absolute numbers understate a real deployment; the ratios and
the differences between direct and gateway runs, measured in the same run, are the figures.

Targets: <= 1.0 ms gateway CPU per request, added p50 <= 2 ms unloaded, p99 <= 15 ms at
200 req/s, verification <= 150 us cold and <= 10 us cached, upload >= 60 % of direct speed
with flat gateway memory.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

import aiohttp  # noqa: E402

from sp404 import tokens  # noqa: E402
from sp404.core.settings import get_settings  # noqa: E402
from tests.support import free_port  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
MIB = 1024 * 1024


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def wait_for(url: str, process: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url} exited with {process.returncode}")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise TimeoutError(url)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def sequential(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], n: int
) -> list[float]:
    latencies = []
    for _ in range(n):
        started = time.perf_counter()
        async with session.get(url, headers=headers) as response:
            await response.read()
            assert response.status == 200, response.status
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


async def open_loop(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], rate: int, seconds: float
) -> tuple[list[float], int]:
    """Requests sent on a fixed schedule; latency counts from the scheduled time."""
    interval = 1 / rate
    start = time.perf_counter() + 0.05
    latencies: list[float] = []
    errors = 0

    async def one(scheduled: float) -> None:
        nonlocal errors
        await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
        try:
            async with session.get(url, headers=headers) as response:
                await response.read()
                if response.status != 200:
                    errors += 1
        except aiohttp.ClientError:
            errors += 1
        latencies.append((time.perf_counter() - scheduled) * 1000)

    await asyncio.gather(*(one(start + i * interval) for i in range(int(rate * seconds))))
    return latencies, errors


async def closed_loop(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], workers: int, seconds: float
) -> int:
    deadline = time.perf_counter() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            async with session.get(url, headers=headers) as response:
                await response.read()
            done += 1

    await asyncio.gather(*(worker() for _ in range(workers)))
    return done


async def upload(
    session: aiohttp.ClientSession, url: str, headers: dict[str, str], mib: int
) -> float:
    block = os.urandom(MIB)

    async def body() -> AsyncIterator[bytes]:
        for _ in range(mib):
            yield block

    started = time.perf_counter()
    async with session.post(
        url, data=body(), headers={**headers, "Content-Length": str(mib * MIB)}
    ) as response:
        result = await response.json()
    elapsed = time.perf_counter() - started
    assert result["body_length"] == mib * MIB, result
    return mib / elapsed


async def verification_us(quick: bool) -> tuple[float, float]:
    settings = get_settings()
    with tempfile.TemporaryDirectory() as directory:
        ring = tokens.generate(Path(directory) / "keys")
        verifier = tokens.AccessTokenVerifier(
            tokens.JwksCache.from_keyring(ring),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
        )
        n = 300 if quick else 1000
        fresh = [
            tokens.issue_access_token(
                ring, user_id=uuid.uuid4(), email="b@example.com", tier="pro", verified=True,
                issuer=settings.jwt_issuer, audience=settings.jwt_audience,
            )[0]
            for _ in range(n + 50)
        ]  # fmt: skip
        for token in fresh[:50]:
            await verifier.verify(token)
        started = time.perf_counter()
        for token in fresh[50:]:
            await verifier.verify(token)
        cold = (time.perf_counter() - started) / n * 1e6
        started = time.perf_counter()
        for _ in range(20 * n):
            await verifier.verify(fresh[-1])
        cached = (time.perf_counter() - started) / (20 * n) * 1e6
    return cold, cached


def start_processes(
    jwks: Path, redis_url: str, log_level: str
) -> tuple[subprocess.Popen[bytes], str, subprocess.Popen[bytes], str]:
    """The backend stub and a gateway in front of it, as child processes."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)])}
    backend_port, gateway_port = free_port(), free_port()
    backend = subprocess.Popen(
        [sys.executable, "-m", "tests.gateway.stub_upstream", "--port", str(backend_port),
         "--jwks", str(jwks)],
        cwd=ROOT, env=env,
    )  # fmt: skip
    backend_url = f"http://127.0.0.1:{backend_port}"
    gateway_env = {
        **env,
        "SP404_PLATFORM_URLS": json.dumps([backend_url]),
        "SP404_ENGINE_URLS": json.dumps([backend_url]),
        "SP404_REDIS_URL": redis_url,
        "SP404_LOG_LEVEL": log_level,
        # The limits are measured (their Redis round trip is in every request), never hit.
        "SP404_GATEWAY_RATE_PER_MINUTE": str(10**9),
    }
    gateway = subprocess.Popen(
        [sys.executable, "-m", "sp404.cli.main", "serve", "gateway", "--port", str(gateway_port)],
        cwd=ROOT, env=gateway_env, stderr=subprocess.DEVNULL if log_level == "INFO" else None,
    )  # fmt: skip
    return backend, backend_url, gateway, f"http://127.0.0.1:{gateway_port}"


async def run(redis_url: str, quick: bool, log_level: str) -> None:
    settings = get_settings()
    work = Path(tempfile.mkdtemp(prefix="bench-gateway-"))
    ring = tokens.generate(work / "keys")
    (work / "jwks.json").write_text(json.dumps(tokens.build_jwks(ring)))
    token, _ = tokens.issue_access_token(
        ring, user_id=uuid.uuid4(), email="bench@example.com", tier="enterprise", verified=True,
        issuer=settings.jwt_issuer, audience=settings.jwt_audience, ttl=3600,
    )  # fmt: skip
    auth = {"Authorization": f"Bearer {token}"}
    backend, backend_url, gateway, gateway_url = start_processes(
        work / "jwks.json", redis_url, log_level
    )
    try:
        wait_for(f"{backend_url}/__stats", backend)
        wait_for(f"{gateway_url}/healthz", gateway)
        direct = f"{backend_url}/api/samples"
        through = f"{gateway_url}/api/samples"
        n = 300 if quick else 1500
        connector = aiohttp.TCPConnector(limit=256)
        async with aiohttp.ClientSession(connector=connector) as session:
            await sequential(session, direct, auth, 100)
            await sequential(session, through, auth, 100)

            print(f"gateway bench ({'quick' if quick else 'full'}), log level {log_level}")
            # Interleaved rounds so drift on a shared machine hits both sides alike.
            direct_ms: list[float] = []
            gateway_ms: list[float] = []
            for _ in range(5):
                direct_ms += await sequential(session, direct, auth, n // 5)
                gateway_ms += await sequential(session, through, auth, n // 5)
            d50, g50 = statistics.median(direct_ms), statistics.median(gateway_ms)
            d99, g99 = percentile(direct_ms, 0.99), percentile(gateway_ms, 0.99)
            print(f"unloaded   direct p50 {d50:.2f} ms p99 {d99:.2f} ms | gateway p50 {g50:.2f} ms"
                  f" p99 {g99:.2f} ms | added p50 {g50 - d50:.2f} ms (target <= 2)")  # fmt: skip

            cpu_before = cpu_seconds(gateway.pid)
            backend_before = cpu_seconds(backend.pid)
            count = await closed_loop(session, through, auth, 16, 3 if quick else 6)
            gw_cpu_ms = (cpu_seconds(gateway.pid) - cpu_before) / count * 1000
            be_cpu_ms = (cpu_seconds(backend.pid) - backend_before) / count * 1000
            print(f"cpu        gateway {gw_cpu_ms:.3f} ms/request (target <= 1.0); backend "
                  f"{be_cpu_ms:.3f} ms/request; ratio {gw_cpu_ms / be_cpu_ms:.2f}x")  # fmt: skip

            seconds = 4 if quick else 10
            direct_load, d_err = await open_loop(session, direct, auth, 200, seconds)
            gateway_load, g_err = await open_loop(session, through, auth, 200, seconds)
            print(f"200 req/s  direct p50 {statistics.median(direct_load):.2f} ms p99 "
                  f"{percentile(direct_load, 0.99):.2f} ms | gateway p50 "
                  f"{statistics.median(gateway_load):.2f} ms p99 "
                  f"{percentile(gateway_load, 0.99):.2f} ms (target p99 <= 15) | errors "
                  f"{d_err}/{g_err}")  # fmt: skip

            span = 3 if quick else 6
            direct_rps = await closed_loop(session, direct, auth, 64, span) / span
            gateway_rps = await closed_loop(session, through, auth, 64, span) / span
            print(f"saturation direct {direct_rps:.0f} req/s | gateway {gateway_rps:.0f} req/s "
                  f"| ratio {gateway_rps / direct_rps:.2f} (client, gateway and backend share "
                  f"{os.cpu_count()} cores)")  # fmt: skip

            cold, cached = await verification_us(quick)
            print(f"verify     cold {cold:.1f} us (target <= 150) | cached {cached:.2f} us "
                  f"(target <= 10)")  # fmt: skip

            mib = 50 if quick else 200
            rss_before = memory_kib(gateway.pid, "VmRSS")
            # Interleaved rounds, medians: one upload is short enough for a neighbour's burst
            # of CPU to swing it.
            direct_speeds, gateway_speeds = [], []
            for _ in range(3):
                direct_speeds.append(await upload(session, f"{backend_url}/api/samples", auth, mib))
                gateway_speeds.append(
                    await upload(session, f"{gateway_url}/api/samples", auth, mib)
                )
            direct_speed = statistics.median(direct_speeds)
            gateway_speed = statistics.median(gateway_speeds)
            peak_growth = (memory_kib(gateway.pid, "VmHWM") - rss_before) / 1024
            print(f"upload     {mib} MiB x3 direct {direct_speed:.0f} MiB/s | gateway "
                  f"{gateway_speed:.0f} MiB/s | ratio {gateway_speed / direct_speed:.2f} "
                  f"(target >= 0.60) | gateway RSS {rss_before / 1024:.0f} MiB, peak growth "
                  f"{peak_growth:.1f} MiB")  # fmt: skip
    finally:
        for process in (gateway, backend):
            process.terminate()
        for process in (gateway, backend):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--redis", default=get_settings().redis_url.rsplit("/", 1)[0] + "/14")
    parser.add_argument("--quick", action="store_true", help="fewer requests, 50 MiB upload")
    parser.add_argument(
        "--log-level", default="WARNING", help="gateway log level (INFO logs access)"
    )
    args = parser.parse_args()
    asyncio.run(run(args.redis, args.quick, args.log_level))


if __name__ == "__main__":
    main()
