"""The JSON access log says who asked what and how it went, and never carries a credential."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from sp404.core.settings import Settings
from tests.gateway_signing import as_gateway
from tests.services.conftest import service_env, wait_until_ready
from tests.stack import PASSWORD, Mailbox, Producer, signed_up, stop
from tests.support import free_port


@pytest.fixture
def logged_platform(
    migrated_db: Settings, mailbox: Mailbox, tmp_path: Path
) -> Iterator[tuple[str, Path]]:
    """A platform process logging at INFO to a file; yields its URL and the file."""
    port = free_port()
    log_file = tmp_path / "platform.stderr"
    env = service_env(
        migrated_db,
        SP404_LOG_LEVEL="INFO",
        SP404_SMTP_HOST="127.0.0.1",
        SP404_SMTP_PORT=str(mailbox.port),  # type: ignore[attr-defined]
        SP404_SMTP_STARTTLS="false",
        SP404_PUBLIC_URL="http://app.test",
    )
    with log_file.open("wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "sp404.cli.main", "serve", "platform", "--port", str(port)],
            env=env,
            stderr=stderr,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            wait_until_ready(url, process)
            yield url, log_file
        finally:
            stop(process)


def access_lines(log_file: Path) -> list[dict[str, Any]]:
    lines = [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]
    return [line for line in lines if line.get("logger") == "access"]


def access_line(log_file: Path, request_id: str, timeout: float = 10) -> dict[str, Any]:
    """The access line of a request; the service writes it just after the response is sent."""
    deadline = time.monotonic() + timeout
    while True:
        found = [line for line in access_lines(log_file) if line["request_id"] == request_id]
        if found or time.monotonic() > deadline:
            assert found, f"no access line for {request_id}"
            return found[0]
        time.sleep(0.05)


def test_sign_in_leaves_no_password_or_token_in_the_logs(
    logged_platform: tuple[str, Path], mailbox: Mailbox
) -> None:
    url, log_file = logged_platform
    with httpx.Client(base_url=url, auth=as_gateway(), headers={"X-Client-IP": "10.9.8.7"}) as api:
        producer: Producer = signed_up(api, mailbox)
        signed_in = api.post(
            "/api/auth/login", json={"email": producer.email, "password": producer.password}
        )
        assert signed_in.status_code == 200
        refreshed = api.post("/api/auth/refresh", json={"refresh_token": producer.refresh_token})
        assert refreshed.status_code == 200
        wrong = api.post("/api/auth/login", json={"email": producer.email, "password": "nope-x9"})
        assert wrong.status_code == 401
        profile = api.get(
            "/api/account/profile",
            headers={**producer.auth, "X-Request-ID": "audit-trail-1"},
        )
        assert profile.status_code == 200
    seen = access_line(log_file, "audit-trail-1")
    text = log_file.read_text()
    secrets = [PASSWORD, "nope-x9", producer.token, producer.refresh_token]
    secrets += [refreshed.json()["token"], refreshed.json()["refresh_token"]]
    secrets += [signed_in.json()["token"], signed_in.json()["refresh_token"]]
    assert [s for s in secrets if s in text] == []
    assert "Bearer" not in text

    lines = access_lines(log_file)
    login = next(line for line in lines if line["path"] == "/api/auth/login")
    assert login["route"] == "/api/auth/login" and login["method"] == "POST"
    assert login["status"] == 200 and login["duration_ms"] >= 0 and login["request_id"]
    assert seen["user_id"] == producer.user_id
    assert (seen["route"], seen["status"]) == ("/api/account/profile", 200)
