"""Profile (names, avatar) and preferences."""

from __future__ import annotations

import asyncio
import io
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from PIL import Image, UnidentifiedImageError

from sp404.accounts.context import Accounts
from sp404.accounts.errors import InvalidImage, MissingAvatar
from sp404.core.db import tenant_tx
from sp404.core.errors import NotFound, PayloadTooLarge
from sp404.core.queries import load_queries
from sp404.storage import MultipartStream, user_key

SQL = load_queries(Path(__file__).with_name("queries.sql"))
AVATAR_MAX_BYTES = 2 * 1024 * 1024
AVATAR_MAX_PIXELS = 4096
# Identified by content, never by the name or the declared type.
_IMAGE_TYPES = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "WEBP": ("image/webp", "webp"),
}


def profile_view(row: Any, public_url: str) -> dict[str, Any]:
    """The profile as the API shows it."""
    return {
        "id": row["id"],
        "email": row["email"],
        "first_name": row["first_name"],
        "last_name": row["last_name"],
        "avatar_url": f"{public_url.rstrip('/')}/api/account/avatar" if row["avatar_key"] else None,
        "tier": row["tier"],
        "email_verified": row["email_verified_at"] is not None,
        "created_at": row["created_at"],
    }


async def get_profile(ctx: Accounts, *, user_id: uuid.UUID) -> dict[str, Any]:
    """The caller's profile."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["fetch_me"])
    if row is None:
        raise NotFound("Account not found.")
    return profile_view(row, ctx.settings.public_url)


async def update_profile(
    ctx: Accounts, *, user_id: uuid.UUID, first_name: str | None, last_name: str | None
) -> dict[str, Any]:
    """Change the given names."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["update_profile"], first_name, last_name)
    return profile_view(row, ctx.settings.public_url)


def _identify_image(data: bytes) -> tuple[str, str]:
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format or ""
            width, height = image.size
            image.verify()
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
    ) as exc:
        raise InvalidImage() from exc
    if kind not in _IMAGE_TYPES:
        raise InvalidImage()
    if width > AVATAR_MAX_PIXELS or height > AVATAR_MAX_PIXELS:
        raise InvalidImage(
            f"Images up to {AVATAR_MAX_PIXELS} x {AVATAR_MAX_PIXELS} pixels, please."
        )
    return _IMAGE_TYPES[kind]


async def read_avatar(content_type: str | None, body: AsyncIterator[bytes]) -> bytes:
    """The file in the multipart field `avatar`, cut at AVATAR_MAX_BYTES + 1 bytes.

    The whole body is still read (past the cut, bytes are dropped) so an oversized image is
    answered with its 413 rather than a reset connection; a malformed body is a 400.
    """
    data: bytearray | None = None
    receiving = False
    async for kind, payload in MultipartStream(content_type, body).events():
        if kind == "part":
            receiving = payload.name == "avatar" and payload.filename is not None and data is None
            if receiving:
                data = bytearray()
        elif kind == "end":
            receiving = False
        elif receiving and data is not None and len(data) <= AVATAR_MAX_BYTES:
            data += payload[: AVATAR_MAX_BYTES + 1 - len(data)]
    if data is None:
        raise MissingAvatar()
    return bytes(data)


async def set_avatar(ctx: Accounts, *, user_id: uuid.UUID, data: bytes) -> dict[str, Any]:
    """Store a new avatar image (PNG, JPEG or WebP up to 2 MB) and drop the old one."""
    if len(data) > AVATAR_MAX_BYTES:
        raise PayloadTooLarge("Avatars can be up to 2 MB.")
    if not data:
        raise InvalidImage("The file is empty.")
    content_type, extension = await asyncio.to_thread(_identify_image, data)
    key = user_key(user_id, "avatar", f"{uuid.uuid4().hex}.{extension}")
    await ctx.blobs.put_bytes(key, data, content_type=content_type)
    async with tenant_tx(ctx.pool, user_id) as conn:
        old = (await conn.fetchrow(SQL["fetch_me"]))["avatar_key"]
        await conn.execute(SQL["set_avatar_key"], key)
        row = await conn.fetchrow(SQL["fetch_me"])
    if old:
        await ctx.blobs.delete(old)
    return profile_view(row, ctx.settings.public_url)


async def remove_avatar(ctx: Accounts, *, user_id: uuid.UUID) -> None:
    """Forget the avatar and delete its file."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        old = (await conn.fetchrow(SQL["fetch_me"]))["avatar_key"]
        await conn.execute(SQL["set_avatar_key"], None)
    if old:
        await ctx.blobs.delete(old)


async def avatar_key(ctx: Accounts, *, user_id: uuid.UUID) -> str:
    """The blob key of the caller's avatar, or 404."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        key: str | None = (await conn.fetchrow(SQL["fetch_me"]))["avatar_key"]
    if not key:
        raise NotFound("No avatar yet.")
    return key


async def get_preferences(ctx: Accounts, *, user_id: uuid.UUID) -> dict[str, Any]:
    """The caller's preferences."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(SQL["fetch_preferences"])
    if row is None:
        raise NotFound("Account not found.")
    return dict(row)


async def update_preferences(
    ctx: Accounts,
    *,
    user_id: uuid.UUID,
    auto_analyze_enabled: bool | None,
    selected_model: str | None,
    notification_email_enabled: bool | None,
) -> dict[str, Any]:
    """Change the given preferences."""
    async with tenant_tx(ctx.pool, user_id) as conn:
        row = await conn.fetchrow(
            SQL["update_preferences"],
            auto_analyze_enabled,
            selected_model,
            notification_email_enabled,
        )
    return dict(row)
