"""Account errors; each answers with its status and the shared JSON error shape."""

from __future__ import annotations

from sp404.core.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    ServiceUnavailable,
    TooManyRequests,
    Unauthorized,
    Unprocessable,
    register_constraint,
)


class InvalidCredentials(Unauthorized):
    """The e-mail or password is incorrect."""

    code = "invalid_credentials"


class EmailNotVerified(Forbidden):
    """Please verify your e-mail address first: follow the link we sent you."""

    code = "email_not_verified"


class InvalidAccessToken(Unauthorized):
    """The access token is missing, invalid, expired or revoked."""

    code = "invalid_token"


class InvalidRefreshToken(Unauthorized):
    """The refresh token is invalid, expired or revoked; please sign in again."""

    code = "invalid_refresh_token"


class InvalidLinkToken(BadRequest):
    """This link is invalid, expired or already used."""

    code = "invalid_or_expired_token"


class WeakPassword(Unprocessable):
    """That password is not allowed."""

    code = "weak_password"


class LoginThrottled(TooManyRequests):
    """Too many sign-in attempts; try again later."""

    code = "too_many_attempts"


class PasswordCheckBusy(ServiceUnavailable):
    """Many people are signing in right now; please try again in a few seconds."""

    # The same code as the gateway's own load shedding: a client handles both one way.
    code = "overloaded"


class InvalidImage(Unprocessable):
    """That file is not a supported image (PNG, JPEG or WebP up to 2 MB)."""

    code = "invalid_image"


class MissingAvatar(Unprocessable):
    """Attach the image in a form field named "avatar"."""

    code = "missing_avatar"


class EmailTaken(Conflict):
    """An account with that e-mail already exists."""

    code = "email_taken"


register_constraint("users_email_normalized_key", EmailTaken)
