"""Drill: a Free producer 5.6 MB short of the quota replays old direct-upload URLs (after
complete, after cancel, after deleting the sample) through the gateway. The bytes stored must
never exceed the quota, a completed sample's file must never change, and afterwards
`sp404 admin reconcile-storage` must find no orphan and no staged leftover.

    .venv/bin/python -m drills.presigned_replay
"""

from __future__ import annotations

import asyncio
import hashlib
import random
import subprocess
import sys
import uuid
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from drills.common import ROOT, Verdict, count_rows, sign_in
from drills.setup import drill_stack
from loadtests.journey import wav_clip
from loadtests.seed import Producer
from loadtests.stack import Stack, find
from sp404.core.db import create_pool, tenant_tx
from sp404.core.settings import Settings

MB = 1024 * 1024
SHORT_OF_QUOTA = int(5.6 * MB)
HTML = b"<html><script>alert(document.cookie)</script></html>"


async def _preset_usage(settings: Settings, user_id: uuid.UUID, used: int) -> None:
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute("update app.usage_counters set storage_bytes = $1", used)
    finally:
        await pool.close()


def _on_disk(settings: Settings, user_id: uuid.UUID) -> int:
    """Every byte under the producer's folder: blobs, staged files and temp files alike."""
    root = settings.blobs_dir / "users" / str(user_id)
    if not root.exists():
        return 0
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and p.suffix != ".type")


class Client:
    """The producer's calls through the gateway, and PUTs to presigned URLs."""

    def __init__(self, session: aiohttp.ClientSession, base: str, token: str) -> None:
        self.session = session
        self.base = base
        self.auth = {"Authorization": f"Bearer {token}"}

    async def call(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        async with self.session.request(
            method, f"{self.base}{path}", headers=self.auth, **kwargs
        ) as response:
            body = await response.json() if response.content_type == "application/json" else None
            return response.status, body

    async def start(self, size: int, name: str) -> dict[str, Any]:
        status, grant = await self.call(
            "POST",
            "/api/samples/uploads",
            json={"filename": name, "size": size, "content_type": "audio/wav"},
        )
        if status != 201:
            raise RuntimeError(f"starting a direct upload answered {status}: {grant}")
        return dict(grant)

    async def put(self, grant: dict[str, Any], body: bytes) -> int:
        # The URL names the public host; the drill reaches the same path through its gateway.
        parts = urlsplit(grant["url"])
        async with self.session.put(
            f"{self.base}{parts.path}?{parts.query}", data=body, headers=grant["headers"]
        ) as response:
            await response.read()
            return response.status


def _reconcile(stack: Stack) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "sp404.cli.main", "admin", "reconcile-storage"],
        env=stack.env(),
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout + result.stderr


async def _drill(verdict: Verdict, stack: Stack, producer: Producer) -> None:
    settings = stack.settings
    user_id = uuid.UUID(producer.user_id)
    limit = await count_rows(settings, "select storage_bytes from app.plans where id = 'free'")
    preset = limit - SHORT_OF_QUOTA
    await _preset_usage(settings, user_id, preset)
    wav = wav_clip(random.Random(15), 3.0)  # noqa: S311 - test audio, not secrets
    peak = 0
    replays: dict[str, list[int]] = {}

    def watch() -> None:
        nonlocal peak
        peak = max(peak, _on_disk(settings, user_id))

    gateway = find(stack, "gateway1").url
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        token, _ = await sign_in(session, gateway, producer)
        client = Client(session, gateway, token)

        # 1. Upload, complete, then replay the URL with HTML of the same size.
        first = await client.start(len(wav), "loop.wav")
        verdict.check("the first PUT is accepted", await client.put(first, wav) < 300)
        replays["second PUT before complete"] = [await client.put(first, HTML)]
        status, done = await client.call(
            "POST", f"/api/samples/uploads/{first['upload_id']}/complete"
        )
        verdict.check("the upload completes", status == 201)
        sample_id = done["sample_id"]
        html = (HTML * (len(wav) // len(HTML) + 1))[: len(wav)]
        replays["after complete"] = [await client.put(first, html) for _ in range(3)]
        watch()
        async with session.get(
            f"{gateway}/api/samples/{sample_id}/download", headers=client.auth
        ) as response:
            served = await response.read()
            served_type = response.headers.get("content-type", "")
        verdict.check(
            "the sample still serves the checked WAV (bytes and sha256 of its row)",
            served == wav and hashlib.sha256(served).hexdigest() == done["sha256"],
        )
        verdict.figure("served content type", served_type)

        # 2. Reserve 5 MB, cancel, replay the URL three times with 5 MB.
        big = await client.start(5 * MB, "big.wav")
        status, _ = await client.call("DELETE", f"/api/samples/uploads/{big['upload_id']}")
        verdict.check("the 5 MB upload is cancelled", status == 204)
        replays["after cancel (5 MB each)"] = [
            await client.put(big, b"\0" * (5 * MB)) for _ in range(3)
        ]
        watch()

        # 3. Delete the sample, replay its old URL.
        status, _ = await client.call("DELETE", f"/api/samples/{sample_id}")
        verdict.check("the sample is deleted", status == 204)
        replays["after the sample was deleted"] = [await client.put(first, wav) for _ in range(3)]
        watch()

    counted = await count_rows(
        settings, "select storage_bytes from app.usage_counters where user_id = $1", user_id
    )
    reserved = await count_rows(
        settings, "select reserved_bytes from app.usage_counters where user_id = $1", user_id
    )
    on_disk = _on_disk(settings, user_id)
    every = [status for answers in replays.values() for status in answers]
    verdict.check("every replay is refused (4xx)", all(400 <= s < 500 for s in every))
    verdict.check("bytes stored never exceed the quota", preset + peak <= limit)
    verdict.check("nothing is stored that is not counted", on_disk == counted - preset == 0)
    verdict.check("no reservation is left", reserved == 0)
    report = _reconcile(stack)
    # The preset usage has no sample rows behind it, so the counter mismatch it reports is ours.
    verdict.check(
        "reconcile-storage finds no orphan and no staging leftover",
        "0 orphans, 0 staging leftovers" in report,
    )
    for label, answers in replays.items():
        verdict.figure(f"replay {label}", ", ".join(str(s) for s in answers))
    verdict.figure("quota / preset used, bytes", f"{limit} / {preset}")
    verdict.figure("peak bytes on disk for the producer", peak)
    verdict.figure("counted / on disk at the end, bytes", f"{counted} / {on_disk}")
    verdict.figure("reconcile-storage", report.strip().splitlines()[-1] if report else "")


def run() -> Verdict:
    """Run the drill once; never raises (a crash is a FAIL with the reason)."""
    verdict = Verdict("replayed direct-upload URLs against a nearly full quota")
    try:
        with drill_stack("sp404_drill_replay", users=1, tier="free", samples_each=0) as (
            stack,
            producers,
        ):
            asyncio.run(_drill(verdict, stack, producers[0]))
    except Exception as exc:
        verdict.check(f"drill ran to the end ({type(exc).__name__}: {exc})", False)
    return verdict


if __name__ == "__main__":
    result = run()
    print(result.report())
    raise SystemExit(0 if result.passed else 1)
