"""Choosing the describer: OpenRouter with a key and a closed breaker, the local rules otherwise."""

from __future__ import annotations

import asyncio
import dataclasses
from decimal import Decimal

import pytest
from pydantic import SecretStr

from analysis_engine.vibe import (
    DEFAULT_MODEL,
    LOCAL_MODEL,
    Describer,
    OpenRouterClient,
    VibeResult,
    describe,
)
from analysis_engine.vibe.service import shared_client
from sp404.core.settings import Settings
from tests.analysis_engine.vibe.clips import minor_loop
from tests.analysis_engine.vibe.conftest import API_KEY, FAST, SleepLog
from tests.analysis_engine.vibe.fake_openrouter import FakeOpenRouter, Reply, chat

pytestmark = pytest.mark.usefixtures("shared_clients")


def _settings(openrouter: FakeOpenRouter, key: str | None = API_KEY) -> Settings:
    secret = None if key is None else SecretStr(key)
    return Settings(openrouter_api_key=secret, openrouter_base_url=openrouter.base_url)


async def _vibe(settings: Settings, model: str | None = "qwen/qwen3-7b-it") -> VibeResult:
    return await describe(
        minor_loop(), title="Dusty keys", tags=["soul"], model=model, settings=settings
    )


@pytest.mark.parametrize("key", [None, "", "   "])
async def test_without_an_api_key_the_local_rules_answer_and_nothing_is_sent(
    openrouter: FakeOpenRouter, key: str | None
) -> None:
    vibe = await _vibe(_settings(openrouter, key))

    assert vibe.source == "local"
    assert vibe.model == LOCAL_MODEL
    assert vibe.genre == "soul"  # from the owner's tag
    assert openrouter.seen == []


async def test_with_an_api_key_the_users_model_answers(openrouter: FakeOpenRouter) -> None:
    vibe = await _vibe(_settings(openrouter), model="mistralai/mistral-small")

    assert vibe.source == "openrouter"
    assert openrouter.seen[0].body["model"] == "mistralai/mistral-small"


async def test_a_user_without_a_chosen_model_gets_the_default(openrouter: FakeOpenRouter) -> None:
    await _vibe(_settings(openrouter), model=None)

    assert openrouter.seen[0].body["model"] == DEFAULT_MODEL


async def test_a_refused_request_falls_back_to_the_local_rules(openrouter: FakeOpenRouter) -> None:
    openrouter.then(Reply(status=401, body={"error": {"message": "User not found."}}))

    vibe = await _vibe(_settings(openrouter))

    assert vibe.source == "local"
    assert len(openrouter.seen) == 1


async def test_unusable_answers_fall_back_but_keep_the_tokens_they_cost(
    openrouter: FakeOpenRouter,
) -> None:
    openrouter.default = Reply(body=chat("I think it sounds nice"))

    vibe = await _vibe(_settings(openrouter))

    assert vibe.source == "local"
    assert vibe.model == LOCAL_MODEL
    assert vibe.tokens_used == 760
    assert vibe.cost_usd == Decimal("0.000840")


async def test_calls_with_the_same_settings_share_one_client(openrouter: FakeOpenRouter) -> None:
    settings = _settings(openrouter)

    assert shared_client(settings) is shared_client(settings)
    assert shared_client(_settings(openrouter, "sk-other")) is not shared_client(settings)
    assert shared_client(_settings(openrouter, None)) is None


async def test_an_open_breaker_sends_everyone_to_the_local_rules_without_a_request(
    openrouter: FakeOpenRouter, sleeps: SleepLog
) -> None:
    policy = dataclasses.replace(FAST, attempts=1, breaker_fail_max=2)
    openrouter.default = Reply(status=500)
    async with OpenRouterClient(
        API_KEY, base_url=openrouter.base_url, policy=policy, sleep=sleeps
    ) as client:
        describer = Describer(client)
        results = [
            await describer.describe(minor_loop(), title=None, tags=[], model=None)
            for _ in range(6)
        ]

    assert {r.source for r in results} == {"local"}
    assert len(openrouter.seen) == 2


async def test_a_hanging_provider_still_gets_a_local_description(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.then(Reply(hold=asyncio.Event()))

    vibe = await Describer(client).describe(minor_loop(), title=None, tags=[], model=None)

    assert vibe.source == "local"
    assert vibe.description.startswith("Laid-back 90 BPM")
