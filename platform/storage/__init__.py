"""Blob storage: keys, the BlobStore interface, local-file and S3-compatible stores."""

from storage.base import BlobInfo, BlobStore, ListedBlob, PresignedUpload, StoredBlob
from storage.errors import (
    BlobExists,
    BlobNotFound,
    BlobTooLarge,
    InvalidKey,
    InvalidSignature,
    RangeNotSatisfiable,
    StorageError,
    StorageUnavailable,
    UploadClosed,
)
from storage.factory import create_blob_store
from storage.keys import parse_staging_key, staging_key, user_key, validate_key
from storage.local import LocalBlobStore
from storage.local_routes import UploadGate, blob_routes
from storage.s3 import S3BlobStore
from storage.signing import SignedGrant, verify_presigned

__all__ = [
    "BlobExists",
    "BlobInfo",
    "BlobNotFound",
    "BlobStore",
    "BlobTooLarge",
    "InvalidKey",
    "InvalidSignature",
    "ListedBlob",
    "LocalBlobStore",
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
    "parse_staging_key",
    "staging_key",
    "user_key",
    "validate_key",
    "verify_presigned",
]
