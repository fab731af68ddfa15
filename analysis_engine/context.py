"""What the engine's services need, gathered once per app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import asyncpg
import redis.asyncio as redis
from fastapi import Depends, Request

from sp404.core.settings import EngineSettings
from sp404.storage import BlobStore


@dataclass(frozen=True)
class Engine:
    pool: asyncpg.Pool
    redis: redis.Redis
    blobs: BlobStore
    settings: EngineSettings


def engine(request: Request) -> Engine:
    """The app's Engine context."""
    state = request.app.state
    return Engine(state.pool, state.redis, state.blobs, state.settings)


EngineDep = Annotated[Engine, Depends(engine)]
