"""Write throughput of LocalBlobStore.put_stream against a plain shutil.copyfileobj.

Usage: python benchmarks/bench_blob_store.py [--files 20] [--dir /path/on/the/disk] [--seed 404]

Writes N files of 1-10 MB (sizes drawn from --seed) three ways, on the same disk in the same run:
  copy        shutil.copyfileobj from memory into a file (the baseline)
  copy+fsync  the same, then fsync, which is what the store does before its atomic rename
  put_stream  LocalBlobStore.put_stream from an async generator of 64 KiB chunks (sha256,
              size limit, temp file, fsync, os.replace, writes off the event loop)
Prints MB/s for each (median of REPEATS passes) and put_stream's ratio to both baselines.
"""

import argparse
import asyncio
import io
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "platform"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sp404.storage import LocalBlobStore, user_key

MB = 1_000_000
CHUNK = 64 * 1024
REPEATS = 5


async def chunks(data: memoryview) -> AsyncIterator[bytes]:
    for offset in range(0, len(data), CHUNK):
        yield bytes(data[offset : offset + CHUNK])


def copy_files(bodies: list[memoryview], folder: Path, fsync: bool) -> float:
    folder.mkdir(parents=True)
    start = time.perf_counter()
    for i, body in enumerate(bodies):
        with open(folder / f"{i}.bin", "wb") as target:
            shutil.copyfileobj(io.BytesIO(body), target, CHUNK)
            if fsync:
                target.flush()
                os.fsync(target.fileno())
    return time.perf_counter() - start


async def put_files(bodies: list[memoryview], folder: Path) -> float:
    store = LocalBlobStore(folder, signing_secret=os.urandom(32), public_base_url="http://x")
    user = uuid.uuid4()
    start = time.perf_counter()
    for body in bodies:
        key = user_key(user, "samples", str(uuid.uuid4()))
        await store.put_stream(key, chunks(body), max_bytes=len(body), content_type="audio/wav")
    return time.perf_counter() - start


async def main(files: int, directory: str | None, seed: int) -> None:
    rng = random.Random(seed)
    sizes = [rng.randint(1 * MB, 10 * MB) for _ in range(files)]
    pool = memoryview(os.urandom(max(sizes)))
    bodies = [pool[:size] for size in sizes]
    total_mb = sum(sizes) / MB
    runs: dict[str, list[float]] = {"copy": [], "copy+fsync": [], "put_stream": []}
    with tempfile.TemporaryDirectory(dir=directory) as scratch:
        for repeat in range(REPEATS):
            base = Path(scratch) / str(repeat)
            runs["copy"].append(copy_files(bodies, base / "copy", fsync=False))
            runs["copy+fsync"].append(copy_files(bodies, base / "copy_fsync", fsync=True))
            runs["put_stream"].append(await put_files(bodies, base / "store"))
            shutil.rmtree(base)
    speed = {name: total_mb / statistics.median(times) for name, times in runs.items()}
    print(f"{files} files, {total_mb:.0f} MB per pass, median of {REPEATS} passes, in {scratch}")
    for name, mb_s in speed.items():
        print(f"  {name:<11} {mb_s:8.0f} MB/s")
    print(f"  put_stream / copy        = {speed['put_stream'] / speed['copy']:.2f}")
    print(f"  put_stream / copy+fsync  = {speed['put_stream'] / speed['copy+fsync']:.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--dir", default=None, help="a folder on the disk to measure")
    parser.add_argument("--seed", type=int, default=404)
    args = parser.parse_args()
    asyncio.run(main(args.files, args.dir, args.seed))
