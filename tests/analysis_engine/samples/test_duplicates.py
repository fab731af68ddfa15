"""Duplicates: an upload whose audio the producer already has answers 409 with that sample;
another producer may hold the same file; a batch import skips and reports duplicates."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.analysis_engine.imports.conftest import zip_of
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, signed_up


def _upload(client: httpx.Client, data: bytes, title: str) -> httpx.Response:
    return client.post(
        "/api/samples", data={"title": title}, files={"audio": ("a.wav", data, "audio/wav")}
    )


def test_the_same_audio_twice_answers_409_with_the_existing_sample(
    producer_client: httpx.Client, api: httpx.Client, mailbox: Mailbox, engine_url: str
) -> None:
    data = audio_bytes()
    first = _upload(producer_client, data, "First")
    assert first.status_code == 201, first.text
    again = _upload(producer_client, data, "Renamed copy")
    assert again.status_code == 409, again.text
    error = again.json()["error"]
    assert (error["code"], error["sample_id"]) == ("duplicate_sample", first.json()["sample_id"])
    assert error["message"] == "This audio is already in your library."
    assert producer_client.get("/api/samples").json()["total"] == 1
    # Someone else's library is theirs: the same file is a new sample there.
    other = signed_up(api, mailbox)
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=other.auth, timeout=30
    ) as client:
        assert _upload(client, data, "Theirs").status_code == 201


def test_a_direct_upload_of_audio_already_there_is_409_and_frees_its_reservation(
    producer_client: httpx.Client, engine_url: str
) -> None:
    data = audio_bytes("wav", seconds=1.0)
    first = _upload(producer_client, data, "Original").json()["sample_id"]
    grant = producer_client.post(
        "/api/samples/uploads", json={"filename": "again.wav", "size": len(data)}
    ).json()
    parts = urlsplit(grant["url"])
    put = httpx.request(
        grant["method"], f"{engine_url}{parts.path}?{parts.query}", auth=as_gateway(),
        content=data, headers=grant["headers"],
    )  # fmt: skip
    assert put.status_code in (200, 201, 204), put.text
    done = producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert done.status_code == 409, done.text
    assert done.json()["error"]["sample_id"] == first
    # The upload is closed: completing it again finds nothing, and the library holds one sample.
    again = producer_client.post(f"/api/samples/uploads/{grant['upload_id']}/complete")
    assert again.status_code == 404
    assert producer_client.get("/api/samples").json()["total"] == 1


def _finished(client: httpx.Client, import_id: str) -> Any:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        body = client.get(f"/api/samples/batch/{import_id}").json()
        if body["status"] in ("done", "stopped", "refused", "failed"):
            return body
        time.sleep(0.2)
    raise TimeoutError(import_id)


def test_a_batch_import_skips_duplicates_and_names_the_sample_they_duplicate(
    producer_client: httpx.Client,
) -> None:
    have = audio_bytes(freq=330)
    existing = _upload(producer_client, have, "Already here").json()["sample_id"]
    fresh = audio_bytes(freq=440)
    archive = zip_of({"pack/one.wav": fresh, "pack/copy-of-one.wav": fresh, "pack/old.wav": have})
    started = producer_client.post(
        "/api/samples/batch", files={"archive": ("pack.zip", archive, "application/zip")}
    )
    assert started.status_code == 202, started.text
    report = _finished(producer_client, started.json()["import_id"])
    assert report["counts"] == {"entries": 3, "stored": 1, "skipped": 2, "failed": 0}
    by_path = {f["path"]: f for f in report["files"]}
    stored = by_path["pack/one.wav"]["sample_id"]
    assert by_path["pack/copy-of-one.wav"] == {
        "path": "pack/copy-of-one.wav", "filename": "copy-of-one.wav", "status": "skipped",
        "reason": "already in your library", "duplicate_of": stored,
    }  # fmt: skip
    assert by_path["pack/old.wav"]["duplicate_of"] == existing
    assert producer_client.get("/api/samples").json()["total"] == 2
