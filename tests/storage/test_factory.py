"""create_blob_store picks the store the settings name and gives the local one a lasting secret."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from sp404.core.settings import Settings
from sp404.storage import LocalBlobStore, S3BlobStore, create_blob_store
from sp404.storage.factory import SIGNING_SECRET_ENV, local_signing_secret


def settings_for(tmp_path: Path, **values: Any) -> Settings:
    return Settings(_env_file=None, var_dir=tmp_path, **values)  # type: ignore[call-arg]


async def test_local_is_the_default_and_lives_in_the_blobs_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SIGNING_SECRET_ENV, raising=False)
    store = create_blob_store(settings_for(tmp_path, public_url="https://cloud.example"))
    assert isinstance(store, LocalBlobStore)
    assert store.root == (tmp_path / "blobs").resolve()
    assert (await store.presign_get("users/u/x", expires_s=5)).startswith("https://cloud.example/")


def test_the_generated_signing_secret_is_private_and_survives_restarts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(SIGNING_SECRET_ENV, raising=False)
    first = local_signing_secret(tmp_path)
    assert local_signing_secret(tmp_path) == first
    assert len(first) >= 32
    mode = (tmp_path / ".signing-secret").stat().st_mode
    assert stat.S_IMODE(mode) == 0o600


def test_the_signing_secret_from_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SIGNING_SECRET_ENV, "e" * 40)
    settings = settings_for(tmp_path)
    assert settings.blob_signing_secret == SecretStr("e" * 40)
    create_blob_store(settings)
    assert local_signing_secret(tmp_path, "e" * 40) == b"e" * 40
    assert not (tmp_path / "blobs" / ".signing-secret").exists()


def test_a_short_signing_secret_in_the_environment_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SIGNING_SECRET_ENV, "short")
    with pytest.raises(ValueError, match=SIGNING_SECRET_ENV):
        create_blob_store(settings_for(tmp_path))


async def test_s3_settings_build_an_s3_store(tmp_path: Path) -> None:
    store = create_blob_store(
        settings_for(
            tmp_path,
            blob_store="s3",
            s3_endpoint_url="http://127.0.0.1:9",
            s3_bucket="samples",
            s3_access_key_id=SecretStr("AKID"),
            s3_secret_access_key=SecretStr("secret"),
        )
    )
    assert isinstance(store, S3BlobStore)
    assert store.bucket == "samples"
    await store.aclose()
