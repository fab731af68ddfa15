"""Errors raised by the tokens package."""

from typing import Literal

InvalidTokenCode = Literal["expired", "revoked", "invalid"]

_MESSAGES: dict[InvalidTokenCode, str] = {
    "expired": "The access token has expired.",
    "revoked": "The access token has been revoked.",
    "invalid": "The access token is not valid.",
}


class TokensError(Exception):
    """Base class for errors from the tokens package."""


class InvalidToken(TokensError):
    """An access token was refused; the message never says which check failed beyond the code."""

    status_code = 401

    def __init__(self, code: InvalidTokenCode = "invalid") -> None:
        self.code: InvalidTokenCode = code
        self.message = _MESSAGES[code]
        super().__init__(self.message)


class KeyRingError(TokensError):
    """The signing key directory is missing, unreadable or inconsistent."""


class RevocationUnavailable(TokensError):
    """A revocation could not be written to Redis; it holds only in this process."""
