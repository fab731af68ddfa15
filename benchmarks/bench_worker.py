"""Analyses per second through real `sp404 worker` processes, where a clip's time goes in the
worker stage by stage, and what that means for a GPU node.

    .venv/bin/python -m benchmarks.bench_worker [--clips 64] [--producers 4] [--workers 1 2]
        [--batch-size 16] [--blob-store file s3] [--vibe-latency-ms 1000]

For each blob store and each worker count, a round: fresh producers upload `--clips` clips
through the real API (platform + engine, signed as the gateway), then that many `sp404 worker
--batch-size N` processes (CPU extractor) drain the queue. Clips are bench_cuda.py's synthesised
10 s 44.1 kHz stereo loops as 16-bit WAV, so the extractor's figure here and bench_cuda's GPU
figure are for the same kind of clip. `s3` puts the blobs in a moto S3 server (in this process).
Vibe descriptions are the local rules' unless `--vibe-latency-ms` is given: then the workers call
a local stand-in for OpenRouter (tests/analysis_engine/vibe/fake_openrouter.py, in this process)
that answers after that many ms, so the describe stage's CPU is our client's real cost and its
wall time holds the assumed latency.

It prints, per round:
- analyses/s end to end: clips over first claim to last completion (the database's started_at
  and finished_at), and over the workers' whole run (start-up and torch import included);
- per clip, each stage's wall ms and process CPU ms (all the worker's threads), read from the
  workers' own `sp404_analysis_stage_*` metrics; "host side" is every stage but extract.
Then the model for a GPU node: stages run one after another in a worker process, so with the
extractor on a GPU one worker's ceiling is 1000 / host-side wall ms per clip, and keeping a GPU
busy takes GPU rate x host-side ms / 1000 worker processes (wall) and CPU cores (CPU). The GPU's
rate is bench_cuda.py's H100 figure from the README, not measured by this run.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import httpx
import numpy as np
import soundfile

from benchmarks.bench_cuda import synth_clip
from benchmarks.stack import (
    bench_settings,
    create_verified_users,
    engine_client,
    fresh_database,
    process_env,
    rss_mb,
    service,
)
from sp404.core.db import create_pool, tenant_tx
from sp404.core.settings import Settings
from tests.analysis_engine.vibe.fake_openrouter import GOOD_VIBE, Reply, chat, served_in_thread
from tests.observability.test_http_metrics import value
from tests.support import free_port
from tests.support.s3 import engine_s3_env, moto_bucket

DATABASE = "sp404_bench_worker"
PASSWORD = "a benchmark passphrase"
STAGES = ("accept", "decode", "extract", "describe", "store")
HOST_STAGES = ("accept", "decode", "describe", "store")
BUCKET = "sp404-bench-worker"
KEYS = {"aws_access_key_id": "AKIDBENCHWORKER", "aws_secret_access_key": "bench-worker-secret"}
# bench_cuda.py on an H100, as the README reports it (an earlier wave's extractor): clips/s at
# batch 32 and 256. Not measured by this benchmark.
GPU_CLIPS_PER_S = {32: 761.0, 256: 993.0}


@dataclass
class Round:
    store: str
    workers: int
    batch_size: int
    clips: int
    upload_s: float
    drain_s: float
    run_s: float
    wall: dict[str, float]  # seconds per stage, summed over the workers
    cpu: dict[str, float]
    rss_mb: float  # the largest worker's resident memory at the end


def _wav(seed: int, seconds: float) -> bytes:
    (audio, rate), _, _ = synth_clip(np.random.default_rng(seed), seconds)
    buffer = io.BytesIO()
    soundfile.write(buffer, audio, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


async def _jobs(settings: Settings, users: list[uuid.UUID]) -> tuple[int, float, float]:
    """Done analyses of `users`, and the epoch seconds of the first claim and last completion."""
    pool = await create_pool(settings, min_size=1, max_size=1)
    done, first, last = 0, float("inf"), 0.0
    try:
        for user_id in users:
            async with tenant_tx(pool, user_id) as conn:
                row = await conn.fetchrow(
                    "select count(*) filter (where status = 'done') as done,"
                    " extract(epoch from min(started_at)) as first,"
                    " extract(epoch from max(finished_at)) as last"
                    " from app.processing_jobs where kind = 'analyze'"
                )
            assert row is not None
            done += row["done"]
            if row["first"] is not None:
                first = min(first, float(row["first"]))
            if row["last"] is not None:
                last = max(last, float(row["last"]))
    finally:
        await pool.close()
    return done, first, last


@contextmanager
def _fake_openrouter(latency_ms: float) -> Iterator[str]:
    """An OpenRouter stand-in answering every description after `latency_ms`; yields its URL."""
    with served_in_thread() as (server, _):
        server.default = Reply(body=chat(GOOD_VIBE), delay_s=latency_ms / 1000)
        yield server.base_url


@contextmanager
def _workers(
    settings: Settings, count: int, batch_size: int, env: dict[str, str]
) -> Iterator[list[tuple[int, int]]]:
    """`count` worker processes; yields the pid and metrics port of each."""
    ports = [free_port() for _ in range(count)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "sp404.cli.main", "worker", "--batch-size", str(batch_size)],
            env=process_env(
                settings,
                SP404_WORKER_METRICS_PORT=str(port),
                SP404_WORKER_METRICS_HOST="127.0.0.1",
                **env,
            ),
        )
        for port in ports
    ]
    try:
        yield [(process.pid, port) for process, port in zip(processes, ports, strict=True)]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)


def _stage_totals(ports: list[int]) -> tuple[dict[str, float], dict[str, float]]:
    wall = dict.fromkeys(STAGES, 0.0)
    cpu = dict.fromkeys(STAGES, 0.0)
    for port in ports:
        text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
        for stage in STAGES:
            wall[stage] += value(text, "sp404_analysis_stage_seconds_sum", stage=stage)
            cpu[stage] += value(text, "sp404_analysis_stage_cpu_seconds_total", stage=stage)
    return wall, cpu


def _round(
    settings: Settings,
    urls: tuple[str, str],
    store: str,
    env: dict[str, str],
    args: argparse.Namespace,
    workers: int,
    seed: int,
) -> Round:
    engine_url, platform_url = urls
    users = asyncio.run(
        create_verified_users(settings, args.producers, PASSWORD, tier="enterprise")
    )
    files = [_wav(seed + i, args.seconds) for i in range(args.clips)]
    started = time.perf_counter()
    for index, (_, email) in enumerate(users):
        with engine_client(engine_url, platform_url, settings, email, PASSWORD) as http:
            for i in range(index, args.clips, len(users)):
                response = http.post(
                    "/api/samples", files={"audio": (f"loop-{i}.wav", files[i], "audio/wav")}
                )
                assert response.status_code == 201, response.text
    upload_s = time.perf_counter() - started
    user_ids = [user_id for user_id, _ in users]
    run_started = time.time()
    with _workers(settings, workers, args.batch_size, env) as running:
        deadline = time.monotonic() + args.timeout
        while True:
            done, first, last = asyncio.run(_jobs(settings, user_ids))
            if done == args.clips:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{done} of {args.clips} analysed in {args.timeout} s")
            time.sleep(0.5)
        wall, cpu = _stage_totals([port for _, port in running])
        rss = max(rss_mb(pid) for pid, _ in running)
    return Round(
        store,
        workers,
        args.batch_size,
        args.clips,
        upload_s,
        last - first,
        last - run_started,
        wall,
        cpu,
        rss,
    )


def _report(result: Round) -> dict[str, float]:
    n = result.clips
    title = f"{result.store} blobs, {result.workers} worker(s), batch {result.batch_size}"
    print(
        f"\n[{title}] {n} clips: "
        f"{n / result.drain_s:.2f} analyses/s first claim to last completion "
        f"({result.drain_s:.1f} s); {n / result.run_s:.2f}/s from the workers' start "
        f"(torch import included); uploads {n / result.upload_s:.1f} clips/s; worker RSS"
        f" {result.rss_mb:.0f} MB"
    )
    print(f"  {'stage':<9} {'wall ms/clip':>12} {'CPU ms/clip':>12}")
    for stage in STAGES:
        wall, cpu = 1000 * result.wall[stage] / n, 1000 * result.cpu[stage] / n
        print(f"  {stage:<9} {wall:>12.1f} {cpu:>12.1f}")
    host_wall = 1000 * sum(result.wall[s] for s in HOST_STAGES) / n
    host_cpu = 1000 * sum(result.cpu[s] for s in HOST_STAGES) / n
    print(
        f"  {'host side':<9} {host_wall:>12.1f} {host_cpu:>12.1f}"
        f"   (every stage but extract; extract is {1000 * result.cpu['extract'] / n:.1f} CPU ms"
        f" per clip, {result.cpu['extract'] / sum(result.cpu[s] for s in HOST_STAGES):.1f}x"
        " the host side)"
    )
    return {"host_wall_ms": host_wall, "host_cpu_ms": host_cpu}


def _model(host: dict[str, float], store: str) -> None:
    wall, cpu = host["host_wall_ms"], host["host_cpu_ms"]
    print(
        f"\nGPU node model ({store} blobs; host side measured by this run with 1 worker, GPU side"
    )
    print("NOT measured here: bench_cuda.py's H100 figures from the README, an earlier extractor):")
    print(
        f"  host side per clip: {wall:.1f} ms wall ({cpu:.1f} ms of it CPU; the rest waits on"
        " PostgreSQL, the blob store and the vibe model)"
    )
    for batch, rate in GPU_CLIPS_PER_S.items():
        # A worker's clip costs its host side plus its share of the batch's GPU call; the GPU's
        # rate at the worker's own batch size was not measured (it lies between batch 1's 76
        # clips/s and batch 32's 761), so this share is the optimistic one.
        per_clip = wall + 1000 / rate
        print(
            f"  H100 at {rate:.0f} clips/s (batch {batch}): one worker process tops out at"
            f" {1000 / per_clip:.0f} analyses/s ({3600 * 1000 / per_clip:,.0f}/hour); keeping the"
            f" GPU busy ({rate * 3600:,.0f}/hour) takes {rate * per_clip / 1000:.0f} worker"
            f" processes and {rate * cpu / 1000:.0f} CPU cores for the host side"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clips", type=int, default=64, help="clips per round")
    parser.add_argument("--producers", type=int, default=4)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each clip")
    parser.add_argument("--blob-store", nargs="+", choices=["file", "s3"], default=["file"])
    parser.add_argument("--redis-db", type=int, default=8)
    parser.add_argument(
        "--vibe-latency-ms",
        type=float,
        help="describe through an OpenRouter stand-in answering after this long (default: the"
        " local rules)",
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds a round may take")
    args = parser.parse_args()
    base = bench_settings(DATABASE)
    settings = base.model_copy(
        update={"redis_url": base.redis_url.rsplit("/", 1)[0] + f"/{args.redis_db}"}
    )
    asyncio.run(fresh_database(settings))
    vibe = (
        "local rules"
        if args.vibe_latency_ms is None
        else f"an OpenRouter stand-in answering after {args.vibe_latency_ms:g} ms (assumed)"
    )
    print(
        f"load average {os.getloadavg()[0]:.1f}, {os.cpu_count()} CPUs; {args.clips} clips of"
        f" {args.seconds:g} s stereo per round; vibe: {vibe}"
    )
    seed = 0
    for store in args.blob_store:
        with ExitStack() as stack:
            env: dict[str, str] = {}
            if store == "s3":
                endpoint, _ = stack.enter_context(moto_bucket(BUCKET, KEYS))
                env = engine_s3_env(endpoint, BUCKET, KEYS)
            if args.vibe_latency_ms is not None:
                env["SP404_OPENROUTER_BASE_URL"] = stack.enter_context(
                    _fake_openrouter(args.vibe_latency_ms)
                )
                env["SP404_OPENROUTER_API_KEY"] = "sk-bench-not-a-key"
            platform_url, _ = stack.enter_context(service("platform", settings))
            engine_url, _ = stack.enter_context(
                service("engine", settings, SP404_PLATFORM_URLS=json.dumps([platform_url]), **env)
            )
            host: dict[str, float] = {}
            for workers in args.workers:
                result = _round(
                    settings, (engine_url, platform_url), store, env, args, workers, seed
                )
                seed += args.clips
                figures = _report(result)
                if workers == 1:
                    host = figures
            if host:
                _model(host, store)
        print(f"load average {os.getloadavg()[0]:.1f} after the {store} rounds")


if __name__ == "__main__":
    main()
