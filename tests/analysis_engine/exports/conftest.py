"""Exports through the running engine: wait for the job, download and open the ZIP."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator

import httpx
import pytest

from tests.gateway_signing import as_gateway
from tests.stack import Producer


def wait_ready(client: httpx.Client, export_id: str, timeout: float = 60.0) -> dict:  # type: ignore[type-arg]
    """The export once its job ended (ready or failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body: dict = client.get(f"/api/exports/{export_id}").json()  # type: ignore[type-arg]
        if body["status"] in ("ready", "failed", "expired"):
            return body
        time.sleep(0.2)
    raise TimeoutError(f"export {export_id} never finished")


def download_zip(client: httpx.Client, export_id: str) -> zipfile.ZipFile:
    """The export's ZIP, downloaded through the API."""
    response = client.get(f"/api/exports/{export_id}/download")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(response.content))


@pytest.fixture
def client(engine_url: str, account: Producer) -> Iterator[httpx.Client]:
    """The engine, signed in as `account`."""
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=account.auth, timeout=30
    ) as http:
        yield http
