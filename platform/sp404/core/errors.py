"""The error model every service answers with: one base class, one subclass per case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import asyncpg


class AppError(Exception):
    """Something went wrong."""

    status_code: ClassVar[int] = 500
    code: ClassVar[str] = "internal_error"

    def __init__(
        self,
        message: str | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        self.message = message or (self.__doc__ or self.code).strip()
        self.headers = dict(headers or {})
        self.details = dict(details or {})
        super().__init__(self.message)


class BadRequest(AppError):
    """The request is malformed."""

    status_code = 400
    code = "bad_request"


class Unauthorized(AppError):
    """Authentication is required."""

    status_code = 401
    code = "unauthorized"

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(message, **kwargs)


class Forbidden(AppError):
    """You may not do this."""

    status_code = 403
    code = "forbidden"


class NotFound(AppError):
    """Not found."""

    status_code = 404
    code = "not_found"


class Conflict(AppError):
    """That conflicts with something that already exists."""

    status_code = 409
    code = "conflict"


class PayloadTooLarge(AppError):
    """The request body is too large."""

    status_code = 413
    code = "payload_too_large"


class UnsupportedMediaType(AppError):
    """That kind of content is not supported."""

    status_code = 415
    code = "unsupported_media_type"


class Unprocessable(AppError):
    """The request is well-formed but its content is invalid."""

    status_code = 422
    code = "validation_error"


class TooManyRequests(AppError):
    """Too many requests; try again later."""

    status_code = 429
    code = "rate_limited"

    def __init__(
        self, message: str | None = None, *, retry_after: int | None = 1, **kwargs: Any
    ) -> None:
        # retry_after=None: no Retry-After, for a refusal that no wait lifts.
        retry = {} if retry_after is None else {"Retry-After": str(max(1, retry_after))}
        super().__init__(message, headers={**retry, **kwargs.pop("headers", {})}, **kwargs)


class QuotaExceeded(TooManyRequests):
    """A plan limit is reached."""

    code = "quota_exceeded"

    # No Retry-After unless the caller says when time lifts the limit (analyses reset monthly):
    # storage and collections lift when the producer deletes or upgrades, and a header saying
    # "in an hour" would have a well-behaved client wait an hour, then fail the same way.
    def __init__(
        self, message: str | None = None, *, retry_after: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(message, retry_after=retry_after, **kwargs)


class ServiceUnavailable(AppError):
    """The service is temporarily unavailable."""

    status_code = 503
    code = "service_unavailable"

    def __init__(self, message: str | None = None, *, retry_after: int = 5, **kwargs: Any) -> None:
        headers = {"Retry-After": str(retry_after), **kwargs.pop("headers", {})}
        super().__init__(message, headers=headers, **kwargs)


class DatabaseUnavailable(ServiceUnavailable):
    """The database is not reachable right now; try again in a moment."""

    def __init__(self, message: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("retry_after", 2)
        super().__init__(message, **kwargs)


# Constraint name -> the error a user should see. Unique violations are the only database errors
# a user can cause on purpose; everything else is our bug and stays a 500.
_CONSTRAINT_ERRORS: dict[str, type[AppError]] = {}


def register_constraint(constraint_name: str, error: type[AppError]) -> None:
    """Map a named database constraint to the error its violation should answer."""
    _CONSTRAINT_ERRORS[constraint_name] = error


def translate_db_error(exc: asyncpg.PostgresError) -> AppError | None:
    """The AppError for a database error a user caused, or None when it is our bug."""
    if isinstance(exc, asyncpg.UniqueViolationError | asyncpg.ForeignKeyViolationError):
        error = _CONSTRAINT_ERRORS.get(getattr(exc, "constraint_name", "") or "")
        if error is not None:
            return error()
        if isinstance(exc, asyncpg.ForeignKeyViolationError):
            # A reference to a row the user cannot see: exactly like a missing one.
            return NotFound()
        return Conflict()
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        # 42501 from a failed WITH CHECK: the row would belong to someone else.
        return NotFound()
    if isinstance(exc, asyncpg.CheckViolationError):
        return Unprocessable()
    return None
