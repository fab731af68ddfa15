"""The product as a producer meets it: every request through the gateway, a real worker behind."""

from __future__ import annotations

import io
import subprocess
import sys
import time

import httpx
import soundfile

from sp404.core.settings import Settings
from tests.analysis_engine.features.synthetic_audio import SR, drum_loop
from tests.services.conftest import service_env
from tests.stack import Mailbox, link_token, new_email


def _loop(bpm: float) -> bytes:
    buffer = io.BytesIO()
    soundfile.write(
        buffer, drum_loop(bpm, 2, variant=int(bpm) % 2) * 0.8, SR, format="WAV", subtype="PCM_16"
    )
    return buffer.getvalue()


def test_sign_up_upload_analyse_find_similar_and_leave(
    gateway_url: str, mailbox: Mailbox, migrated_db: Settings
) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-m", "sp404.cli.main", "worker"],
        env=service_env(migrated_db, SP404_WORKER_LEASE_S="10"),
    )
    try:
        with httpx.Client(
            base_url=gateway_url, timeout=30, headers={"X-Forwarded-For": "10.77.0.1"}
        ) as gw:
            address, password = new_email(), "an end to end passphrase"
            created = gw.post(
                "/api/auth/register",
                json={"email": address, "password": password, "first_name": "E", "last_name": "E"},
            )
            assert created.status_code == 201
            token = link_token(mailbox.wait_for(address, "confirm"))
            assert gw.post("/api/auth/verify", json={"token": token}).status_code == 200
            login = gw.post("/api/auth/login", json={"email": address, "password": password})
            auth = {"Authorization": f"Bearer {login.json()['token']}"}
            assert "x-ratelimit-limit" in gw.get("/api/samples", headers=auth).headers

            ids = []
            for bpm in (90.0, 92.0, 140.0):
                up = gw.post(
                    "/api/samples",
                    headers=auth,
                    files={"audio": (f"loop{bpm:.0f}.wav", _loop(bpm), "audio/wav")},
                )
                assert up.status_code == 201, up.text
                ids.append(up.json()["sample_id"])
            # One library read a second: under a loaded machine the worker may take a minute,
            # and three reads every half second would spend the Free plan's 100 a minute.
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline:
                listed = gw.get("/api/samples", headers=auth)
                assert listed.status_code == 200, listed.text
                by_id = {s["id"]: s["status"] for s in listed.json()["samples"]}
                states = [by_id.get(i) for i in ids]
                if all(state == "ready" for state in states):
                    break
                time.sleep(1.0)
            assert states == ["ready"] * 3
            similar = gw.get(f"/api/samples/{ids[0]}/similar", headers=auth)
            assert similar.status_code == 200, similar.text
            assert ids[0] not in [r["sample"]["id"] for r in similar.json()["results"]]
            usage = gw.get("/api/billing/subscription", headers=auth).json()["usage"]
            assert usage["analyses_used"] == 3 and usage["storage_mb"] > 0

            assert gw.post("/api/auth/logout", headers=auth).status_code == 200
            assert gw.get("/api/samples", headers=auth).status_code == 401
    finally:
        worker.terminate()
        worker.wait(timeout=30)
