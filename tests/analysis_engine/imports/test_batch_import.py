"""Batch import through the running engine: a ZIP in, samples and analysis jobs out, a report
of every file, and nothing left behind by hostile archives."""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import soundfile

from sp404.core.db import create_pool, tenant_tx
from sp404.core.settings import Settings
from tests.analysis_engine.imports.conftest import zip_of
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.stack import Mailbox, Producer, signed_up

FINAL = ("done", "stopped", "refused", "failed")


def _start(client: httpx.Client, archive: bytes, name: str = "pack.zip", **fields: str) -> Any:
    response = client.post(
        "/api/samples/batch", files={"archive": (name, archive, "application/zip")}, data=fields
    )
    assert response.status_code == 202, response.text
    return response.json()


def _finished(client: httpx.Client, import_id: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/samples/batch/{import_id}").json()
        if body["status"] in FINAL:
            return body
        time.sleep(0.2)
    raise TimeoutError(f"import {import_id} did not finish: {body}")


async def _state(settings: Settings, user_id: str) -> dict[str, Any]:
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            return {
                "samples": await conn.fetchval("select count(*) from app.samples"),
                "analyze_jobs": await conn.fetchval(
                    "select count(*) from app.processing_jobs where kind = 'analyze'"
                ),
                "storage": await conn.fetchval("select storage_bytes from app.usage_counters"),
                "reserved": await conn.fetchval("select reserved_bytes from app.usage_counters"),
            }
    finally:
        await pool.close()


async def _use_storage(settings: Settings, user_id: str, used: int) -> None:
    pool = await create_pool(settings, min_size=1, max_size=1)
    try:
        async with tenant_tx(pool, user_id) as conn:
            await conn.execute("update app.usage_counters set storage_bytes = $1", used)
    finally:
        await pool.close()


def _blobs(settings: Settings, user_id: str, folder: str) -> list[Path]:
    root = settings.blobs_dir / "users" / user_id / folder
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_zip_of_several_formats_in_folders_becomes_that_many_samples_and_jobs(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    files = {
        "pack/drums/kick.wav": audio_bytes("wav", freq=60),
        "pack/keys/chord.flac": audio_bytes("flac", freq=330),
        "pack/fx/riser.ogg": audio_bytes("ogg", freq=880),
        "pack/vox/hook.mp3": audio_bytes("mp3", freq=440),
        "pack/bass/sub.aiff": audio_bytes("aiff", freq=50),
    }
    started = _start(producer_client, zip_of(files), tags="Pack, Dusty", genre="Lo-fi")
    assert started["status"] == "queued" and started["job_id"]
    report = _finished(producer_client, started["import_id"])
    assert report["status"] == "done" and report["progress"] == 1.0
    assert report["counts"] == {"entries": 5, "stored": 5, "skipped": 0, "failed": 0}
    assert {f["filename"] for f in report["files"]} == {
        "kick.wav", "chord.flac", "riser.ogg", "hook.mp3", "sub.aiff"
    }  # fmt: skip
    assert report["stored_bytes"] == sum(len(data) for data in files.values())
    job = producer_client.get(f"/api/jobs/{started['job_id']}").json()
    assert job["kind"] == "batch_import" and job["status"] == "done" and job["progress"] == 1
    state = asyncio.run(_state(migrated_db, account.user_id))
    assert state["samples"] == 5 and state["analyze_jobs"] == 5
    assert state["storage"] == report["stored_bytes"] and state["reserved"] == 0
    kick = next(f for f in report["files"] if f["filename"] == "kick.wav")
    sample = producer_client.get(f"/api/samples/{kick['sample_id']}").json()
    assert sample["title"] == "kick" and sample["format"] == "wav"
    assert sample["tags"] == ["pack", "dusty"] and sample["genre"] == "Lo-fi"
    downloaded = producer_client.get(f"/api/samples/{kick['sample_id']}/download")
    assert downloaded.content == files["pack/drums/kick.wav"]
    # The uploaded archive is gone once the import has ended.
    assert _blobs(migrated_db, account.user_id, "imports") == []


def test_odd_entries_are_skipped_and_reported_while_the_audio_is_imported(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    wav = audio_bytes("wav")
    files = {
        "kit/snare.wav": wav,
        "kit/readme.txt": b"made with love on an SP-404, credits go to everyone" * 4,
        "kit/more-samples.zip": zip_of({"hat.wav": wav}),
        "kit/disguised.wav": zip_of({"hat.wav": wav}),
        "__MACOSX/kit/._snare.wav": wav,
        "kit/.DS_Store": b"\x00" * 64,
        "kit/broken.wav": wav[:3000],
    }
    report = _finished(producer_client, _start(producer_client, zip_of(files))["import_id"])
    assert report["status"] == "done"
    by_path = {f["path"]: f for f in report["files"]}
    assert by_path["kit/snare.wav"]["status"] == "stored"
    assert "not an audio file" in by_path["kit/readme.txt"]["reason"]
    assert "nested archive" in by_path["kit/more-samples.zip"]["reason"]
    assert "nested archive" in by_path["kit/disguised.wav"]["reason"]
    assert by_path["__MACOSX/kit/._snare.wav"]["status"] == "skipped"
    assert by_path["kit/.DS_Store"]["status"] == "skipped"
    assert by_path["kit/broken.wav"]["status"] == "failed"
    assert report["counts"] == {"entries": 7, "stored": 1, "skipped": 5, "failed": 1}
    assert asyncio.run(_state(migrated_db, account.user_id))["samples"] == 1


def test_hostile_names_are_stored_by_base_name_and_never_touch_those_paths(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    names = ["../../etc/passwd.wav", "/abs/x.wav", "C:\\x.wav"]
    files = {name: audio_bytes("wav") for name in names}
    report = _finished(producer_client, _start(producer_client, zip_of(files))["import_id"])
    assert report["counts"]["stored"] == 3
    assert sorted(f["filename"] for f in report["files"]) == ["passwd.wav", "x.wav", "x.wav"]
    for sample in producer_client.get("/api/samples").json()["samples"]:
        assert sample["filename"] in ("passwd.wav", "x.wav")
    repo = Path.cwd()
    for path in (
        Path("/etc/passwd.wav"),
        Path("/abs/x.wav"),
        repo / "C:\\x.wav",
        repo.parent.parent / "etc" / "passwd.wav",
        migrated_db.var_dir / "C:\\x.wav",
    ):
        assert not path.exists(), path


def test_zip_bombs_are_refused_leaving_only_the_report(
    producer_client: httpx.Client,
    account: Producer,
    migrated_db: Settings,
    gigabyte_of_zeros: bytes,
) -> None:
    bombs = {
        "zeros.zip": gigabyte_of_zeros,
        "many.zip": zip_of({f"hit-{i}.wav": b"x" for i in range(10_000)}),
    }
    reasons = {}
    for name, archive in bombs.items():
        started = _start(producer_client, archive, name=name)
        report = _finished(producer_client, started["import_id"])
        assert report["status"] == "refused", report
        assert report["counts"]["stored"] == 0
        reasons[name] = report["reason"]
        job = producer_client.get(f"/api/jobs/{started['job_id']}").json()
        assert job["status"] == "failed" and job["last_error"] == report["reason"]
    assert "zip bomb" in reasons["zeros.zip"]
    assert "10000 entries" in reasons["many.zip"]
    state = asyncio.run(_state(migrated_db, account.user_id))
    assert state == {"samples": 0, "analyze_jobs": 0, "storage": 0, "reserved": 0}
    assert _blobs(migrated_db, account.user_id, "") == []


def _quiet_wav(seconds: float, take: int = 0) -> bytes:
    # Mostly digital silence: large on disk, tiny in a ZIP (below the bomb-ratio floor); each
    # take differs in one frame, so no two are the same audio.
    rate = 44100
    data = np.zeros(int(seconds * rate), dtype="float32")
    data[:100] = 0.5
    data[100 + take] = 0.25
    buffer = io.BytesIO()
    soundfile.write(buffer, data, rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


def test_running_out_of_storage_stops_the_import_with_a_report_of_what_was_stored(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    wav = _quiet_wav(10.0)  # ~0.88 MB each
    limit = 100 * 1024**2  # the Free plan
    asyncio.run(_use_storage(migrated_db, account.user_id, limit - int(2.5 * len(wav))))
    files = {f"take-{i}.wav": _quiet_wav(10.0, i) for i in range(4)}
    report = _finished(producer_client, _start(producer_client, zip_of(files))["import_id"])
    assert report["status"] == "stopped"
    assert "Stopped after 2 stored files" in report["reason"] and "Storage" in report["reason"]
    assert [f["status"] for f in report["files"]] == [
        "stored", "stored", "not_imported", "not_imported"
    ]  # fmt: skip
    state = asyncio.run(_state(migrated_db, account.user_id))
    assert state["samples"] == 2 and state["reserved"] == 0
    assert state["storage"] == limit - int(2.5 * len(wav)) + 2 * len(wav)
    assert _blobs(migrated_db, account.user_id, "imports") == []


def test_an_archive_bigger_than_the_storage_left_is_refused_at_upload(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    asyncio.run(_use_storage(migrated_db, account.user_id, 100 * 1024**2 - 50_000))
    archive = zip_of({"loop.wav": audio_bytes("wav", seconds=2.0)}, method=zipfile.ZIP_STORED)
    response = producer_client.post(
        "/api/samples/batch", files={"archive": ("pack.zip", archive, "application/zip")}
    )
    assert response.status_code == 429 and response.json()["error"]["code"] == "quota_exceeded"
    state = asyncio.run(_state(migrated_db, account.user_id))
    assert state["reserved"] == 0 and _blobs(migrated_db, account.user_id, "") == []


def test_something_that_is_not_a_zip_is_refused_at_upload(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    response = producer_client.post(
        "/api/samples/batch", files={"archive": ("pack.zip", audio_bytes("wav"), "application/zip")}
    )
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_archive"
    assert _blobs(migrated_db, account.user_id, "") == []
    assert asyncio.run(_state(migrated_db, account.user_id))["reserved"] == 0


def test_another_producers_import_answers_404(
    producer_client: httpx.Client, api: httpx.Client, mailbox: Mailbox
) -> None:
    started = _start(producer_client, zip_of({"a.wav": audio_bytes("wav")}))
    other = signed_up(api, mailbox)
    response = producer_client.get(f"/api/samples/batch/{started['import_id']}", headers=other.auth)
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"
    listed = producer_client.get("/api/samples/batch", headers=other.auth).json()
    assert listed["imports"] == [] and listed["total"] == 0
    assert _finished(producer_client, started["import_id"])["status"] == "done"
