"""The OpenRouter client against a local chat-completions server: requests, answers, retries."""

from __future__ import annotations

import asyncio
import json
import logging
from decimal import Decimal

import pytest

from analysis_engine.vibe import OpenRouterClient, VibeError, VibeResult
from analysis_engine.vibe.errors import MalformedReply, ProviderRejected, ProviderTimeout
from tests.analysis_engine.vibe.clips import minor_loop
from tests.analysis_engine.vibe.conftest import API_KEY, FAST, SleepLog
from tests.analysis_engine.vibe.fake_openrouter import GOOD_VIBE, FakeOpenRouter, Reply, chat


async def _describe(client: OpenRouterClient, model: str = "qwen/qwen3-7b-it") -> VibeResult:
    return await client.describe(
        minor_loop(), title="Dusty keys", tags=["keys", "soul"], model=model
    )


async def test_a_good_answer_fills_every_field_with_tokens_and_cost(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    vibe = await _describe(client)

    assert vibe.source == "openrouter"
    assert vibe.model == "qwen/qwen3-7b-it"
    assert vibe.description == GOOD_VIBE["description"]
    assert vibe.moods == ("mellow", "nostalgic")
    assert (vibe.era, vibe.genre) == ("1970s", "soul")
    assert vibe.energy == 0.35
    assert vibe.descriptors == ("warm", "dusty", "tonal")
    assert vibe.compatibility_tags == ("90-bpm", "a-minor", "loop")
    assert vibe.best_use == "loop under boom bap drums"
    assert vibe.tokens_used == 380
    assert vibe.cost_usd == Decimal("0.000420")


async def test_the_request_carries_the_users_model_the_key_and_json_mode(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    await _describe(client, model="anthropic/claude-3.5-haiku")

    [seen] = openrouter.seen
    assert seen.headers["Authorization"] == f"Bearer {API_KEY}"
    assert seen.body["model"] == "anthropic/claude-3.5-haiku"
    assert seen.body["response_format"] == {"type": "json_object"}
    assert seen.body["usage"] == {"include": True}
    assert seen.body["temperature"] <= 0.3
    assert 0 < seen.body["max_tokens"] <= 1000


async def test_the_prompt_holds_the_measurements_and_no_audio(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    await _describe(client)

    system, user = openrouter.seen[0].body["messages"]
    assert system["role"] == "system" and "JSON" in system["content"]
    measurements = json.loads(user["content"].split("Measurements: ", 1)[1])
    assert measurements["tempo_bpm"] == 90.0
    assert measurements["key"] == "A minor"
    assert measurements["title"] == "Dusty keys"
    assert measurements["tags"] == ["keys", "soul"]
    assert len(json.dumps(openrouter.seen[0].body)) < 6000  # numbers, not samples


async def test_the_answering_model_is_recorded_when_openrouter_routes_elsewhere(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.then(Reply(body=chat(GOOD_VIBE, model="qwen/qwen3-7b-it:free")))

    vibe = await _describe(client)

    assert vibe.model == "qwen/qwen3-7b-it:free"


async def test_json_inside_a_code_fence_is_read(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    fenced = "Here you go:\n```json\n" + json.dumps(GOOD_VIBE) + "\n```\nEnjoy!"
    openrouter.then(Reply(body=chat(fenced)))

    vibe = await _describe(client)

    assert vibe.genre == "soul"
    assert len(openrouter.seen) == 1


async def test_extra_missing_and_wrong_typed_fields_are_salvaged(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    answer = {
        "description": "Gritty drum break.",
        "moods": "gritty, raw; urgent",
        "era": 1990,
        "genre": ["not", "a", "string"],
        "energy": "0.8",
        "descriptors": [{"nested": True}, "crunchy", 7, None],
        "confidence": "very high",
        "reasoning": "because",
    }
    openrouter.then(Reply(body=chat(answer)))

    vibe = await _describe(client)

    assert vibe.description == "Gritty drum break."
    assert vibe.moods == ("gritty", "raw", "urgent")
    assert vibe.era == "1990"
    assert vibe.genre is None
    assert vibe.energy == 0.8
    assert vibe.descriptors == ("crunchy", "7")
    assert vibe.compatibility_tags == ()
    assert vibe.best_use is None


@pytest.mark.parametrize(("energy", "stored"), [(1.7, 1.0), (-0.3, 0.0), (7, 1.0), ("high", 0.8)])
async def test_energy_is_kept_within_zero_and_one(
    openrouter: FakeOpenRouter, client: OpenRouterClient, energy: object, stored: float
) -> None:
    openrouter.then(Reply(body=chat({**GOOD_VIBE, "energy": energy})))

    vibe = await _describe(client)

    assert vibe.energy == stored


async def test_a_missing_energy_falls_back_to_the_measured_estimate(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.then(Reply(body=chat({"description": "Warm keys."})))

    vibe = await _describe(client)

    assert 0.0 < vibe.energy < 1.0


async def test_overlong_lists_and_text_are_cut_to_the_limits(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    answer = {
        **GOOD_VIBE,
        "description": "Warm keys with a lazy swing " * 30,
        "moods": [f"mood{i}" for i in range(20)],
        "descriptors": [f"word{i}" for i in range(20)],
        "compatibility_tags": [f"Tag {i}" for i in range(20)],
        "best_use": "chop " * 100,
    }
    openrouter.then(Reply(body=chat(answer)))

    vibe = await _describe(client)

    assert len(vibe.description) <= 300
    assert vibe.description.endswith("…")
    assert len(vibe.moods) == 6 and len(vibe.descriptors) == 8
    assert vibe.compatibility_tags[:2] == ("tag-0", "tag-1")
    assert len(vibe.compatibility_tags) == 8
    assert vibe.best_use is not None and len(vibe.best_use) <= 120


async def test_a_reply_without_json_gets_one_nudge_and_then_counts(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.then(Reply(body=chat("Sure! This loop is very chill.")))

    vibe = await _describe(client)

    assert vibe.genre == "soul"
    first, second = openrouter.seen
    assert second.body["messages"][:2] == first.body["messages"]
    assert second.body["messages"][2] == {
        "role": "assistant",
        "content": "Sure! This loop is very chill.",
    }
    assert "JSON object only" in second.body["messages"][3]["content"]
    assert vibe.tokens_used == 760
    assert vibe.cost_usd == Decimal("0.000840")


async def test_two_replies_without_json_raise_a_vibe_error_carrying_the_spent_tokens(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.default = Reply(body=chat("{not json at all"))

    with pytest.raises(MalformedReply) as caught:
        await _describe(client)

    assert isinstance(caught.value, VibeError)
    assert len(openrouter.seen) == 2
    assert caught.value.tokens_used == 760


async def test_a_json_reply_without_a_description_is_malformed(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.default = Reply(body=chat({"moods": ["chill"], "energy": 0.2}))

    with pytest.raises(MalformedReply):
        await _describe(client)


async def test_usage_without_cost_leaves_the_cost_unknown(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    usage = {"prompt_tokens": 250, "completion_tokens": 50}
    openrouter.then(Reply(body=chat(GOOD_VIBE, usage=usage)))

    vibe = await _describe(client)

    assert vibe.tokens_used == 300
    assert vibe.cost_usd is None


async def test_a_429_waits_what_retry_after_asks_then_succeeds(
    openrouter: FakeOpenRouter, client: OpenRouterClient, sleeps: SleepLog
) -> None:
    openrouter.then(Reply(status=429, headers={"Retry-After": "2"}))

    vibe = await _describe(client)

    assert vibe.source == "openrouter"
    assert len(openrouter.seen) == 2
    assert sleeps.waits == [2.0]


async def test_a_long_retry_after_is_capped(
    openrouter: FakeOpenRouter, client: OpenRouterClient, sleeps: SleepLog
) -> None:
    openrouter.then(Reply(status=429, headers={"Retry-After": "3600"}))

    await _describe(client)

    assert sleeps.waits == [FAST.retry_after_cap_s]


async def test_server_errors_are_retried_with_growing_backoff_then_succeed(
    openrouter: FakeOpenRouter, client: OpenRouterClient, sleeps: SleepLog
) -> None:
    openrouter.then(Reply(status=500), Reply(status=502))

    vibe = await _describe(client)

    assert vibe.genre == "soul"
    assert len(openrouter.seen) == 3
    first, second = sleeps.waits
    assert 0 < first <= FAST.backoff_initial_s + FAST.jitter_s
    assert second >= 2 * FAST.backoff_initial_s


async def test_server_errors_past_the_last_attempt_raise(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.default = Reply(status=503)

    with pytest.raises(VibeError) as caught:
        await _describe(client)

    assert getattr(caught.value, "status", None) == 503
    assert len(openrouter.seen) == FAST.attempts


@pytest.mark.parametrize("status", [400, 401, 402, 403])
async def test_a_refusal_is_never_retried(
    openrouter: FakeOpenRouter, client: OpenRouterClient, sleeps: SleepLog, status: int
) -> None:
    openrouter.then(Reply(status=status, body={"error": {"message": "No auth credentials"}}))

    with pytest.raises(ProviderRejected) as caught:
        await _describe(client)

    assert caught.value.status == status
    assert len(openrouter.seen) == 1
    assert sleeps.waits == []


async def test_an_error_body_with_status_200_is_treated_by_its_code(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.then(Reply(body={"error": {"code": 502, "message": "upstream died"}}))

    vibe = await _describe(client)

    assert vibe.source == "openrouter"
    assert len(openrouter.seen) == 2


async def test_a_hanging_provider_times_out_without_a_retry(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    openrouter.then(Reply(hold=asyncio.Event()))

    with pytest.raises(ProviderTimeout):
        await _describe(client)

    assert len(openrouter.seen) == 1


async def test_an_unreachable_provider_is_retried_then_raises(sleeps: SleepLog) -> None:
    closed = FakeOpenRouter()
    await closed.start()
    url = closed.base_url
    await closed.stop()  # nothing listens on that port now
    async with OpenRouterClient(API_KEY, base_url=url, policy=FAST, sleep=sleeps) as client:
        with pytest.raises(VibeError):
            await _describe(client)

    assert len(sleeps.waits) == FAST.attempts - 1


async def test_calls_share_one_session_and_its_kept_alive_connection(
    openrouter: FakeOpenRouter, client: OpenRouterClient
) -> None:
    await _describe(client)
    await _describe(client)

    first, second = openrouter.seen
    assert first.peer_port == second.peer_port


async def test_the_key_and_the_prompt_never_reach_the_logs(
    openrouter: FakeOpenRouter, client: OpenRouterClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secret_title = "Untitled-7f3a9c secret project"
    openrouter.then(
        Reply(status=500),
        Reply(body=chat("no json")),
        Reply(body=chat(GOOD_VIBE)),
        Reply(status=401, body={"error": {"message": "bad key"}}),
    )

    await client.describe(minor_loop(), title=secret_title, tags=[], model=None)
    with pytest.raises(ProviderRejected):
        await client.describe(minor_loop(), title=secret_title, tags=[], model=None)

    assert caplog.records, "the client should say what it did"
    for record in caplog.records:
        text = record.getMessage() + json.dumps(record.__dict__, default=str)
        assert API_KEY not in text
        if record.levelno >= logging.INFO:
            assert secret_title not in text
    assert API_KEY not in caplog.text


async def test_the_client_is_safe_to_print(client: OpenRouterClient) -> None:
    assert API_KEY not in repr(client)
    assert API_KEY not in repr(vars(client))
