"""Upload throughput through a real engine process against a plain file copy of the same bytes on
the same disk, in one run, and the engine's memory per concurrent upload.

    .venv/bin/python benchmarks/bench_uploads.py [--files 24] [--clients 1 4]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import shutil
import tempfile
import threading
import time
from pathlib import Path

import httpx
import numpy as np
import soundfile

from benchmarks.stack import (
    bench_settings,
    create_verified_users,
    fresh_database,
    rss_mb,
    service,
)

PASSWORD = "a benchmark passphrase"


def _wav(megabytes: float, seed: int) -> bytes:
    rate = 44100
    frames = int(megabytes * 1024 * 1024 / 4)  # 16-bit stereo
    rng = np.random.default_rng(seed)
    audio = (rng.standard_normal((frames, 2)) * 0.1).astype(np.float32)
    buffer = io.BytesIO()
    soundfile.write(buffer, audio, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def _copy_baseline(files: list[bytes]) -> float:
    src = Path(tempfile.mkdtemp(prefix="bench-src-"))
    dst = Path(tempfile.mkdtemp(prefix="bench-dst-"))
    for i, data in enumerate(files):
        (src / f"{i}.wav").write_bytes(data)
    started = time.perf_counter()
    for i in range(len(files)):
        shutil.copyfile(src / f"{i}.wav", dst / f"{i}.wav")
    elapsed = time.perf_counter() - started
    shutil.rmtree(src)
    shutil.rmtree(dst)
    return sum(map(len, files)) / 1024 / 1024 / elapsed


async def _upload_all(url: str, token: str, files: list[bytes], clients: int) -> float:
    queue = list(enumerate(files))

    async def client() -> None:
        async with httpx.AsyncClient(
            base_url=url, timeout=120, headers={"Authorization": f"Bearer {token}"}
        ) as http:
            while queue:
                index, data = queue.pop()
                response = await http.post(
                    "/api/samples", files={"audio": (f"f{index}.wav", data, "audio/wav")}
                )
                assert response.status_code == 201, response.text

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    return sum(map(len, files)) / 1024 / 1024 / (time.perf_counter() - started)


def _watch_memory(pid: int, peak: list[float], done: threading.Event) -> None:
    while not done.is_set():
        peak[0] = max(peak[0], rss_mb(pid))
        time.sleep(0.02)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=24)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    files = [_wav(1 + (i * 9 / max(1, args.files - 1)), i) for i in range(args.files)]
    total_mb = sum(map(len, files)) / 1024 / 1024
    settings = bench_settings()
    asyncio.run(fresh_database(settings))
    [(_, email)] = asyncio.run(create_verified_users(settings, 1, PASSWORD, tier="enterprise"))
    copy_mbps = _copy_baseline(files)
    print(f"{args.files} files, {total_mb:.0f} MB; plain file copy: {copy_mbps:.0f} MB/s")
    with (
        service("platform", settings) as (platform_url, _),
        service("engine", settings, SP404_PLATFORM_URLS=f'["{platform_url}"]') as (
            engine_url,
            engine,
        ),
    ):
        token = httpx.post(
            f"{platform_url}/api/auth/login", json={"email": email, "password": PASSWORD}
        ).json()["token"]
        asyncio.run(_upload_all(engine_url, token, files[:2], 1))  # warm-up
        for clients in args.clients:
            baseline = rss_mb(engine.pid)
            peak = [baseline]
            done = threading.Event()

            watcher = threading.Thread(target=_watch_memory, args=(engine.pid, peak, done))
            watcher.start()
            mbps = asyncio.run(_upload_all(engine_url, token, files, clients))
            done.set()
            watcher.join()
            print(
                f"{clients} concurrent uploads: {mbps:.0f} MB/s = {mbps / copy_mbps:.2f}x copy; "
                f"engine RSS +{peak[0] - baseline:.1f} MB peak "
                f"({(peak[0] - baseline) / clients:.1f} MB per upload, files up to 10 MB)"
            )


if __name__ == "__main__":
    main()
