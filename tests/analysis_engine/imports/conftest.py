"""ZIP archives and producers for the import tests; the engine runs as its own process."""

from __future__ import annotations

import io
import zipfile

import httpx
import pytest

from tests.stack import Producer  # the stack's fixtures come from tests.stack (a pytest plugin)


def zip_of(entries: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    """A ZIP holding `entries` under exactly these names (no normalisation)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = method
            archive.writestr(info, data)
    return buffer.getvalue()


@pytest.fixture
def producer_client(engine: httpx.Client, account: Producer) -> httpx.Client:
    """The engine client, signed in as `account`."""
    engine.headers.update(account.auth)
    return engine


@pytest.fixture(scope="session")
def gigabyte_of_zeros() -> bytes:
    """A ZIP of about 1 MB holding one 1 GB entry of zeros (the classic bomb)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        info = zipfile.ZipInfo("loop.wav")
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w", force_zip64=True) as out:
            zeros = bytes(1024**2)
            for _ in range(1024):
                out.write(zeros)
    return buffer.getvalue()
