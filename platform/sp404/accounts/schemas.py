"""Request and response bodies of the account routes (the PRD's shapes, plus extra fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from sp404.accounts.passwords import MAX_LENGTH, MIN_LENGTH

# Something besides whitespace (the length counts after stripping, so "   " keeps its "at least 1
# character" message), and no NUL, which PostgreSQL text cannot hold (422 here, not a 500 there).
VISIBLE = r"^[^\x00]*[^\s\x00][^\x00]*$"
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=VISIBLE)
]
# A password as presented to be checked (sign-in, deletion): any length the rules ever allowed.
# The bound only stops absurd bodies before hashing.
Password = Annotated[str, Field(min_length=1, max_length=4096)]
# A password being chosen. accounts.passwords checks the rules, so the message and the
# `weak_password` code are ours; the schema states the same lengths for clients.
NewPassword = Annotated[
    str,
    Field(
        min_length=1,
        max_length=4096,
        json_schema_extra={"minLength": MIN_LENGTH, "maxLength": MAX_LENGTH},
        description=f"{MIN_LENGTH} to {MAX_LENGTH} characters; very common passwords are refused",
    ),
]
Token = Annotated[str, Field(min_length=10, max_length=200)]
# Anything a client may present as a refresh token: a wrong kind of token (an access JWT) must be
# refused as an invalid token (401), not as a malformed request.
PresentedToken = Annotated[str, Field(min_length=1, max_length=4096)]
ModelName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9._:/-]{1,100}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(Strict):
    email: EmailStr
    password: NewPassword
    first_name: Name
    last_name: Name


class PublicUser(BaseModel):
    id: UUID
    email: str
    first_name: str | None
    last_name: str | None


class RegisterOut(BaseModel):
    message: str
    user: PublicUser


class EmailIn(Strict):
    email: EmailStr


class TokenIn(Strict):
    token: Token


class MessageOut(BaseModel):
    message: str


class LoginIn(Strict):
    email: EmailStr
    password: Password


class LoginUser(BaseModel):
    id: UUID
    email: str
    tier: str


class LoginOut(BaseModel):
    token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int
    user: LoginUser


class VerifiedOut(LoginOut):
    """A confirmed address: the link signs its opener in (the same tokens as a sign-in)."""

    message: str


class RefreshIn(Strict):
    refresh_token: PresentedToken | None = None


class RefreshOut(BaseModel):
    token: str
    refresh_token: str
    token_type: str = "Bearer"  # noqa: S105 - the scheme name, not a secret
    expires_in: int


class LogoutIn(Strict):
    refresh_token: PresentedToken | None = None


class SessionOut(BaseModel):
    id: UUID
    created_at: datetime
    last_used_at: datetime
    user_agent: str | None
    ip: str | None
    current: bool


class SessionsOut(BaseModel):
    sessions: list[SessionOut]


class PasswordChangeIn(Strict):
    current_password: Password
    new_password: NewPassword


class PasswordResetIn(Strict):
    token: Token
    password: NewPassword


class ProfileOut(BaseModel):
    id: UUID
    email: str
    first_name: str | None
    last_name: str | None
    avatar_url: str | None
    tier: str
    email_verified: bool
    created_at: datetime


class ProfileIn(Strict):
    first_name: Name | None = None
    last_name: Name | None = None


class PreferencesOut(BaseModel):
    auto_analyze_enabled: bool
    selected_model: str
    notification_email_enabled: bool


class PreferencesIn(Strict):
    auto_analyze_enabled: bool | None = None
    selected_model: ModelName | None = None
    notification_email_enabled: bool | None = None


class DeleteAccountIn(Strict):
    password: Password


class JwkOut(BaseModel):
    kty: Literal["RSA"]
    kid: str
    use: Literal["sig"]
    alg: Literal["RS256"]
    n: str
    e: str


class JwksOut(BaseModel):
    keys: list[JwkOut]


class ExportOut(BaseModel):
    id: UUID
    status: str
    progress: float
    created_at: datetime
    expires_at: datetime | None
    size_bytes: int | None
    download_url: str | None
    error: str | None


def binary_answer(description: str, *media_types: str) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route that answers file bytes of these types."""
    schema = {"type": "string", "format": "binary"}
    content = {media_type: {"schema": schema} for media_type in media_types}
    return {200: {"description": description, "content": content}}


AVATAR_OPENAPI = binary_answer("The avatar image", "image/png", "image/jpeg", "image/webp")
DATA_EXPORT_OPENAPI = binary_answer("The ZIP of your data", "application/zip")


# The avatar arrives as a stream (accounts.profile.read_avatar), so its form is described here.
AVATAR_UPLOAD_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["avatar"],
                    "properties": {
                        "avatar": {
                            "type": "string",
                            "format": "binary",
                            "description": "PNG, JPEG or WebP up to 2 MB",
                        },
                    },
                }
            }
        },
    }
}


Scope = Literal["library:read", "library:write", "kits:write"]


class PersonalTokenIn(Strict):
    name: Name
    scopes: list[Scope] = Field(min_length=1, max_length=3)
    expires_in_days: int | None = Field(
        default=None, ge=1, le=366, description="Days until the token stops working; null: never"
    )


class PersonalTokenOut(BaseModel):
    id: UUID
    name: str
    prefix: str = Field(description="The token's first characters, to tell tokens apart")
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None


class PersonalTokenCreatedOut(PersonalTokenOut):
    token: str = Field(description="The secret, shown this once: store it now")


class PersonalTokensOut(BaseModel):
    tokens: list[PersonalTokenOut]
    total: int
