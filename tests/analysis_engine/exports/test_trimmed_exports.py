"""A pad's trim in every export: the IMPORT pack holds only the trimmed audio, and the native
project holds the whole sample with the pad's start and end pointing at the trim.

Trim points are source frames; after the 48 kHz conversion a span of n source frames at rate r
lasts floor(n * 48000 / r + 1/2) frames (soxr rounds half up), and a trim point at source frame
f lands on frame floor(f * 48000 / r + 1/2) of the converted sample.
"""

from __future__ import annotations

import io
import struct

import httpx
import soundfile

from analysis_engine.sp404 import offsets
from tests.analysis_engine.exports.conftest import download_zip, wait_ready
from tests.analysis_engine.samples.conftest import upload


def _converted(frames: int, rate: int) -> int:
    return (2 * frames * 48000 + rate) // (2 * rate)


def _kit_with_trim(client: httpx.Client, name: str, sample_id: str, trim: dict[str, int]) -> str:
    kit_id: str = client.post("/api/kits", json={"name": name, "bpm": 90}).json()["id"]
    pad = {"bank": "A", "pad": 1, "sample_id": sample_id, **trim}
    assert client.put(f"/api/kits/{kit_id}/pads", json=pad).status_code == 200
    return kit_id


def _export(client: httpx.Client, kind: str, kit_id: str) -> dict:  # type: ignore[type-arg]
    response = client.post("/api/exports", json={"kind": kind, "kit_id": kit_id})
    assert response.status_code == 202, response.text
    done = wait_ready(client, response.json()["id"])
    assert done["status"] == "ready", done
    return done


def _wav_frames(client: httpx.Client, export_id: str) -> int:
    archive = download_zip(client, export_id)
    [name] = [n for n in archive.namelist() if n.endswith(".WAV")]
    audio, rate = soundfile.read(io.BytesIO(archive.read(name)))
    assert rate == 48000
    return len(audio)


def test_a_trim_shortens_the_import_packs_wav_by_the_trimmed_frames(client: httpx.Client) -> None:
    sample_id = upload(client, "Break", seconds=1.0, rate=44100)
    whole = _wav_frames(client, _export(client, "import_pack", _kit_with_trim(
        client, "Whole", sample_id, {}))["id"])  # fmt: skip
    assert whole == _converted(44100, 44100) == 48000
    start, end = 4410, 30000
    trimmed = _wav_frames(client, _export(client, "import_pack", _kit_with_trim(
        client, "Trimmed", sample_id, {"start": start, "end": end}))["id"])  # fmt: skip
    assert trimmed == _converted(end - start, 44100) == 27853
    assert whole - trimmed == 20147


def test_a_native_project_plays_the_trim_as_the_pads_start_and_end(client: httpx.Client) -> None:
    sample_id = upload(client, "Loop", seconds=1.0, rate=44100, channels=2)
    start, end = 11025, 33075
    kit_id = _kit_with_trim(client, "Native Trim", sample_id, {"start": start, "end": end})
    archive = download_zip(client, _export(client, "native_project", kit_id)["id"])
    [padconf_name] = [n for n in archive.namelist() if n.endswith("/PADCONF.BIN")]
    [smp_name] = [n for n in archive.namelist() if n.endswith(".SMP")]
    padconf, smp = archive.read(padconf_name), archive.read(smp_name)
    # The whole sample is in the project; pad A-01 (record 0) points at its trimmed part.
    assert len(smp) == offsets.SMP_AUDIO_OFFSET + 48000 * 2 * 2
    record = offsets.PAD_RECORDS
    (start_at,) = struct.unpack_from(">I", padconf, record + offsets.PAD_START)
    (end_at,) = struct.unpack_from(">I", padconf, record + offsets.PAD_END)
    bytes_per_frame = 2 * 2
    assert start_at == offsets.SMP_AUDIO_OFFSET + _converted(start, 44100) * bytes_per_frame
    assert end_at == offsets.SMP_AUDIO_OFFSET + _converted(end, 44100) * bytes_per_frame
    assert (_converted(start, 44100), _converted(end, 44100)) == (12000, 36000)


def test_with_trim_silence_a_native_pad_holds_its_trimmed_audio_whole(
    client: httpx.Client,
) -> None:
    # Trimming silence moves the sample's first frame, so the pad's audio is cut to the trim
    # first and the pad plays all of it.
    sample_id = upload(client, "Quiet Start", seconds=1.0, rate=44100)
    kit_id = _kit_with_trim(client, "Native Silence", sample_id, {"start": 11025, "end": 33075})
    response = client.post(
        "/api/exports",
        json={"kind": "native_project", "kit_id": kit_id, "trim_silence": True},
    )
    assert response.status_code == 202, response.text
    done = wait_ready(client, response.json()["id"])
    assert done["status"] == "ready", done
    archive = download_zip(client, done["id"])
    [padconf_name] = [n for n in archive.namelist() if n.endswith("/PADCONF.BIN")]
    [smp_name] = [n for n in archive.namelist() if n.endswith(".SMP")]
    frames = (len(archive.read(smp_name)) - offsets.SMP_AUDIO_OFFSET) // 2
    # The trim's 24000 frames at 48 kHz, less any near-silent frame at its edges.
    assert 23990 <= frames <= _converted(33075 - 11025, 44100) == 24000
    padconf = archive.read(padconf_name)
    (start_at,) = struct.unpack_from(">I", padconf, offsets.PAD_RECORDS + offsets.PAD_START)
    (end_at,) = struct.unpack_from(">I", padconf, offsets.PAD_RECORDS + offsets.PAD_END)
    assert (start_at, end_at) == (offsets.SMP_AUDIO_OFFSET, offsets.SMP_AUDIO_OFFSET + 2 * frames)
