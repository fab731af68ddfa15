"""A stored sample's audio, decoded: shared by the worker's pipeline and the backfills."""

from __future__ import annotations

import asyncio
import os
import tempfile

from analysis_engine.features import DecodedAudio, decode_audio
from sp404.storage import BlobStore


async def decode_stored(blobs: BlobStore, blob_key: str) -> DecodedAudio:
    """Decode the file stored under `blob_key` (BlobNotFound, UndecodableAudio when it can't).

    Through a temporary file: a sample can be far larger than is sensible to hold twice.
    """
    fd, name = tempfile.mkstemp(prefix="sp404-decode-")
    try:
        with os.fdopen(fd, "wb") as spool:
            async for chunk in await blobs.open_read(blob_key):
                await asyncio.to_thread(spool.write, chunk)
        return await asyncio.to_thread(decode_audio, name)
    finally:
        os.unlink(name)
