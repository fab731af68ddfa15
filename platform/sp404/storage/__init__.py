"""Blob storage: keys, the BlobStore interface, local-file and S3-compatible stores."""

from sp404.storage.base import BlobInfo, BlobStore, ListedBlob, PresignedUpload, StoredBlob
from sp404.storage.errors import (
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
from sp404.storage.factory import create_blob_store
from sp404.storage.keys import parse_staging_key, staging_key, user_key, validate_key
from sp404.storage.local import LocalBlobStore
from sp404.storage.local_routes import UploadGate, blob_routes
from sp404.storage.multipart import MalformedBody, MultipartStream, read_field
from sp404.storage.ranges import parse_range
from sp404.storage.s3 import S3BlobStore
from sp404.storage.signing import SignedGrant, verify_presigned

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
    "keys",
    "parse_range",
    "parse_staging_key",
    "read_field",
    "staging_key",
    "user_key",
    "validate_key",
    "verify_presigned",
]
