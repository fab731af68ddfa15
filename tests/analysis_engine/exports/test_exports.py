"""Exports through the running engine: an IMPORT pack that loads on the sampler, a native project
(beta), plain sample exports, tenancy, path safety and expiry."""

from __future__ import annotations

import asyncio
import io
import time
import uuid

import asyncpg
import httpx
import mido
import soundfile

from analysis_engine.sp404 import check_wav_header
from sp404.core.settings import Settings
from tests.analysis_engine.exports.conftest import download_zip, wait_ready
from tests.analysis_engine.samples.conftest import upload
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, signed_up


def _kit(client: httpx.Client, name: str, bpm: float, pads: dict[tuple[str, int], str]) -> str:
    kit_id: str = client.post("/api/kits", json={"name": name, "bpm": bpm}).json()["id"]
    for (bank, pad), sample_id in pads.items():
        assigned = client.put(
            f"/api/kits/{kit_id}/pads", json={"bank": bank, "pad": pad, "sample_id": sample_id}
        )
        assert assigned.status_code == 200, assigned.text
    return kit_id


def _export(client: httpx.Client, body: dict) -> dict:  # type: ignore[type-arg]
    response = client.post("/api/exports", json=body)
    assert response.status_code == 202, response.text
    return wait_ready(client, response.json()["id"])


def test_an_import_pack_holds_sampler_ready_wavs_a_pad_map_and_midi_per_bank(
    client: httpx.Client,
) -> None:
    kick = upload(client, "Kick Deep", seconds=0.3, rate=44100)
    loop = upload(client, "Dusty Loop Extra Long Title Here", seconds=1.0, rate=22050, channels=2)
    chop = upload(client, "Chop", seconds=0.5, rate=48000)
    kit_id = _kit(client, "Boom Bap", 93.0, {("A", 13): kick, ("A", 1): loop, ("C", 2): chop})
    done = _export(client, {"kind": "import_pack", "kit_id": kit_id})
    assert (done["status"], done["progress"], done["beta"]) == ("ready", 1.0, False)
    archive = download_zip(client, done["id"])
    names = archive.namelist()
    wavs = [n for n in names if n.endswith(".WAV")]
    assert sorted(wavs) == [
        "IMPORT/BOOM BAP/BANK A/01 DUSTY LOOP EXTRA LON.WAV",
        "IMPORT/BOOM BAP/BANK A/13 KICK DEEP.WAV",
        "IMPORT/BOOM BAP/BANK C/02 CHOP.WAV",
    ]
    for name in wavs:
        data = archive.read(name)
        info = check_wav_header(data)
        assert (info.sample_rate, len(data) - info.frames * info.channels * 2) == (48000, 44)
        audio, rate = soundfile.read(io.BytesIO(data))
        assert rate == 48000 and len(audio) > 0
        stem = name.rsplit("/", 1)[1].removesuffix(".WAV")
        assert stem.isascii() and len(stem) <= 23
    bank_a = sorted(n.rsplit("/", 1)[1] for n in wavs if "/BANK A/" in n)
    assert bank_a == ["01 DUSTY LOOP EXTRA LON.WAV", "13 KICK DEEP.WAV"]
    assert "IMPORT/BOOM BAP/PADMAP.txt" in names
    for bank, channel, notes in (("A", 0, {36, 48}), ("C", 2, {37})):
        midi = mido.MidiFile(file=io.BytesIO(archive.read(f"IMPORT/BOOM BAP/MIDI/BANK {bank}.mid")))
        assert midi.ticks_per_beat == 480
        messages = [m for m in midi.tracks[0] if m.type == "note_on"]
        assert {m.channel for m in messages} == {channel}
        assert {m.note for m in messages} == notes
        tempo = next(m.tempo for m in midi.tracks[0] if m.type == "set_tempo")
        assert tempo == mido.bpm2tempo(93.0)


def test_a_native_project_export_is_beta_with_a_52000_byte_padconf(client: httpx.Client) -> None:
    one = upload(client, "One", seconds=0.2)
    two = upload(client, "Two", seconds=0.2, rate=32000)
    kit_id = _kit(client, "Native", 120.0, {("A", 1): one, ("B", 16): two})
    # A mute group no device file confirms yet is left out, and the export says so.
    body = {"bank": "B", "pad": 16, "sample_id": two, "mute_group": 9}
    assert client.put(f"/api/kits/{kit_id}/pads", json=body).status_code == 200
    done = _export(client, {"kind": "native_project", "kit_id": kit_id})
    assert (done["status"], done["beta"]) == ("ready", True)
    assert done["report"]["settings_left_out"] == [
        "B-16: mute group 9 left off (device files confirm groups 1-2 only)"
    ]
    archive = download_zip(client, done["id"])
    root = "EXPORT/PROJECT/P01_NATIVE"
    assert len(archive.read(f"{root}/PADCONF.BIN")) == 52_000
    smp = sorted(n for n in archive.namelist() if n.endswith(".SMP"))
    assert smp == [f"{root}/SMPL/BANK1-01.SMP", f"{root}/SMPL/BANK2-16.SMP"]
    assert "BETA" in archive.read("README-PROJECT-BETA.txt").decode()
    listed = client.get("/api/exports").json()
    assert listed["exports"][0]["beta"] is True


