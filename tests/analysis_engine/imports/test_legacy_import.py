"""`sp404 import-legacy` against a scratch "old app" database and files on disk: a dry run
writes nothing, a real run keeps everything with matching checksums, a failure keeps nothing."""

from __future__ import annotations

import asyncio
import hashlib
import json
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest

from sp404.core.db import create_pool, tenant_tx
from sp404.core.settings import REPO_ROOT, Settings
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.conftest import drop_database, recreate_database, with_database
from tests.services.conftest import service_env
from tests.stack import Mailbox, Producer, signed_up

OLD_SCHEMA = """
create table samples (
    id serial primary key, title text, file_path text not null, genre text, bpm real,
    musical_key text, tags text[], bpm_confidence real, key_confidence real, extra_metadata jsonb
)
"""
# An older version of the old app: `key` instead of `musical_key`, tags as text, no confidences.
OLDER_SCHEMA = """
create table samples (
    id serial primary key, title text, file_path text not null, genre text, bpm text,
    key text, tags text, extra_metadata json
)
"""

OldDatabase = Callable[[str, list[dict[str, Any]]], str]


@pytest.fixture
def old_database(migrated_db: Settings) -> Iterator[OldDatabase]:
    """Builds a scratch database of the old app (schema + rows); returns its URL."""
    names: list[str] = []

    def build(schema: str, rows: list[dict[str, Any]]) -> str:
        name = f"sp404_legacy_{uuid.uuid4().hex[:10]}"
        names.append(name)
        url = with_database(migrated_db.database_owner_url, name)

        async def create() -> None:
            await recreate_database(migrated_db.database_owner_url, name)
            conn = await asyncpg.connect(url)
            try:
                await conn.execute(schema)
                for row in rows:
                    columns = list(row)
                    await conn.execute(
                        f"insert into samples ({', '.join(columns)}) values "
                        f"({', '.join(f'${i + 1}' for i in range(len(columns)))})",
                        *row.values(),
                    )
            finally:
                await conn.close()

        asyncio.run(create())
        return url

    yield build
    for name in names:
        asyncio.run(drop_database(migrated_db.database_owner_url, name))


def _run(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sp404.cli.main", "import-legacy", *args],
        capture_output=True, text=True, cwd=REPO_ROOT, env=service_env(settings), check=False,
        timeout=120,
    )  # fmt: skip


async def _library(settings: Settings, user_id: str) -> dict[str, Any]:
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            rows = await conn.fetch(
                "select title, filename, genre, tags, bpm, musical_key, size_bytes, sha256,"
                " extra_metadata from app.samples order by filename"
            )
            storage = await conn.fetchval("select storage_bytes from app.usage_counters")
            reserved = await conn.fetchval("select reserved_bytes from app.usage_counters")
    finally:
        await pool.close()
    return {"samples": [dict(r) for r in rows], "storage": storage, "reserved": reserved}


async def _use_storage(settings: Settings, user_id: str, used: int) -> None:
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute("update app.usage_counters set storage_bytes = $1", used)
    finally:
        await pool.close()


def _blobs(settings: Settings, user_id: str) -> list[Path]:
    root = settings.blobs_dir / "users" / user_id
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def producer(api: httpx.Client, mailbox: Mailbox) -> Producer:
    """A fresh producer receiving the old library."""
    return signed_up(api, mailbox)


@pytest.fixture
def files_root(tmp_path: Path) -> Path:
    """The old app's files: three formats in folders."""
    root = tmp_path / "old-app-files"
    for relative, data in {
        "drums/kick.wav": audio_bytes("wav", freq=60),
        "keys/rhodes.flac": audio_bytes("flac", freq=330),
        "vox/hook.mp3": audio_bytes("mp3", freq=440),
    }.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    return root


