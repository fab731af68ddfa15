"""The storage package's public surface is small, sorted and pinned."""

from __future__ import annotations

from sp404 import storage


def test_the_public_names_are_pinned_and_sorted() -> None:
    assert storage.__all__ == sorted(storage.__all__)
    assert set(storage.__all__) == {
        "BlobExists",
        "BlobInfo",
        "BlobNotFound",
        "BlobStore",
        "BlobTooLarge",
        "InvalidKey",
        "InvalidSignature",
        "ListedBlob",
        "LocalBlobStore",
        "MalformedBody",
        "MultipartStream",
        "PresignedUpload",
        "RangeNotSatisfiable",
        "S3BlobStore",
        "SignedGrant",
        "StorageError",
        "StorageUnavailable",
        "StoredBlob",
        "UploadClosed",
        "UploadGate",
        "blob_routes",
        "create_blob_store",
        "parse_range",
        "keys",
        "parse_staging_key",
        "read_field",
        "staging_key",
        "user_key",
        "validate_key",
        "verify_presigned",
    }
    for name in storage.__all__:
        # `keys` is a module the package names (the key layout, STAGING among it).
        assert name == "keys" or getattr(storage, name) is not None


def test_storage_errors_carry_the_status_a_client_should_see() -> None:
    assert storage.InvalidKey.status_code == 400
    assert storage.InvalidSignature.status_code == 403
    assert storage.BlobNotFound.status_code == 404
    assert storage.BlobExists.status_code == 409
    assert storage.UploadClosed.status_code == 403
    assert storage.BlobTooLarge.status_code == 413
    assert storage.RangeNotSatisfiable.status_code == 416
    assert storage.StorageUnavailable().headers == {"Retry-After": "5"}