def test_names_with_path_traversal_stay_inside_the_archive(client: httpx.Client) -> None:
    evil = upload(client, "../../../etc/passwd", seconds=0.2)
    kit_id = _kit(client, "../../..\\evil:kit", 100.0, {("A", 1): evil})
    archive = download_zip(client, _export(client, {"kind": "import_pack", "kit_id": kit_id})["id"])
    for name in archive.namelist():
        parts = name.split("/")
        assert parts[0] == "IMPORT" and ".." not in parts and "\\" not in name and ":" not in name
    samples = _export(client, {"kind": "samples", "sample_ids": [evil], "name": "../../x"})
    for name in download_zip(client, samples["id"]).namelist():
        assert name.startswith("IMPORT/") and ".." not in name.split("/")


def test_samples_are_exported_in_folders_by_bpm_range(client: httpx.Client) -> None:
    slow = upload(client, "Slow", seconds=0.2)
    fast = upload(client, "Fast", seconds=0.2, rate=96000)
    client.patch(f"/api/samples/{slow}", json={"bpm": 84})
    client.patch(f"/api/samples/{fast}", json={"bpm": 141})
    done = _export(
        client, {"kind": "samples", "sample_ids": [slow, fast], "organise": "bpm", "name": "Picks"}
    )
    assert sorted(download_zip(client, done["id"]).namelist()) == [
        "IMPORT/PICKS/080-089 BPM/SLOW.WAV",
        "IMPORT/PICKS/140-149 BPM/FAST.WAV",
    ]


def test_a_selection_holding_another_producers_sample_exports_nothing(
    client: httpx.Client, api: httpx.Client, mailbox: Mailbox, engine_url: str
) -> None:
    mine = upload(client, "Mine", seconds=0.2)
    other = signed_up(api, mailbox)
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=other.auth, timeout=30
    ) as theirs:
        foreign = upload(theirs, "Theirs", seconds=0.2)
    response = client.post("/api/exports", json={"kind": "samples", "sample_ids": [mine, foreign]})
    assert response.status_code == 404
    assert client.get("/api/exports").json()["total"] == 0
    kit = client.post("/api/exports", json={"kind": "import_pack", "kit_id": str(uuid.uuid4())})
    assert kit.status_code == 404


def test_an_export_of_an_empty_kit_answers_422(client: httpx.Client) -> None:
    kit_id = client.post("/api/kits", json={"name": "Nothing yet"}).json()["id"]
    response = client.post("/api/exports", json={"kind": "import_pack", "kit_id": kit_id})
    assert response.status_code == 422


async def _expire(settings: Settings, user_id: str, export_id: str) -> None:
    conn = await asyncpg.connect(settings.database_url)
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.user_id', $1, true)", user_id)
            await conn.execute(
                "update app.exports set expires_at = now() - interval '1 second' where id = $1",
                uuid.UUID(export_id),
            )
            await conn.execute(
                "update app.processing_jobs set run_after = now()"
                " where payload ->> 'export_id' = $1 and payload ->> 'action' = 'expire'",
                export_id,
            )
            await conn.execute("select pg_notify('sp404_jobs', 'export')")
    finally:
        await conn.close()


def test_an_expired_export_answers_410_and_its_file_is_removed(
    client: httpx.Client, migrated_db: Settings, account
) -> None:  # type: ignore[no-untyped-def]
    sample = upload(client, "Short Lived", seconds=0.2)
    done = _export(client, {"kind": "samples", "sample_ids": [sample]})
    blob = migrated_db.blobs_dir / "users" / account.user_id / "exports" / f"{done['id']}.zip"
    assert blob.exists()
    asyncio.run(_expire(migrated_db, account.user_id, done["id"]))
    gone = client.get(f"/api/exports/{done['id']}/download")
    assert gone.status_code == 410
    assert wait_ready(client, done["id"])["status"] == "expired"
    for _ in range(100):
        if not blob.exists():
            break
        time.sleep(0.1)
    assert not blob.exists()