ROWS: list[dict[str, Any]] = [
    {"title": "Big Kick", "file_path": "drums/kick.wav", "genre": "Boom bap", "bpm": 92.0,
     "musical_key": "Am", "tags": ["Drums", "dusty"], "bpm_confidence": 0.9,
     "key_confidence": 0.4, "extra_metadata": json.dumps({"rating": 5})},
    {"title": "Rhodes", "file_path": "keys/rhodes.flac", "genre": None, "bpm": None,
     "musical_key": "F# min", "tags": ["keys"], "bpm_confidence": None, "key_confidence": 0.8,
     "extra_metadata": None},
    {"title": "Hook", "file_path": "vox/hook.mp3", "genre": "Soul", "bpm": 180.0,
     "musical_key": None, "tags": [], "bpm_confidence": 0.5, "key_confidence": None,
     "extra_metadata": json.dumps({})},
]  # fmt: skip


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_dry_run_reports_every_file_and_writes_nothing(
    old_database: OldDatabase, files_root: Path, producer: Producer, migrated_db: Settings
) -> None:
    url = old_database(OLD_SCHEMA, ROWS)
    result = _run(migrated_db, "--database-url", url, "--files-root", str(files_root),
                  "--user", producer.email, "--dry-run")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "dry run, nothing written" in result.stdout and "every file is valid" in result.stdout
    for row in ROWS:
        assert _sha256(files_root / row["file_path"]) in result.stdout
    state = asyncio.run(_library(migrated_db, producer.user_id))
    assert state == {"samples": [], "storage": 0, "reserved": 0}
    assert _blobs(migrated_db, producer.user_id) == []


def test_a_real_run_imports_every_file_with_matching_checksums(
    old_database: OldDatabase, files_root: Path, producer: Producer, migrated_db: Settings
) -> None:
    url = old_database(OLD_SCHEMA, ROWS)
    result = _run(migrated_db, "--database-url", url, "--files-root", str(files_root),
                  "--user", producer.user_id, "--json")  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and len(report["files"]) == 3
    for entry in report["files"]:
        on_disk = _sha256(files_root / entry["file_path"])
        assert entry["sha256_disk"] == entry["sha256_store"] == on_disk
    state = asyncio.run(_library(migrated_db, producer.user_id))
    samples = {s["filename"]: s for s in state["samples"]}
    assert sorted(samples) == ["hook.mp3", "kick.wav", "rhodes.flac"]
    kick = samples["kick.wav"]
    assert kick["title"] == "Big Kick" and kick["genre"] == "Boom bap"
    assert kick["tags"] == ["drums", "dusty"]
    assert kick["bpm"] == 92.0 and kick["musical_key"] == "A minor"
    assert kick["sha256"] == _sha256(files_root / "drums/kick.wav")
    legacy = kick["extra_metadata"]["legacy"]
    assert legacy["id"] == 1 and legacy["bpm_confidence"] == pytest.approx(0.9)
    assert legacy["musical_key"] == "Am" and legacy["extra_metadata"] == {"rating": 5}
    assert samples["rhodes.flac"]["musical_key"] == "F# minor"
    assert state["storage"] == sum(s["size_bytes"] for s in state["samples"])
    assert state["reserved"] == 0 and len(_blobs(migrated_db, producer.user_id)) == 3


def test_an_older_schema_with_key_and_text_tags_is_read_too(
    old_database: OldDatabase, files_root: Path, producer: Producer, migrated_db: Settings
) -> None:
    url = old_database(OLDER_SCHEMA, [
        {"title": "Kick", "file_path": "drums/kick.wav", "genre": "Trap", "bpm": "140",
         "key": "C", "tags": "Hard, 808 , hard", "extra_metadata": None},
    ])  # fmt: skip
    result = _run(migrated_db, "--database-url", url, "--files-root", str(files_root),
                  "--user", producer.email)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    [kick] = asyncio.run(_library(migrated_db, producer.user_id))["samples"]
    assert kick["tags"] == ["hard", "808"] and kick["bpm"] == 140.0
    assert kick["musical_key"] == "C major"


