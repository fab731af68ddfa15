"""Drill: backups that restore. A stack on a private PostgreSQL cluster with WAL archiving takes
uploads (rows and blobs) without pause while `pg_basebackup` copies the cluster; a named restore
point is set mid-stream, more uploads follow, then the cluster is restored to that point into a
fresh data folder on another port (`restore_command` from the archive, `recovery_target_name`),
migrated, and checked:

- every upload acknowledged (201) before the restore point is there, none sent after it is;
- after `reconcile-storage --fix` (grace 0) no row lacks its blob and no blob lacks its row
  (the uploads after the restore point left blobs the restored rows do not own);
- a stack started on the restored cluster signs the producer in and serves the library.

It reports the restore time (copy of the base backup, WAL replay to the target, promotion) per
GB of database. `--pad-mb` adds that much table data first (COPY of realistic sample rows), so
the per-GB figure is not dominated by start-up time.

    .venv/bin/python -m drills.backup_restore [--pad-mb 300]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import tempfile
import time
import uuid
import wave
from datetime import timedelta
from pathlib import Path

import aiohttp
import asyncpg
import numpy as np

from drills.common import NO_ANSWER, Verdict, sign_in
from drills.private_postgres import Cluster, on_port, pointed_at, private_cluster
from drills.setup import LOGS, drill_stack
from loadtests.seed import Producer
from loadtests.stack import Stack, Topology, find, running_stack
from sp404.core.migrations import migrate
from sp404.core.settings import Settings, get_settings
from sp404.storage import create_blob_store

DATABASE = "sp404_drill_backup"
RESTORE_POINT = "sp404-drill"
BEFORE_BACKUP_S = 2.0
AFTER_BACKUP_S = 3.0
AFTER_POINT_S = 3.0


def _wav(seed: int) -> bytes:
    """A distinct half-second WAV (the duplicate check refuses identical audio)."""
    rng = np.random.default_rng(seed)
    frames = (rng.standard_normal(11025) * 3000).astype("<i2").tobytes()
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(22050)
        out.writeframes(frames)
    return buffer.getvalue()


def _superuser(cluster: Cluster, database: str = DATABASE) -> str:
    return f"postgresql://postgres@127.0.0.1:{cluster.port}/{database}"


def _as_postgres(*command: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else list(command)


async def _uploads(
    base: str, token: str, stop: asyncio.Event, acked: list[tuple[float, float, uuid.UUID]]
) -> None:
    """Upload one WAV after another; every 201 lands in `acked` as (sent, acknowledged, id)."""
    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        while not stop.is_set():
            n += 1
            form = aiohttp.FormData()
            form.add_field("audio", _wav(n), filename=f"drill-{n}.wav", content_type="audio/wav")
            sent = time.monotonic()
            try:
                async with session.post(
                    f"{base}/api/samples", data=form, headers=headers
                ) as response:
                    body = await response.json(content_type=None)
                    status = response.status
            except (aiohttp.ClientError, TimeoutError):
                status, body = NO_ANSWER, None
            if status == 201 and isinstance(body, dict):
                acked.append((sent, time.monotonic(), uuid.UUID(body["sample_id"])))
            await asyncio.sleep(0.02)


async def _pad(cluster: Cluster, megabytes: int) -> None:
    """About `megabytes` of table data beside the app's (a table of its own, so reconciling
    blobs and rows is not disturbed), for a restore time per GB that start-up does not drown."""
    if megabytes <= 0:
        return
    conn = await asyncpg.connect(_superuser(cluster))
    try:
        await conn.execute("create table public.drill_padding (id bigint, payload text)")
        # 4 KB of incompressible text a row (so TOAST compression cannot shrink it).
        await conn.execute(
            "insert into public.drill_padding select g, (select string_agg(md5(random()::text),"
            " '') from generate_series(1, 128) where g > 0) from generate_series(1, $1) g",
            megabytes * 256,
        )
    finally:
        await conn.close()


def _enable_archiving(cluster: Cluster, archive: Path) -> None:
    with (cluster.data_dir / "postgresql.conf").open("a") as conf:
        conf.write(
            "wal_level = replica\narchive_mode = on\n"
            f"archive_command = 'test ! -f {archive}/%f && cp %p {archive}/%f'\n"
        )
    with (cluster.data_dir / "pg_hba.conf").open("a") as hba:
        hba.write("host replication all 127.0.0.1/32 trust\n")
    cluster.stop("fast")
    cluster.start()


async def _base_backup(cluster: Cluster, target: Path) -> float:
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *_as_postgres(
            str(cluster.bin_dir / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(cluster.port),
            "-U",
            "postgres",
            "-D",
            str(target),
            "-X",
            "stream",
            "-c",
            "fast",
        ),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"pg_basebackup failed: {err.decode()[-500:]}")
    return time.monotonic() - started


async def _restore(cluster: Cluster, backup: Path, archive: Path, home: Path) -> Cluster:
    """A new cluster from `backup`, recovered to the restore point and promoted."""
    from tests.support import free_port

    data = home / "restored"
    shutil.copytree(backup, data)
    port = free_port()
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"port = {port}\nunix_socket_directories = '{home}'\narchive_mode = off\n"
            f"restore_command = 'cp {archive}/%f %p'\n"
            f"recovery_target_name = '{RESTORE_POINT}'\nrecovery_target_action = 'promote'\n"
        )
    (data / "recovery.signal").touch()
    (data / "postmaster.pid").unlink(missing_ok=True)
    if os.geteuid() == 0:
        for path in [data, *data.rglob("*")]:
            shutil.chown(path, "postgres", "postgres")
    restored = Cluster(cluster.bin_dir, data, home / "restored.log", port, cluster.version)
    restored.start()
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        conn = await asyncpg.connect(_superuser(restored, "postgres"))
        try:
            if not await conn.fetchval("select pg_is_in_recovery()"):
                return restored
        finally:
            await conn.close()
        await asyncio.sleep(0.2)
    raise TimeoutError("the restored cluster never left recovery")


async def _drill(
    verdict: Verdict, stack: Stack, producers: list[Producer], cluster: Cluster, pad_mb: int
) -> None:
    settings = stack.settings
    home = Path(tempfile.mkdtemp(prefix="sp404-drill-backup-"))
    archive, backup = home / "archive", home / "base"
    archive.mkdir()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
        shutil.chown(archive, "postgres", "postgres")
    try:
        _enable_archiving(cluster, archive)
        await _pad(cluster, pad_mb)
        gateway = find(stack, "gateway1")
        async with aiohttp.ClientSession() as session:
            token, _ = await sign_in(session, gateway.url, producers[0])
        acked: list[tuple[float, float, uuid.UUID]] = []
        stop = asyncio.Event()
        writer = asyncio.ensure_future(_uploads(gateway.url, token, stop, acked))
        await asyncio.sleep(BEFORE_BACKUP_S)
        backup_s = await _base_backup(cluster, backup)
        during_backup = len(acked)
        await asyncio.sleep(AFTER_BACKUP_S)
        owner = await asyncpg.connect(_superuser(cluster))
        try:
            # Uploads acknowledged before this call committed before the point; uploads sent
            # after it returned can only commit after it. Those in flight are either way.
            before_point = time.monotonic()
            await owner.execute("select pg_create_restore_point($1)", RESTORE_POINT)
            after_point = time.monotonic()
            await asyncio.sleep(AFTER_POINT_S)
            stop.set()
            await writer
            await owner.execute("select pg_switch_wal()")
            size = int(await owner.fetchval("select pg_database_size(current_database())"))
            total = int(await owner.fetchval("select sum(pg_database_size(oid)) from pg_database"))
        finally:
            await owner.close()
        await asyncio.sleep(2.0)  # let the archiver copy the last segment
        kept = {i for _, acked_at, i in acked if acked_at < before_point}
        lost = {i for sent, _, i in acked if sent > after_point}

        started = time.monotonic()
        restored = await _restore(cluster, backup, archive, home)
        restore_s = time.monotonic() - started
        try:
            moved = pointed_at(settings, restored.port)
            await migrate(moved.database_owner_url)
            check = await asyncpg.connect(_superuser(restored))
            try:
                present = {
                    r["id"]
                    for r in await check.fetch(
                        "select id from app.samples where id = any($1::uuid[])",
                        [i for _, _, i in acked],
                    )
                }
            finally:
                await check.close()
            verdict.check("every upload acknowledged before the restore point is restored",
                          bool(kept) and kept <= present)  # fmt: skip
            verdict.check("no upload sent after the restore point is restored",
                          bool(lost) and not (lost & present))  # fmt: skip
            await _reconcile_and_serve(verdict, moved, restored, producers[0])
        finally:
            restored.stop("fast")
        gb = total / 2**30
        verdict.figure("uploads acknowledged (during the base backup)",
                       f"{len(acked)} ({during_backup})")  # fmt: skip
        verdict.figure("before / after the restore point", f"{len(kept)} / {len(lost)}")
        verdict.figure("base backup took (s)", f"{backup_s:.1f}")
        verdict.figure("drill database / whole cluster",
                       f"{size / 2**20:.0f} MiB / {total / 2**20:.0f} MiB")  # fmt: skip
        verdict.figure("restore (copy + replay + promote) s", f"{restore_s:.1f}")
        verdict.figure("restore time per GB of cluster (s/GB)", f"{restore_s / gb:.1f}")
        verdict.figure("PostgreSQL", f"private {cluster.version} cluster on port {cluster.port}")
    finally:
        shutil.rmtree(home, ignore_errors=True)


async def _reconcile_and_serve(
    verdict: Verdict, moved: Settings, restored: Cluster, producer: Producer
) -> None:
    from analysis_engine.quotas.reconcile import reconcile_storage

    blobs = create_blob_store(moved)
    auditor = await asyncpg.connect(on_port(moved.database_auditor_url, restored.port))
    try:
        first = await reconcile_storage(auditor, blobs, fix=True, grace=timedelta(0))
        removed = sum(len(r.removed) for r in first)
        again = await reconcile_storage(auditor, blobs, fix=False, grace=timedelta(0))
    finally:
        await auditor.close()
        await blobs.aclose()
    missing = sum(len(r.missing) for r in again)
    verdict.check("after reconcile-storage: no row without its blob, no blob without its row",
                  missing == 0 and all(not r.leftovers for r in again))  # fmt: skip
    verdict.figure("orphan blobs removed by reconcile-storage", removed)
    verdict.figure(
        "after it: rows without blobs / blobs without rows / counters off",
        f"{missing} / {sum(len(r.leftovers) for r in again)} /"
        f" {sum(1 for r in again if r.counted_bytes != r.row_bytes)}",
    )
    logs = LOGS / f"{DATABASE}-restored"
    with running_stack(moved, logs, Topology(platforms=1, engines=1, workers=0)) as stack:
        gateway = find(stack, "gateway1")
        async with aiohttp.ClientSession() as session:
            token, _ = await sign_in(session, gateway.url, producer, index=7)
            async with session.get(
                f"{gateway.url}/api/samples?limit=5", headers={"Authorization": f"Bearer {token}"}
            ) as response:
                body = await response.json()
                served = response.status == 200 and body.get("total", 0) > 0
    verdict.check("the restored stack signs the producer in and serves the library", served)


def run(pad_mb: int = 0) -> Verdict:
    """Run the drill once on a private cluster; never raises (a crash is a FAIL with the reason)."""
    verdict = Verdict("base backup + WAL archive restored to a point in time")
    try:
        with (
            private_cluster(get_settings()) as cluster,
            drill_stack(
                DATABASE,
                users=1,
                # No seeded samples: theirs are rows without blobs; every sample here is uploaded.
                samples_each=0,
                topology=Topology(platforms=1, engines=1, workers=0),
                database_port=cluster.port,
            ) as (stack, producers),
        ):
            asyncio.run(_drill(verdict, stack, producers, cluster, pad_mb))
    except Exception as exc:
        verdict.check(f"drill ran to the end ({type(exc).__name__}: {exc})", False)
    return verdict


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pad-mb", type=int, default=0)
    result = run(parser.parse_args().pad_mb)
    print(result.report())
    raise SystemExit(0 if result.passed else 1)
