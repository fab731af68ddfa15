"""Blob storage: keys, the BlobStore interface, local-file and S3-compatible stores."""

from storage.base import BlobInfo, BlobStore, PresignedUpload, StoredBlob
from storage.errors import (
    BlobNotFound,
    BlobTooLarge,
    InvalidKey,
    InvalidSignature,
    RangeNotSatisfiable,
    StorageError,
    StorageUnavailable,
)
from storage.factory import create_blob_store
from storage.keys import user_key, validate_key
from storage.local import LocalBlobStore
from storage.local_routes import blob_routes
from storage.s3 import S3BlobStore
from storage.signing import SignedGrant, verify_presigned

__all__ = [
    "BlobInfo",
    "BlobNotFound",
    "BlobStore",
    "BlobTooLarge",
    "InvalidKey",
    "InvalidSignature",
    "LocalBlobStore",
    "PresignedUpload",
    "RangeNotSatisfiable",
    "S3BlobStore",
    "SignedGrant",
    "StorageError",
    "StorageUnavailable",
    "StoredBlob",
    "blob_routes",
    "create_blob_store",
    "user_key",
    "validate_key",
    "verify_presigned",
]
