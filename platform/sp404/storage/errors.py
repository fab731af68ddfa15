"""The errors a BlobStore raises; each maps to the HTTP status a client should see."""

from __future__ import annotations

from sp404.core.errors import AppError


class StorageError(AppError):
    """The blob store could not do that."""


class InvalidKey(StorageError):
    """That is not a valid blob key."""

    status_code = 400
    code = "invalid_key"


class BlobNotFound(StorageError):
    """No blob is stored under that key."""

    status_code = 404
    code = "not_found"


class BlobTooLarge(StorageError):
    """The upload is larger than allowed."""

    status_code = 413
    code = "payload_too_large"


class InvalidSignature(StorageError):
    """The link is invalid or has expired."""

    status_code = 403
    code = "forbidden"


class BlobExists(StorageError):
    """Something is already stored under that key; an upload link writes once."""

    status_code = 409
    code = "conflict"


class UploadClosed(StorageError):
    """This upload link no longer works: the upload was completed, cancelled or has expired."""

    status_code = 403
    code = "forbidden"


class StorageUnavailable(StorageError):
    """The blob store is temporarily unavailable."""

    status_code = 503
    code = "service_unavailable"

    def __init__(self, message: str | None = None) -> None:
        # Clients may retry; the Retry-After mirrors tenancy.errors.ServiceUnavailable.
        super().__init__(message, headers={"Retry-After": "5"})


class RangeNotSatisfiable(StorageError):
    """The requested range is not satisfiable."""

    status_code = 416
    code = "range_not_satisfiable"
