"""Errors in Stripe's wire shape: ``{"error": {"type", "code", "message", "param"}}``."""

from __future__ import annotations

from typing import Any


class StripeError(Exception):
    """An API error the emulator answers with Stripe's status code and body."""

    def __init__(
        self,
        status: int,
        error_type: str,
        message: str,
        *,
        code: str | None = None,
        param: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message
        self.code = code
        self.param = param
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """Return the JSON document Stripe sends for this error."""
        error: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.code is not None:
            error["code"] = self.code
        if self.param is not None:
            error["param"] = self.param
        error.update(self.extra)
        return {"error": error}

    @classmethod
    def invalid(cls, message: str, *, param: str | None = None) -> StripeError:
        """A 400 ``invalid_request_error`` (bad or missing parameter)."""
        code = "parameter_missing" if message.startswith("Missing required param") else None
        return cls(400, "invalid_request_error", message, code=code, param=param)

    @classmethod
    def missing_param(cls, param: str) -> StripeError:
        """A 400 for a required parameter that was not sent."""
        return cls.invalid(f"Missing required param: {param}.", param=param)

    @classmethod
    def missing(cls, kind: str, object_id: str, *, param: str = "id") -> StripeError:
        """A 404 ``resource_missing`` for an unknown id."""
        return cls(
            404,
            "invalid_request_error",
            f"No such {kind}: '{object_id}'",
            code="resource_missing",
            param=param,
        )

    @classmethod
    def idempotency(cls, key: str) -> StripeError:
        """A 400 ``idempotency_error`` for a key reused with other parameters."""
        return cls(
            400,
            "idempotency_error",
            "Keys for idempotent requests can only be used with the same parameters they were "
            f"first used with. Try using a key other than '{key}' if you meant to execute a "
            "different request.",
        )

    @classmethod
    def card(cls, code: str, decline_code: str | None, message: str, **extra: Any) -> StripeError:
        """A 402 ``card_error`` such as a declined charge."""
        details: dict[str, Any] = dict(extra)
        if decline_code is not None:
            details["decline_code"] = decline_code
        return cls(402, "card_error", message, code=code, extra=details)

    @classmethod
    def authentication(cls, message: str) -> StripeError:
        """A 401 ``invalid_request_error`` for a missing or refused API key."""
        return cls(401, "invalid_request_error", message)