def test_a_run_with_one_broken_file_leaves_no_samples_blobs_or_storage_use(
    old_database: OldDatabase, files_root: Path, producer: Producer, migrated_db: Settings
) -> None:
    broken = files_root / "drums" / "snare.wav"
    broken.write_bytes(audio_bytes("wav", seconds=1.0)[:20000])
    rows = [*ROWS, {"title": "Snare", "file_path": "drums/snare.wav"}]
    url = old_database(OLD_SCHEMA, rows)
    result = _run(migrated_db, "--database-url", url, "--files-root", str(files_root),
                  "--user", producer.email)  # fmt: skip
    assert result.returncode == 1
    assert "[PROBLEM] id=4 drums/snare.wav" in result.stdout and "truncated" in result.stdout
    assert result.stderr.strip().count("\n") == 0 and result.stderr.startswith("sp404: ")
    state = asyncio.run(_library(migrated_db, producer.user_id))
    assert state == {"samples": [], "storage": 0, "reserved": 0}
    assert _blobs(migrated_db, producer.user_id) == []


def test_running_out_of_storage_mid_run_deletes_every_sample_the_run_created(
    old_database: OldDatabase, files_root: Path, producer: Producer, migrated_db: Settings
) -> None:
    sizes = [(files_root / row["file_path"]).stat().st_size for row in ROWS]
    used = 100 * 1024**2 - (sizes[0] + sizes[1] + sizes[2] // 2)  # the third does not fit
    asyncio.run(_use_storage(migrated_db, producer.user_id, used))
    url = old_database(OLD_SCHEMA, ROWS)
    result = _run(migrated_db, "--database-url", url, "--files-root", str(files_root),
                  "--user", producer.email)  # fmt: skip
    assert result.returncode == 1
    assert "FAILED: Storage" in result.stdout
    assert "rolled back: 2 samples this run created were deleted" in result.stdout
    state = asyncio.run(_library(migrated_db, producer.user_id))
    assert state == {"samples": [], "storage": used, "reserved": 0}
    assert _blobs(migrated_db, producer.user_id) == []


def test_paths_that_leave_the_files_root_are_refused(
    old_database: OldDatabase, files_root: Path, producer: Producer, migrated_db: Settings
) -> None:
    outside = files_root.parent / "secret.wav"
    outside.write_bytes(audio_bytes("wav"))
    (files_root / "link.wav").symlink_to(outside)
    url = old_database(OLD_SCHEMA, [
        {"title": "Up", "file_path": "../secret.wav"},
        {"title": "Absolute", "file_path": str(outside)},
        {"title": "Link", "file_path": "link.wav"},
        {"title": "Fine", "file_path": "drums/kick.wav"},
    ])  # fmt: skip
    result = _run(migrated_db, "--database-url", url, "--files-root", str(files_root),
                  "--user", producer.email, "--dry-run", "--json")  # fmt: skip
    assert result.returncode == 1
    problems = {f["file_path"]: f["problems"] for f in json.loads(result.stdout)["files"]}
    for path in ("../secret.wav", str(outside), "link.wav"):
        assert problems[path] == ["the path leads outside --files-root (refused)"]
    assert problems["drums/kick.wav"] == []


@pytest.mark.parametrize(
    ("user", "message"),
    [("nobody@example.com", "no account uses the e-mail"), ("not-an-id", "neither a user id")],
)
def test_user_mistakes_are_one_clean_line_and_exit_1(
    user: str, message: str, old_database: OldDatabase, files_root: Path, migrated_db: Settings
) -> None:
    url = old_database(OLD_SCHEMA, ROWS)
    result = _run(migrated_db, "--database-url", url, "--files-root", str(files_root),
                  "--user", user, "--dry-run")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.startswith("sp404: ") and message in result.stderr
    assert "Traceback" not in result.stderr and result.stderr.strip().count("\n") == 0


def test_a_database_without_the_old_table_is_one_clean_line(
    old_database: OldDatabase, files_root: Path, producer: Producer, migrated_db: Settings
) -> None:
    url = old_database("create table tracks (id serial)", [])
    result = _run(migrated_db, "--database-url", url, "--files-root", str(files_root),
                  "--user", producer.email, "--dry-run")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.strip() == "sp404: the old database has no `samples` table"
