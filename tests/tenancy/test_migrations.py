"""The migration runner: fresh, re-run, edited file, concurrent runners; and every named query
prepares against the migrated schema."""

from __future__ import annotations

import asyncio
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from sp404.core.migrations import SQL_DIR, MigrationError, discover, migrate
from sp404.core.queries import all_query_files, load_queries
from sp404.core.settings import REPO_ROOT, Settings
from tests.conftest import drop_database, recreate_database, with_database

SOURCE_ROOTS = ("platform", "analysis_engine", "gateway")


@pytest.fixture
async def scratch_dsn(migrated_db: Settings) -> AsyncIterator[str]:
    name = f"sp404_scratch_{uuid.uuid4().hex[:8]}"
    await recreate_database(migrated_db.database_owner_url, name)
    yield with_database(migrated_db.database_owner_url, name)
    await drop_database(migrated_db.database_owner_url, name)


async def _applied(dsn: str) -> list[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("select name from app_meta.schema_migrations order by version")
    finally:
        await conn.close()
    return [r["name"] for r in rows]


async def test_a_fresh_database_gets_every_migration_and_a_rerun_is_a_no_op(
    scratch_dsn: str,
) -> None:
    first = await migrate(scratch_dsn)
    assert first.applied == [m.name for m in discover()]
    second = await migrate(scratch_dsn)
    assert second.applied == []
    assert second.already_applied == len(first.applied)
    assert await _applied(scratch_dsn) == first.applied


async def test_an_applied_migration_that_was_edited_is_refused(
    scratch_dsn: str, tmp_path: Path
) -> None:
    sql_dir = tmp_path / "sql"
    shutil.copytree(SQL_DIR, sql_dir)
    await migrate(scratch_dsn, sql_dir=sql_dir)
    edited = sql_dir / "0003_create_users.sql"
    edited.write_text(edited.read_text() + "\n-- a quiet change\n")
    with pytest.raises(MigrationError, match=r"0003_create_users\.sql was edited"):
        await migrate(scratch_dsn, sql_dir=sql_dir)


async def test_two_concurrent_runners_apply_each_migration_once(scratch_dsn: str) -> None:
    one, two = await asyncio.gather(migrate(scratch_dsn), migrate(scratch_dsn))
    assert sorted([len(one.applied), len(two.applied)]) == [0, len(discover())]
    applied = await _applied(scratch_dsn)
    assert len(applied) == len(set(applied)) == len(discover())


def test_migration_files_are_numbered_and_named_for_one_change() -> None:
    names = [m.name for m in discover()]
    assert names == sorted(names)
    numbers = [int(n[:4]) for n in names]
    assert numbers == list(range(1, len(numbers) + 1))


def _query_files() -> list[Path]:
    return [path for root in SOURCE_ROOTS for path in all_query_files(REPO_ROOT / root)]


async def test_every_named_query_prepares_against_the_schema(pool: asyncpg.Pool) -> None:
    files = _query_files()
    assert files, "no queries.sql found"
    async with pool.acquire() as conn:
        for path in files:
            for name, sql in load_queries(path).items():
                try:
                    await conn.prepare(sql)
                except asyncpg.PostgresError as exc:  # pragma: no cover - the failure message
                    pytest.fail(f"{path.relative_to(REPO_ROOT)}:{name}: {exc}")


def test_every_named_query_is_used_by_the_code() -> None:
    code = "\n".join(
        path.read_text(encoding="utf-8")
        for root in SOURCE_ROOTS
        for path in (REPO_ROOT / root).rglob("*.py")
    )
    unused = [
        f"{path.relative_to(REPO_ROOT)}:{name}"
        for path in _query_files()
        for name in load_queries(path)
        if f'"{name}"' not in code
    ]
    assert unused == []
