"""Choosing who describes a sample: OpenRouter when a key is set and the breaker allows,
the local rules otherwise or when the provider fails, with `source` saying which."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import replace

from analysis_engine.features import AudioFeatures
from analysis_engine.vibe.errors import MalformedReply, VibeError
from analysis_engine.vibe.local import LocalDescriber
from analysis_engine.vibe.model import VibeResult
from analysis_engine.vibe.openrouter import OpenRouterClient
from sp404.core.settings import VibeSection

log = logging.getLogger("analysis_engine.vibe")

# One client (one HTTP session, one breaker) per provider, key and event loop in this process.
_clients: dict[tuple[str, str], tuple[asyncio.AbstractEventLoop, OpenRouterClient]] = {}


class Describer:
    """Describes samples with the client when it can, and with the local rules when not."""

    def __init__(
        self, client: OpenRouterClient | None, local: LocalDescriber | None = None
    ) -> None:
        self.client = client
        self.local = local or LocalDescriber()

    async def describe(
        self,
        features: AudioFeatures,
        *,
        title: str | None,
        tags: Sequence[str],
        model: str | None,
    ) -> VibeResult:
        """One sample's vibe; never raises VibeError (the local rules always answer)."""
        if self.client is None:
            return self.local.describe(features, title=title, tags=tags)
        if not self.client.available:
            log.info("vibe provider breaker open; describing locally")
            return self.local.describe(features, title=title, tags=tags)
        try:
            return await self.client.describe(features, title=title, tags=tags, model=model)
        except VibeError as exc:
            log.warning(
                "vibe provider gave no description; describing locally",
                extra={"error": type(exc).__name__, "status": getattr(exc, "status", None)},
            )
            result = self.local.describe(features, title=title, tags=tags)
            if isinstance(exc, MalformedReply) and exc.tokens_used:
                # The unusable answers were still billed: keep their cost on the record.
                result = replace(result, tokens_used=exc.tokens_used, cost_usd=exc.cost_usd)
            return result


async def describe(
    features: AudioFeatures,
    *,
    title: str | None,
    tags: Sequence[str],
    model: str | None,
    settings: VibeSection,
) -> VibeResult:
    """One sample's vibe, from the user's chosen model when OpenRouter is configured."""
    describer = Describer(shared_client(settings))
    return await describer.describe(features, title=title, tags=tags, model=model)


def shared_client(settings: VibeSection) -> OpenRouterClient | None:
    """This process's client for the configured provider; None without an API key."""
    key = settings.openrouter_api_key
    if key is None or not key.get_secret_value().strip():
        return None
    # A digest, so the key itself never sits in a dict that might be printed.
    ident = (
        settings.openrouter_base_url,
        hashlib.sha256(key.get_secret_value().encode()).hexdigest(),
    )
    loop = asyncio.get_running_loop()
    entry = _clients.get(ident)
    if entry is None or entry[0] is not loop:
        # A session belongs to the loop that made it; a new loop needs a new client.
        entry = (loop, OpenRouterClient(key, base_url=settings.openrouter_base_url))
        _clients[ident] = entry
    return entry[1]


async def aclose_clients() -> None:
    """Close the shared clients' sessions (call at worker shutdown)."""
    loop = asyncio.get_running_loop()
    for ident, (owner, client) in list(_clients.items()):
        if owner is loop:
            await client.aclose()
            del _clients[ident]
