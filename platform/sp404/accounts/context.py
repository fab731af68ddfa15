"""What the account services need, gathered once per app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
import redis.asyncio as redis
from fastapi import Depends, Request

from sp404.accounts.token_service import TokenService
from sp404.core.settings import PlatformSettings
from sp404.storage import BlobStore


@dataclass(frozen=True)
class Accounts:
    pool: asyncpg.Pool
    redis: redis.Redis
    tokens: TokenService
    blobs: BlobStore
    settings: PlatformSettings


def accounts(request: Request) -> Accounts:
    """The app's Accounts context."""
    state = request.app.state
    return Accounts(state.pool, state.redis, state.tokens, state.blobs, state.settings)


AccountsDep = Annotated[Accounts, Depends(accounts)]
