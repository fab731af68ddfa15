"""`sp404 serve --ssl-keyfile/--ssl-certfile` serves HTTPS itself, for deployments without a
TLS-terminating load balancer."""

from __future__ import annotations

import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from sp404.core.settings import Settings
from tests.services.conftest import StartService, service_env
from tests.stack import stop
from tests.support import free_port


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A throwaway key and self-signed certificate for 127.0.0.1, made by openssl."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
    command += ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
    command += ["-addext", "subjectAltName=IP:127.0.0.1"]
    subprocess.run(
        command,
        check=True,
        capture_output=True,
    )
    return key, cert


def wait_for_https(url: str, process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"service exited with {process.returncode}")
        try:
            httpx.get(f"{url}/healthz", verify=False, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not come up")


@pytest.fixture
def tls_gateway(migrated_db: Settings, self_signed: tuple[Path, Path]) -> Iterator[str]:
    key, cert = self_signed
    port = free_port()
    command = [sys.executable, "-m", "sp404.cli.main", "serve", "gateway", "--port", str(port)]
    command += ["--ssl-keyfile", str(key), "--ssl-certfile", str(cert)]
    process = subprocess.Popen(command, env=service_env(migrated_db))
    url = f"https://127.0.0.1:{port}"
    try:
        wait_for_https(url, process)
        yield url
    finally:
        stop(process)


def test_the_gateway_serves_https_with_hsts(
    tls_gateway: str, self_signed: tuple[Path, Path]
) -> None:
    response = httpx.get(f"{tls_gateway}/healthz", verify=False)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["strict-transport-security"].startswith("max-age=")
    # The certificate really is the one we generated: trusting it alone verifies the connection.
    _, cert = self_signed
    trusting = ssl.create_default_context(cafile=str(cert))
    assert httpx.get(f"{tls_gateway}/healthz", verify=trusting).status_code == 200


def test_plain_http_to_a_tls_port_gets_no_answer(tls_gateway: str) -> None:
    with pytest.raises(httpx.TransportError):
        httpx.get(tls_gateway.replace("https://", "http://") + "/healthz", timeout=3)


def test_plain_http_serving_sends_no_hsts(start_service: StartService) -> None:
    url = start_service("gateway")
    assert "strict-transport-security" not in httpx.get(f"{url}/healthz").headers


@pytest.mark.parametrize(
    "flags",
    [["--ssl-keyfile", "key.pem"], ["--ssl-certfile", "cert.pem"]],
)
def test_a_key_without_a_certificate_is_a_clean_one_line_error(
    flags: list[str], migrated_db: Settings, tmp_path: Path
) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sp404.cli.main", "serve", "gateway", *flags],
        capture_output=True,
        text=True,
        env=service_env(migrated_db),
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "sp404: --ssl-keyfile and --ssl-certfile must be given together"
    )


def test_a_missing_certificate_file_is_named_in_the_error(
    migrated_db: Settings, self_signed: tuple[Path, Path], tmp_path: Path
) -> None:
    key, _ = self_signed
    missing = tmp_path / "nope.pem"
    command = [sys.executable, "-m", "sp404.cli.main", "serve", "gateway"]
    command += ["--ssl-keyfile", str(key), "--ssl-certfile", str(missing)]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        env=service_env(migrated_db),
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert str(missing) in result.stderr and "Traceback" not in result.stderr
