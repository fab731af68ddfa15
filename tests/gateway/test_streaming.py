"""Big bodies stream through without sitting in the gateway's memory; oversized ones are refused."""

from __future__ import annotations

import hashlib
import os
import socket
from collections.abc import Iterator
from pathlib import Path

from tests.gateway.conftest import Gateway, Mint, StartGateway, bearer

MIB = 1024 * 1024


def _rss_kib(pid: int, field: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise LookupError(field)


def _body(block: bytes, count: int) -> Iterator[bytes]:
    for _ in range(count):
        yield block


def test_a_200_mb_upload_streams_through_with_flat_gateway_memory(
    start_gateway: StartGateway, mint: Mint
) -> None:
    gw = start_gateway()
    token = bearer(mint(tier="enterprise"))
    # Warm up the code paths so the baseline includes everything a request loads.
    assert gw.client.post("/api/samples", content=b"x" * MIB, headers=token).status_code == 200
    before = _rss_kib(gw.pid)
    block = os.urandom(MIB)
    expected = hashlib.sha256()
    for _ in range(200):
        expected.update(block)
    response = gw.client.post(
        "/api/samples",
        content=_body(block, 200),
        headers={**token, "Content-Length": str(200 * MIB), "Content-Type": "audio/wav"},
    )
    assert response.status_code == 200
    received = response.json()
    assert received["body_length"] == 200 * MIB
    assert received["sha256"] == expected.hexdigest()
    assert received["headers"]["content-length"] == str(200 * MIB)
    peak_growth_mib = (_rss_kib(gw.pid, "VmHWM") - before) / 1024
    assert peak_growth_mib < 40, f"gateway memory grew by {peak_growth_mib:.0f} MiB"


def test_a_chunked_upload_without_length_arrives_whole(gateway: Gateway, mint: Mint) -> None:
    block = os.urandom(256 * 1024)
    response = gateway.client.post(
        "/api/samples", content=_body(block, 40), headers=bearer(mint(tier="enterprise"))
    )
    assert response.status_code == 200
    assert response.json()["body_length"] == 40 * len(block)
    assert response.json()["sha256"] == hashlib.sha256(block * 40).hexdigest()


def test_a_100_mb_download_streams_back_with_flat_gateway_memory(
    start_gateway: StartGateway, mint: Mint
) -> None:
    gw = start_gateway()
    token = bearer(mint(tier="enterprise"))
    assert gw.client.get("/api/exports/1/download?mb=1", headers=token).status_code == 200
    before = _rss_kib(gw.pid)
    received = 0
    with gw.client.stream("GET", "/api/exports/1/download?mb=100", headers=token) as response:
        assert response.status_code == 200
        for chunk in response.iter_raw():
            received += len(chunk)
    assert received == 100 * MIB
    assert (_rss_kib(gw.pid, "VmHWM") - before) / 1024 < 40


def test_a_json_body_declared_over_1_mb_is_refused_with_413(gateway: Gateway, mint: Mint) -> None:
    response = gateway.client.post(
        "/api/collections", content=b"{" + b" " * (MIB + 10) + b"}", headers=bearer(mint())
    )
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_an_upload_declared_over_the_upload_limit_is_refused_before_any_byte_is_read(
    gateway: Gateway, mint: Mint
) -> None:
    host, port = gateway.url.removeprefix("http://").split(":")
    head = (
        f"POST /api/samples HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {mint()}\r\n"
        f"Content-Length: {3 * 1024 * MIB}\r\n\r\n"
    )
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode())
        answer = ""
        while '"}}' not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk.decode("latin-1")
    assert answer.startswith("HTTP/1.1 413 ")
    assert '"payload_too_large"' in answer


def test_a_chunked_json_body_over_1_mb_is_cut_off_with_413(gateway: Gateway, mint: Mint) -> None:
    block = b" " * (64 * 1024)
    response = gateway.client.post(
        "/api/collections", content=_body(block, 24), headers=bearer(mint())
    )
    assert response.status_code == 413
