"""The OpenRouter chat-completions client: one session, bounded time, retries and a breaker.

Layering, outside in: the breaker counts one logical request (all its retries) as one call, so
a dead provider trips it after `breaker_fail_max` requests, not attempts; tenacity retries
connect errors, 429 (waiting what Retry-After asks, up to a cap) and 5xx with exponential backoff
and jitter; 400/401/403 and other refusals are never retried and never trip the breaker. A reply
that is not JSON gets one more request with a nudge, then MalformedReply. Neither the API key nor
the prompt is ever logged.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any

import aiohttp
from pydantic import SecretStr
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
    wait_random,
)

from analysis_engine.features import AudioFeatures
from analysis_engine.vibe.breaker import ProviderBreaker
from analysis_engine.vibe.errors import (
    MalformedReply,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    VibeError,
)
from analysis_engine.vibe.local import estimate_energy
from analysis_engine.vibe.model import DEFAULT_MODEL, VibeResult
from analysis_engine.vibe.prompt import build_messages, with_nudge
from analysis_engine.vibe.reply import Usage, parse_reply, parse_usage

log = logging.getLogger("analysis_engine.vibe.openrouter")

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
_APP_TITLE = "SP-404 Sample Cloud"
_ERROR_SNIPPET_CHARS = 200
# 408 is OpenRouter's "the model took too long": as worth another try as a 5xx.
_RETRYABLE_STATUSES = frozenset({408, 429})


@dataclass(frozen=True, slots=True)
class ClientPolicy:
    """Time, retry, breaker and generation limits for one client."""

    connect_timeout_s: float = 5.0
    total_timeout_s: float = 30.0
    attempts: int = 3
    backoff_initial_s: float = 0.5
    backoff_max_s: float = 8.0
    jitter_s: float = 0.5
    retry_after_cap_s: float = 20.0
    breaker_fail_max: int = 5
    breaker_reset_s: float = 60.0
    max_tokens: int = 400
    temperature: float = 0.2


@dataclass(frozen=True, slots=True)
class Completion:
    """The parts of one chat completion this client reads."""

    content: str
    model: str | None
    usage: Usage


class OpenRouterClient:
    """Asks an OpenRouter model to describe samples from their features."""

    def __init__(
        self,
        api_key: SecretStr | str,
        *,
        base_url: str = DEFAULT_BASE_URL,
        policy: ClientPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._key = api_key if isinstance(api_key, SecretStr) else SecretStr(api_key)
        self._url = base_url.rstrip("/") + "/chat/completions"
        self.policy = policy or ClientPolicy()
        self._sleep = sleep
        self._session: aiohttp.ClientSession | None = None
        # Exponential backoff plus random jitter, so many workers do not retry in step.
        self._backoff = wait_exponential(
            multiplier=self.policy.backoff_initial_s, max=self.policy.backoff_max_s
        ) + wait_random(0, self.policy.jitter_s)
        self.breaker = ProviderBreaker(
            "openrouter",
            fail_max=self.policy.breaker_fail_max,
            reset_s=self.policy.breaker_reset_s,
        )

    def __repr__(self) -> str:
        return f"OpenRouterClient(url={self._url!r})"

    @property
    def available(self) -> bool:
        """False while the breaker is open and no probe is due."""
        return self.breaker.admits()

    async def describe(
        self,
        features: AudioFeatures,
        *,
        title: str | None,
        tags: Sequence[str],
        model: str | None,
    ) -> VibeResult:
        """The model's description of one sample; VibeError when it gives none."""
        model = model or DEFAULT_MODEL
        messages = build_messages(features, title=title, tags=tags)
        completion = await self._complete(model, messages)
        usage = completion.usage
        reply = parse_reply(completion.content)
        if reply is None:
            log.info("vibe reply held no JSON object; asking once more", extra={"model": model})
            completion = await self._complete(model, with_nudge(messages, completion.content))
            usage = usage + completion.usage
            reply = parse_reply(completion.content)
        if reply is None:
            raise MalformedReply(tokens_used=usage.tokens, cost_usd=usage.cost_usd)
        answered_by = completion.model or model
        log.info(
            "vibe described",
            extra={"model": answered_by, "tokens": usage.tokens, "cost_usd": str(usage.cost_usd)},
        )
        return VibeResult(
            model=answered_by,
            description=reply.description,
            moods=reply.moods,
            era=reply.era,
            genre=reply.genre,
            # A model that gave no usable energy gets the measured estimate instead.
            energy=reply.energy if reply.energy is not None else estimate_energy(features),
            descriptors=reply.descriptors,
            compatibility_tags=reply.compatibility_tags,
            best_use=reply.best_use,
            tokens_used=usage.tokens,
            cost_usd=usage.cost_usd,
            source="openrouter",
        )

    async def aclose(self) -> None:
        """Close the HTTP session; a later call opens a new one."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def __aenter__(self) -> OpenRouterClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def _complete(self, model: str, messages: list[dict[str, str]]) -> Completion:
        body = {
            "model": model,
            "messages": messages,
            "response_format": {"type": "json_object"},
            "temperature": self.policy.temperature,
            "max_tokens": self.policy.max_tokens,
            # Ask OpenRouter to report the cost in `usage.cost`.
            "usage": {"include": True},
        }
        async with self.breaker.guard():
            return await self._with_retries(body)

    async def _with_retries(self, body: dict[str, Any]) -> Completion:
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.policy.attempts),
            wait=self._wait,
            retry=retry_if_exception(_is_transient),
            sleep=self._sleep,
            before_sleep=_log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._post(body)
        raise VibeError("no attempt was made")  # unreachable: tenacity reraises the last error

    def _wait(self, state: RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome else None
        if isinstance(exc, ProviderError) and exc.retry_after_s is not None:
            return min(exc.retry_after_s, self.policy.retry_after_cap_s)
        return float(self._backoff(state))

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            timeout = aiohttp.ClientTimeout(
                total=self.policy.total_timeout_s, connect=self.policy.connect_timeout_s
            )
            self._session = aiohttp.ClientSession(timeout=timeout)
        return self._session

    async def _post(self, body: dict[str, Any]) -> Completion:
        headers = {
            "Authorization": f"Bearer {self._key.get_secret_value()}",
            "X-Title": _APP_TITLE,
        }
        try:
            async with self._session_now().post(self._url, json=body, headers=headers) as resp:
                if resp.status != 200:
                    snippet = (await resp.content.read(_ERROR_SNIPPET_CHARS)).decode(
                        "utf-8", "replace"
                    )
                    raise _status_error(resp.status, resp.headers.get("Retry-After"), snippet)
                try:
                    envelope = await resp.json(content_type=None)
                except ValueError as exc:
                    raise ProviderError("the provider answered 200 without JSON") from exc
        except aiohttp.ConnectionTimeoutError as exc:
            raise ProviderError("could not connect in time", transient=True) from exc
        except TimeoutError as exc:
            # The whole budget is spent: another attempt would double the worker's wait.
            raise ProviderTimeout("no answer within the total timeout") from exc
        except aiohttp.ClientConnectionError as exc:
            raise ProviderError(f"connection failed: {type(exc).__name__}", transient=True) from exc
        except aiohttp.ClientError as exc:
            raise ProviderError(f"request failed: {type(exc).__name__}") from exc
        return _completion(envelope)


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, ProviderError) and exc.transient


def _log_retry(state: RetryCallState) -> None:
    exc = state.outcome.exception() if state.outcome else None
    wait = state.next_action.sleep if state.next_action else None
    log.warning(
        "vibe request failed; retrying",
        extra={
            "attempt": state.attempt_number,
            "status": getattr(exc, "status", None),
            "error": type(exc).__name__,
            "wait_s": wait,
        },
    )


def _status_error(status: int, retry_after: str | None, snippet: str) -> ProviderError:
    message = f"the provider answered {status}: {' '.join(snippet.split())}"
    if status in _RETRYABLE_STATUSES or status >= 500:
        return ProviderError(
            message, status=status, transient=True, retry_after_s=_retry_after_s(retry_after)
        )
    return ProviderRejected(message, status=status)


def _retry_after_s(value: str | None) -> float | None:
    """Seconds from a Retry-After header: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _completion(envelope: Any) -> Completion:
    if not isinstance(envelope, dict):
        raise ProviderError("the provider's answer was not a JSON object")
    error = envelope.get("error")
    if isinstance(error, dict) and not envelope.get("choices"):
        # OpenRouter reports some upstream failures as 200 with an error body.
        code = error.get("code")
        status = code if isinstance(code, int) and not isinstance(code, bool) else 502
        raise _status_error(status, None, str(error.get("message", "")))
    content = ""
    choices = envelope.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        message = choices[0].get("message")
        if isinstance(message, dict):
            content = _text(message.get("content"))
    model = envelope.get("model")
    return Completion(
        content=content,
        model=model if isinstance(model, str) and model else None,
        usage=parse_usage(envelope),
    )


def _text(content: Any) -> str:
    # Content is a string, or (for some providers) a list of {"type": "text", "text": ...} parts.
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(
            part["text"]
            for part in content
            if isinstance(part, dict) and isinstance(part.get("text"), str)
        )
    return ""
