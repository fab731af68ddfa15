"""`sp404 admin reconcile-storage`: the store against the rows, per producer (and --fix)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest_asyncio

from analysis_engine.quotas.reconcile import (
    ProducerStorage,
    reconcile_storage,
    render_reconciliation,
)
from sp404.billing import storage_quota
from sp404.core.db import tenant_tx
from sp404.core.settings import REPO_ROOT, Settings
from sp404.storage import LocalBlobStore, staging_key, user_key
from tests.conftest import CreateUser
from tests.services.conftest import service_env

DAY = 24 * 3600


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[LocalBlobStore]:
    blobs = LocalBlobStore(tmp_path / "blobs", signing_secret=b"r" * 32, public_base_url="http://x")
    yield blobs
    await blobs.aclose()


async def _old(store: LocalBlobStore, key: str, data: bytes) -> str:
    await store.put_bytes(key, data)
    then = time.time() - DAY
    os.utime(store.root / key, (then, then))
    return key


async def _sample(pool: asyncpg.Pool, user_id: uuid.UUID, key: str, size: int) -> None:
    async with tenant_tx(pool, user_id) as conn:
        await conn.execute(
            "insert into app.samples (user_id, title, filename, format, size_bytes, sha256,"
            " blob_key) values ($1, 't', 't.wav', 'wav', $2, 'x', $3)",
            user_id,
            size,
            key,
        )


async def _counted(pool: asyncpg.Pool, user_id: uuid.UUID, size: int) -> None:
    async with tenant_tx(pool, user_id) as conn:
        await conn.execute(
            "insert into app.usage_counters (user_id, storage_bytes) values ($1, $2)"
            " on conflict (user_id) do update set storage_bytes = excluded.storage_bytes",
            user_id,
            size,
        )


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, env=env, cwd=REPO_ROOT, capture_output=True, text=True)


def _mine(reports: list[ProducerStorage], user_id: uuid.UUID) -> ProducerStorage:
    return next(r for r in reports if r.owner == str(user_id))


async def test_orphans_staging_leftovers_and_mismatches_are_found_and_only_leftovers_fixed(
    pool: asyncpg.Pool,
    auditor: asyncpg.Connection,
    create_user: CreateUser,
    store: LocalBlobStore,
) -> None:
    tidy, untidy = await create_user(), await create_user()
    kept = user_key(tidy, "samples", str(uuid.uuid4()))
    await _old(store, kept, b"0123456789")
    await _sample(pool, tidy, kept, 10)
    await _counted(pool, tidy, 10)

    orphan = await _old(store, user_key(untidy, "samples", str(uuid.uuid4())), b"orphan")
    young = user_key(untidy, "samples", str(uuid.uuid4()))
    await store.put_bytes(young, b"just stored, row about to commit")
    leftover = staging_key(untidy, uuid.uuid4())
    await store.put_bytes(leftover, b"x" * 5000)
    await _counted(pool, untidy, 0)
    upload_id = uuid.uuid4()
    still_open = staging_key(untidy, upload_id)
    await storage_quota.reserve(
        pool,
        untidy,
        wanted=100,
        exact=True,
        direct=storage_quota.DirectUpload(upload_id, still_open, "o.wav", {}),
    )
    await store.put_bytes(still_open, b"y" * 100)
    missing = user_key(untidy, "samples", str(uuid.uuid4()))
    await _sample(pool, untidy, missing, 7)
    wrong = await _old(store, user_key(untidy, "samples", str(uuid.uuid4())), b"12345")
    await _sample(pool, untidy, wrong, 6)
    stranger = uuid.uuid4()
    ghost = await _old(store, user_key(stranger, "avatar", "a.png"), b"png")

    reports = await reconcile_storage(auditor, store)
    assert _mine(reports, tidy).clean
    found = _mine(reports, untidy)
    assert [b.key for b in found.orphans] == [orphan]
    assert [b.key for b in found.staging] == [leftover]
    assert found.missing == [(missing, 7)]
    assert found.wrong_size == [(wrong, 6, 5)]
    assert (found.counted_bytes, found.row_bytes) == (0, 13)
    nobody = _mine(reports, stranger)
    assert nobody.email is None and [b.key for b in nobody.orphans] == [ghost]
    text = render_reconciliation(reports)
    assert f"staging   {leftover} 5000 B" in text and f"orphan    {orphan}" in text

    fixed = await reconcile_storage(auditor, store, fix=True)
    assert {b.key for b in _mine(fixed, untidy).removed} == {orphan, leftover}
    for gone in (orphan, leftover, ghost):
        assert await store.stat(gone) is None
    for there in (kept, young, still_open, wrong):
        assert await store.stat(there) is not None
    again = _mine(await reconcile_storage(auditor, store), untidy)
    assert again.leftovers == [] and again.mismatched


async def test_the_command_reports_and_fixes_from_the_shell(
    migrated_db: Settings, create_user: CreateUser, store: LocalBlobStore
) -> None:
    user_id = await create_user()
    leftover = staging_key(user_id, uuid.uuid4())
    await store.put_bytes(leftover, b"z" * 321)
    env = service_env(
        migrated_db,
        SP404_DATABASE_AUDITOR_URL=migrated_db.database_auditor_url,
        SP404_BLOB_DIR=str(store.root),
    )
    command = [sys.executable, "-m", "sp404.cli.main", "admin", "reconcile-storage"]
    report = await asyncio.to_thread(_run, command, env)
    assert report.returncode == 1, report.stderr
    assert f"staging   {leftover} 321 B" in report.stdout
    fixed = await asyncio.to_thread(_run, [*command, "--fix"], env)
    assert f"staging   {leftover} 321 B (removed)" in fixed.stdout, fixed.stderr
    assert "Traceback" not in fixed.stderr
    assert await store.stat(leftover) is None
