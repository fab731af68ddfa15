"""Build the configured BlobStore from the storage section of the settings."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from sp404.core.settings import StorageSection
from sp404.storage.base import BlobStore
from sp404.storage.local import MIN_SECRET_BYTES, LocalBlobStore
from sp404.storage.s3 import S3BlobStore

# Names, not secrets:
SIGNING_SECRET_ENV = "SP404_BLOB_SIGNING_SECRET"  # noqa: S105
SECRET_FILE = ".signing-secret"  # noqa: S105


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter is not None else (None if value is None else str(value))


def local_signing_secret(blobs_dir: Path, configured: str | None = None) -> bytes:
    """The configured secret, else one persisted (mode 0600) in `<blobs_dir>/.signing-secret`."""
    if configured:
        if len(configured.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"{SIGNING_SECRET_ENV} must be at least {MIN_SECRET_BYTES} bytes")
        return configured.encode()
    path = blobs_dir / SECRET_FILE
    blobs_dir.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when several processes start at once, exactly one writes the secret.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        secret = path.read_text(encoding="ascii").strip()
        if len(secret) < MIN_SECRET_BYTES:
            # Another process created the file a moment ago and is still writing it.
            raise RuntimeError(f"{path} is empty or truncated; start again") from None
        return secret.encode()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        secret = secrets.token_hex(32)
        handle.write(secret)
    return secret.encode()


def create_blob_store(settings: StorageSection) -> BlobStore:
    """The BlobStore `settings.blob_store` names ('local' or 's3')."""
    if settings.blob_store == "s3":
        return S3BlobStore(
            endpoint_url=settings.s3_endpoint_url,
            bucket=settings.s3_bucket,
            region=settings.s3_region,
            access_key_id=_secret(settings.s3_access_key_id),
            secret_access_key=_secret(settings.s3_secret_access_key),
        )
    return LocalBlobStore(
        settings.blobs_dir,
        signing_secret=local_signing_secret(
            settings.blobs_dir, _secret(settings.blob_signing_secret)
        ),
        public_base_url=settings.public_url,
    )
