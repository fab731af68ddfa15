"""A full 160-pad kit exported through the API, against plain sox on the same files.

    .venv/bin/python benchmarks/bench_kit_export.py [--pads 160] [--seed 7]

Starts the platform and the engine on a fresh benchmark database (`benchmarks/stack.py`),
uploads `--pads` synthetic 24-bit WAV clips (22.05-96 kHz, mono and stereo, 0.2-8 s) through
`POST /api/samples`, assigns them to every pad of a kit and times the IMPORT pack export from
`POST /api/exports` until the ZIP has been downloaded: blob reads, decode, soxr VHQ + TPDF
dither, ZIP, upload to the blob store, streaming download. Baseline, same files, same run:
`sox in.wav -b 16 -r 48000 out.wav dither` one file at a time (conversion only: no ZIP, no
storage, no HTTP). Skips cleanly when sox is absent.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

import httpx  # noqa: E402

from analysis_engine.sp404.layout import pad_from_index  # noqa: E402
from benchmarks.bench_sp404_export import make_clips, time_sox  # noqa: E402
from benchmarks.stack import (  # noqa: E402
    bench_settings,
    create_verified_users,
    engine_client,
    fresh_database,
    service,
)

PASSWORD = "bench password 404"


def _upload_kit(http: httpx.Client, paths: list[Path]) -> str:
    kit_id: str = http.post("/api/kits", json={"name": "Bench Kit", "bpm": 94}).json()["id"]
    for index, path in enumerate(paths):
        uploaded = http.post(
            "/api/samples",
            files={"audio": (path.name, path.read_bytes(), "audio/wav")},
            data={"title": path.stem},
        )
        uploaded.raise_for_status()
        bank, pad = pad_from_index(index)
        body = {"bank": bank, "pad": pad, "sample_id": uploaded.json()["sample_id"]}
        http.put(f"/api/kits/{kit_id}/pads", json=body).raise_for_status()
    return kit_id


def _time_export(http: httpx.Client, kit_id: str) -> tuple[float, int]:
    """Seconds from the request to the last downloaded byte, and the ZIP's size."""
    start = time.perf_counter()
    export_id = http.post("/api/exports", json={"kind": "import_pack", "kit_id": kit_id}).json()[
        "id"
    ]
    while (status := http.get(f"/api/exports/{export_id}").json()["status"]) not in (
        "ready",
        "failed",
    ):
        time.sleep(0.05)
    if status != "ready":
        raise SystemExit(f"export failed: {http.get(f'/api/exports/{export_id}').json()}")
    size = 0
    with http.stream("GET", f"/api/exports/{export_id}/download") as response:
        for chunk in response.iter_bytes():
            size += len(chunk)
    return time.perf_counter() - start, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pads", type=int, default=160)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sox = shutil.which("sox")
    if sox is None:
        print("SKIP: sox is not installed (apt-get install -y sox); nothing to compare against.")
        return
    settings = bench_settings()
    asyncio.run(fresh_database(settings))
    [(_, email)] = asyncio.run(create_verified_users(settings, 1, PASSWORD, tier="enterprise"))
    with tempfile.TemporaryDirectory(prefix="sp404-kit-bench-") as tmp:
        root = Path(tmp)
        source, sox_out = root / "in", root / "sox"
        source.mkdir()
        sox_out.mkdir()
        paths = make_clips(source, args.pads, args.seed)
        with (
            service("platform", settings) as (platform_url, _),
            service("engine", settings, SP404_PLATFORM_URLS=f'["{platform_url}"]') as (
                engine_url,
                _,
            ),
        ):
            with engine_client(engine_url, platform_url, settings, email, PASSWORD) as http:
                kit_id = _upload_kit(http, paths)
                ours, size = _time_export(http, kit_id)
        time_sox(sox, paths[:4], sox_out, ["dither"])  # warm the page cache and sox itself
        sox_wall, _ = time_sox(sox, paths, sox_out, ["dither"])
    print(f"{args.pads}-pad kit, IMPORT pack through the API: {ours:7.2f} s ({size / 1e6:.1f} MB)")
    print(f"sox -b 16 -r 48000 dither, same files:         {sox_wall:7.2f} s")
    print(f"ratio (API export / sox):                      {ours / sox_wall:7.2f}x")


if __name__ == "__main__":
    main()
