"""Import from the SP-404MK2 through the running engine: the reference project (written by a real
unit) becomes samples and a kit, damaged files are a 422 naming file and offset with nothing left
behind, and the kit exports as a native project identical to what the device wrote."""

from __future__ import annotations

import asyncio
import io
import struct
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import redis
import soundfile

from sp404.core.settings import Settings
from tests.analysis_engine.exports.conftest import download_zip, wait_ready
from tests.analysis_engine.imports.conftest import zip_of
from tests.analysis_engine.imports.test_batch_import import _blobs, _state, _use_storage
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.stack import Producer

REFERENCE = Path(__file__).parents[1] / "sp404" / "reference" / "pad-sequencer" / "2026-04-08"
FOLDER = "P08_PROJECT_08"
ROUTE = "/api/samples/device-import"


def project_files(prefix: str = FOLDER) -> dict[str, bytes]:
    """The device's project folder as it sits on the card, under `prefix`."""
    return {
        f"{prefix}/{path.relative_to(REFERENCE).as_posix()}": path.read_bytes()
        for path in sorted(REFERENCE.rglob("*"))
        if path.is_file() and path.suffix != ".txt"
    }


def _import(client: httpx.Client, archive: bytes) -> httpx.Response:
    return client.post(ROUTE, files={"archive": ("card.zip", archive, "application/zip")})


def _nothing_stored(settings: Settings, producer: Producer) -> None:
    state = asyncio.run(_state(settings, producer.user_id))
    assert state == {"samples": 0, "analyze_jobs": 0, "storage": 0, "reserved": 0}
    assert _blobs(settings, producer.user_id, "samples") == []


def test_the_reference_project_becomes_samples_and_a_kit_with_the_devices_settings(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    response = _import(producer_client, zip_of(project_files()))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["samples"] == 2 and len(body["kits"]) == 1
    kit = body["kits"][0]
    assert (kit["name"], kit["bpm"], kit["source"], kit["notes"]) == (
        "PROJECT_08",
        90.0,
        FOLDER,
        [],
    )
    pads = {p["label"]: p for p in kit["pads"]}
    assert pads["A-01"]["name"] == "indust - houst kck - AR" and pads["A-01"]["bpm"] == 75.17
    assert pads["B-01"]["name"] == "hiphop - another life k" and pads["B-01"]["bpm"] == 118.47
    stored = producer_client.get(f"/api/kits/{kit['kit_id']}").json()
    settings = {
        p["label"]: (p["volume"], p["pitch"], p["gate"], p["loop"], p["one_shot"], p["mute_group"])
        for p in stored["pads"]
    }
    assert settings == {
        "A-01": (127, 0, False, False, False, 0),
        "B-01": (127, 0, True, False, False, 0),
    }
    # Analysed like any upload: a job each, storage counted; the device's tempo is kept.
    state = asyncio.run(_state(migrated_db, account.user_id))
    assert (state["samples"], state["analyze_jobs"], state["reserved"]) == (2, 2, 0)
    assert state["storage"] == body["stored_bytes"] > 0
    sample = producer_client.get(f"/api/samples/{pads['A-01']['sample_id']}").json()
    assert (sample["title"], sample["bpm"], sample["tags"]) == (
        "indust - houst kck - AR", 75.17, ["sp-404mk2"]
    )  # fmt: skip
    wav = producer_client.get(f"/api/samples/{pads['A-01']['sample_id']}/download").content
    audio, rate = soundfile.read(io.BytesIO(wav), dtype="int16", always_2d=True)
    smp = (REFERENCE / "SMPL" / "BANK1-01.SMP").read_bytes()
    device = np.frombuffer(smp, dtype=">i2", offset=512).reshape(-1, 2)
    assert rate == 48_000 and np.array_equal(audio, device)


def test_a_kit_imported_from_the_device_exports_as_the_devices_own_project(
    producer_client: httpx.Client,
) -> None:
    body = _import(producer_client, zip_of(project_files())).json()
    kit_id = body["kits"][0]["kit_id"]
    response = producer_client.post(
        "/api/exports", json={"kind": "native_project", "kit_id": kit_id}
    )
    assert response.status_code == 202, response.text
    done = wait_ready(producer_client, response.json()["id"])
    assert (done["status"], done["beta"]) == ("ready", True)
    archive = download_zip(producer_client, done["id"])
    root = "EXPORT/PROJECT/P01_PROJECT_08"
    # Every pad record (user fields and the rest), name, mark and header byte comes back.
    assert archive.read(f"{root}/PADCONF.BIN") == (REFERENCE / "PADCONF.BIN").read_bytes()
    for name in ("BANK1-01.SMP", "BANK2-01.SMP"):
        ours, device = archive.read(f"{root}/SMPL/{name}"), (REFERENCE / "SMPL" / name).read_bytes()
        assert ours[:0x30] == device[:0x30]  # header fields and checksum
        assert ours[512:] == device[512:]  # the audio
    assert sorted(n for n in archive.namelist() if n.endswith(".SMP")) == [
        f"{root}/SMPL/BANK1-01.SMP", f"{root}/SMPL/BANK2-01.SMP"
    ]  # fmt: skip


def test_a_whole_card_backup_imports_its_projects_and_ignores_the_rest(
    producer_client: httpx.Client,
) -> None:
    files = project_files(f"SD backup/EXPORT/PROJECT/{FOLDER}")
    files["SD backup/SP404MKII_APP0.bin"] = b"\x00" * 100
    files["__MACOSX/SD backup/._PADCONF.BIN"] = b"junk"
    files["SD backup/IMPORT/loose take.wav"] = audio_bytes("wav")  # not in a bank folder
    files["SD backup/IMPORT/DUSTY/BANK B/03 HAT.WAV"] = audio_bytes("wav", freq=900)
    body = _import(producer_client, zip_of(files)).json()
    assert [k["name"] for k in body["kits"]] == ["PROJECT_08", "DUSTY"]
    assert body["kits"][0]["source"] == f"SD backup/EXPORT/PROJECT/{FOLDER}"
    assert [p["label"] for p in body["kits"][1]["pads"]] == ["B-03"]
    assert body["samples"] == 3
    again = _import(producer_client, zip_of(files)).json()
    assert again["kits"][0]["name"] == "PROJECT_08 (2)"


def test_import_style_bank_folders_become_a_kit(producer_client: httpx.Client) -> None:
    files = {
        "IMPORT/DUSTY/BANK A/01 KICK DEEP.WAV": audio_bytes("wav", freq=60),
        "IMPORT/DUSTY/BANK C/16 SNARE.WAV": audio_bytes("wav", freq=200),
        "IMPORT/DUSTY/PADMAP.txt": b"map",
    }
    response = _import(producer_client, zip_of(files))
    assert response.status_code == 201, response.text
    kit = response.json()["kits"][0]
    assert kit["name"] == "DUSTY"
    assert {(p["label"], p["name"]) for p in kit["pads"]} == {
        ("A-01", "KICK DEEP"), ("C-16", "SNARE")
    }  # fmt: skip


def _refused(client: httpx.Client, files: dict[str, bytes]) -> dict[str, Any]:
    response = _import(client, zip_of(files))
    assert response.status_code == 422, response.text
    error: dict[str, Any] = response.json()["error"]
    return error


def test_a_truncated_smp_is_a_422_naming_file_and_offset_and_nothing_is_stored(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    files = project_files()
    smp = f"{FOLDER}/SMPL/BANK2-01.SMP"
    files[smp] = files[smp][:200_000]
    error = _refused(producer_client, files)
    assert error["code"] == "bad_device_file"
    assert error["message"] == (
        f"{smp}: truncated: the header says 294012 bytes, the file has 200000 "
        "(at byte offset 200000, 0x30D40)."
    )
    _nothing_stored(migrated_db, account)
    assert producer_client.get("/api/kits").json()["total"] == 0


def test_a_damaged_padconf_or_a_missing_smp_is_a_422_naming_it(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    files = project_files()
    padconf = bytearray(files[f"{FOLDER}/PADCONF.BIN"])
    struct.pack_into(">I", padconf, 0xA0 + 16 * 172 + 0x0C, 999)  # pad B-01's volume
    error = _refused(producer_client, {**files, f"{FOLDER}/PADCONF.BIN": bytes(padconf)})
    assert error["message"].startswith(f"{FOLDER}/PADCONF.BIN: pad B-01: volume 999 is above 127")
    assert "offset 2924, 0xB6C" in error["message"]  # 0xA0 + 16 x 172 + 0x0C
    struct.pack_into(">I", padconf, 0xA0 + 16 * 172 + 0x0C, 127)
    struct.pack_into(">II", padconf, 0xA0 + 16 * 172 + 4, 512, 513)  # B-01: less than a frame
    error = _refused(producer_client, {**files, f"{FOLDER}/PADCONF.BIN": bytes(padconf)})
    assert "pad B-01: start and end leave no whole frame" in error["message"]
    missing = {k: v for k, v in files.items() if not k.endswith("BANK2-01.SMP")}
    error = _refused(producer_client, missing)
    assert error["message"].startswith(f"{FOLDER}/SMPL/BANK2-01.SMP: missing")
    assert _refused(producer_client, {"notes.txt": b"hello"})["code"] == "no_device_project"
    _nothing_stored(migrated_db, account)


def test_running_out_of_storage_halfway_leaves_no_sample_behind(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    first = (REFERENCE / "SMPL" / "BANK1-01.SMP").stat().st_size
    limit = 100 * 1024**2  # the Free plan: room for the first pad's WAV, not the second's
    asyncio.run(_use_storage(migrated_db, account.user_id, limit - first - 1000))
    response = _import(producer_client, zip_of(project_files()))
    assert response.status_code == 429, response.text
    assert response.json()["error"]["code"] == "quota_exceeded"
    state = asyncio.run(_state(migrated_db, account.user_id))
    assert (state["samples"], state["reserved"]) == (0, 0)
    assert state["storage"] == limit - first - 1000
    assert _blobs(migrated_db, account.user_id, "samples") == []


def test_a_trimmed_device_pad_keeps_its_trim_and_exports_it_back(
    producer_client: httpx.Client,
) -> None:
    files = project_files()
    padconf = bytearray(files[f"{FOLDER}/PADCONF.BIN"])
    b01 = 0xA0 + 16 * 172  # stereo: a frame is 4 bytes from byte 512 of the .SMP
    struct.pack_into(">II", padconf, b01 + 4, 512 + 1000 * 4, 512 + 50_000 * 4)
    struct.pack_into(">I", padconf, b01 + 0x2C, 512 + 1000 * 4)  # loop start follows start
    files[f"{FOLDER}/PADCONF.BIN"] = bytes(padconf)
    body = _import(producer_client, zip_of(files)).json()
    kit_id = body["kits"][0]["kit_id"]
    pads = {p["label"]: p for p in producer_client.get(f"/api/kits/{kit_id}").json()["pads"]}
    assert (pads["B-01"]["start"], pads["B-01"]["end"]) == (1000, 50_000)
    assert (pads["A-01"]["start"], pads["A-01"]["end"]) == (None, None)
    response = producer_client.post(
        "/api/exports", json={"kind": "native_project", "kit_id": kit_id}
    )
    archive = download_zip(
        producer_client, wait_ready(producer_client, response.json()["id"])["id"]
    )
    assert archive.read("EXPORT/PROJECT/P01_PROJECT_08/PADCONF.BIN") == bytes(padconf)


def test_a_second_import_while_one_runs_answers_429_and_the_lock_is_released_after(
    producer_client: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    store = redis.Redis.from_url(migrated_db.redis_url)
    key = f"sp404:device-import:{account.user_id}"
    store.set(key, "another import", ex=60)
    try:
        response = _import(producer_client, zip_of(project_files()))
        assert response.status_code == 429, response.text
        assert response.json()["error"]["code"] == "device_import_running"
        assert response.headers["Retry-After"] == "30"
    finally:
        store.delete(key)
    assert _import(producer_client, zip_of(project_files())).status_code == 201
    # A refused import releases its lock too.
    assert _refused(producer_client, {"notes.txt": b"hello"})["code"] == "no_device_project"
    assert store.get(key) is None
    assert asyncio.run(_state(migrated_db, account.user_id))["samples"] == 2
