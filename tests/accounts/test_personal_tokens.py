"""Personal access tokens as a producer's script meets them: through the gateway and past it."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import time
import uuid
from collections.abc import Iterator

import asyncpg
import httpx
import numpy as np
import pytest
import redis
import soundfile

from sp404.core.settings import Settings
from tests.gateway_signing import as_gateway
from tests.personal_tokens import insert_personal_token
from tests.stack import Mailbox, Producer, signed_up


def _wav() -> bytes:
    buffer = io.BytesIO()
    t = np.arange(22_050) / 22_050
    soundfile.write(buffer, 0.3 * np.sin(2 * np.pi * 220 * t), 22_050, format="WAV")
    return buffer.getvalue()


@pytest.fixture
def gw(gateway_url: str) -> Iterator[httpx.Client]:
    """A client of the gateway from an address of its own (per-address limits stay apart)."""
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
    with httpx.Client(
        base_url=gateway_url, timeout=30, headers={"X-Forwarded-For": address}
    ) as client:
        yield client


@pytest.fixture
def producer(gw: httpx.Client, mailbox: Mailbox) -> Producer:
    return signed_up(gw, mailbox)


@pytest.fixture
def store(migrated_db: Settings) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(migrated_db.redis_url)
    yield client
    client.close()


def create(
    gw: httpx.Client,
    producer: Producer,
    scopes: list[str] | None = None,
    expires_in_days: int | None = None,
    name: str = "folder sync",
) -> dict[str, object]:
    response = gw.post(
        "/api/account/tokens",
        headers=producer.auth,
        json={
            "name": name,
            "scopes": scopes or ["library:read", "library:write", "kits:write"],
            "expires_in_days": expires_in_days,
        },
    )
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def pat(token: object) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_works_for_scripts_and_its_use_is_listed(
    gw: httpx.Client, producer: Producer
) -> None:
    created = create(gw, producer, ["library:read"], expires_in_days=30)
    secret = str(created["token"])
    assert secret.startswith("sp404_pat_") and len(secret) == 50
    assert created["prefix"] == secret[:14]
    assert created["scopes"] == ["library:read"]
    expires = dt.datetime.fromisoformat(str(created["expires_at"]))
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)

    listed = gw.get("/api/account/tokens", headers=producer.auth).json()
    assert listed["total"] == 1
    assert "token" not in listed["tokens"][0] and listed["tokens"][0]["last_used_at"] is None

    samples = gw.get("/api/samples", headers=pat(secret))
    assert samples.status_code == 200, samples.text
    assert samples.json()["total"] == 0
    me = gw.get("/api/account/profile", headers=pat(secret))
    assert me.status_code == 200 and me.json()["email"] == producer.email
    listed = gw.get("/api/account/tokens", headers=producer.auth).json()
    assert listed["tokens"][0]["last_used_at"] is not None


async def test_only_a_hash_of_the_token_is_stored(
    gw: httpx.Client, producer: Producer, owner: asyncpg.Connection
) -> None:
    secret = str(create(gw, producer)["token"])
    row = await owner.fetchrow(
        "select to_jsonb(t)::text as everything, token_hash from app.personal_access_tokens t"
        " where user_id = $1",
        uuid.UUID(producer.user_id),
    )
    assert row["token_hash"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret[14:] not in row["everything"]


def test_scopes_are_enforced_with_a_clear_code(gw: httpx.Client, producer: Producer) -> None:
    reader = pat(create(gw, producer, ["library:read"])["token"])
    writer = pat(create(gw, producer, ["library:write"])["token"])
    kits = pat(create(gw, producer, ["kits:write"])["token"])

    refused = gw.post("/api/collections", headers=reader, json={"name": "Drums"})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "insufficient_scope"
    assert "library:write" in refused.json()["error"]["message"]
    assert gw.post("/api/kits", headers=reader, json={"name": "Set"}).status_code == 403
    upload = gw.post(
        "/api/samples", headers=reader, files={"audio": ("hit.wav", _wav(), "audio/wav")}
    )
    assert upload.status_code == 403

    made = gw.post("/api/collections", headers=writer, json={"name": "Drums"})
    assert made.status_code == 201, made.text
    assert gw.post("/api/kits", headers=writer, json={"name": "Set"}).status_code == 403
    assert gw.get("/api/samples", headers=writer).status_code == 403

    kit = gw.post("/api/kits", headers=kits, json={"name": "Set"})
    assert kit.status_code == 201, kit.text
    assert gw.post("/api/collections", headers=kits, json={"name": "X"}).status_code == 403


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/api/account/tokens", None),
        ("POST", "/api/account/tokens", {"name": "more", "scopes": ["library:read"]}),
        ("POST", "/api/account/password", {"current_password": "x", "new_password": "y" * 12}),
        ("PATCH", "/api/account/profile", {"first_name": "Mallory"}),
        ("DELETE", "/api/account", {"password": "x"}),
        ("GET", "/api/billing/subscription", None),
        ("POST", "/api/billing/portal", {}),
        ("GET", "/api/auth/sessions", None),
        ("POST", "/api/auth/logout", {}),
        ("POST", "/api/account/export", None),
    ],
)
def test_a_token_can_never_manage_tokens_the_password_billing_or_the_account(
    gw: httpx.Client, producer: Producer, method: str, path: str, body: object
) -> None:
    token = pat(create(gw, producer)["token"])
    response = gw.request(method, path, headers=token, json=body)
    assert response.status_code == 403, response.text
    assert response.json()["error"]["code"] == "token_not_allowed"
    assert gw.get("/api/account/tokens", headers=producer.auth).json()["total"] == 1


def test_the_services_enforce_scopes_themselves_when_called_directly(
    gw: httpx.Client, producer: Producer, engine_url: str, platform_url: str
) -> None:
    reader = pat(create(gw, producer, ["library:read"])["token"])
    engine = httpx.post(
        f"{engine_url}/api/collections", auth=as_gateway(), headers=reader, json={"name": "X"}
    )
    assert engine.status_code == 403
    assert engine.json()["error"]["code"] == "insufficient_scope"
    assert (
        httpx.get(f"{engine_url}/api/samples", auth=as_gateway(), headers=reader).status_code == 200
    )
    platform = httpx.get(f"{platform_url}/api/account/tokens", auth=as_gateway(), headers=reader)
    assert platform.status_code == 403
    assert platform.json()["error"]["code"] == "token_not_allowed"


def test_revocation_takes_effect_on_the_next_request_everywhere(
    gw: httpx.Client, producer: Producer, engine_url: str
) -> None:
    created = create(gw, producer)
    token = pat(created["token"])
    assert gw.get("/api/samples", headers=token).status_code == 200
    assert (
        httpx.get(f"{engine_url}/api/samples", auth=as_gateway(), headers=token).status_code == 200
    )
    revoked = gw.delete(f"/api/account/tokens/{created['id']}", headers=producer.auth)
    assert revoked.status_code == 204
    refused = gw.get("/api/samples", headers=token)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_token"
    assert (
        httpx.get(f"{engine_url}/api/samples", auth=as_gateway(), headers=token).status_code == 401
    )
    assert gw.get("/api/account/tokens", headers=producer.auth).json()["total"] == 0
    again = gw.delete(f"/api/account/tokens/{created['id']}", headers=producer.auth)
    assert again.status_code == 404


def test_other_producers_ids_answer_404_with_tokens_as_with_sessions(
    gw: httpx.Client, mailbox: Mailbox
) -> None:
    alice, mallory = signed_up(gw, mailbox), signed_up(gw, mailbox)
    alice_token = create(gw, alice)
    upload = gw.post(
        "/api/samples",
        headers=pat(alice_token["token"]),
        files={"audio": ("kick.wav", _wav(), "audio/wav")},
    )
    assert upload.status_code == 201, upload.text
    sample_id = upload.json()["sample_id"]
    collection = gw.post(
        "/api/collections", headers=pat(alice_token["token"]), json={"name": "Mine"}
    ).json()["id"]

    thief = pat(create(gw, mallory)["token"])
    for method, path in [
        ("GET", f"/api/samples/{sample_id}"),
        ("GET", f"/api/samples/{sample_id}/download"),
        ("PATCH", f"/api/samples/{sample_id}"),
        ("DELETE", f"/api/samples/{sample_id}"),
        ("GET", f"/api/collections/{collection}"),
        ("DELETE", f"/api/collections/{collection}"),
    ]:
        body = {"title": "stolen"} if method == "PATCH" else None
        by_token = gw.request(method, path, headers=thief, json=body)
        by_session = gw.request(method, path, headers=mallory.auth, json=body)
        assert by_token.status_code == by_session.status_code == 404, (method, path)
    assert gw.get("/api/samples", headers=thief).json()["total"] == 0
    stolen = gw.delete(f"/api/account/tokens/{alice_token['id']}", headers=mallory.auth)
    assert stolen.status_code == 404
    assert gw.get("/api/samples", headers=pat(alice_token["token"])).status_code == 200


async def test_an_expired_or_forged_token_is_refused(
    gateway_url: str, producer: Producer, pool: asyncpg.Pool
) -> None:
    past = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
    expired = await insert_personal_token(pool, uuid.UUID(producer.user_id), expires_at=past)
    async with httpx.AsyncClient(base_url=gateway_url) as client:
        refused = await client.get("/api/samples", headers=pat(expired))
        assert refused.status_code == 401
        assert "expired" in refused.json()["error"]["message"]
        forged = pat("sp404_pat_" + "A" * 40)
        assert (await client.get("/api/samples", headers=forged)).status_code == 401


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["admin"]},
        {"name": "", "scopes": ["library:read"]},
        {"name": "x", "scopes": ["library:read"], "expires_in_days": 0},
        {"name": "x", "scopes": ["library:read"], "expires_in_days": 400},
        {"name": "x\u0000", "scopes": ["library:read"]},
    ],
)
def test_a_bad_token_request_is_refused_with_422(
    gw: httpx.Client, producer: Producer, body: dict[str, object]
) -> None:
    response = gw.post("/api/account/tokens", headers=producer.auth, json=body)
    assert response.status_code == 422, response.text


def test_a_producer_can_hold_fifty_live_tokens(gw: httpx.Client, producer: Producer) -> None:
    made = [create(gw, producer, ["library:read"], name=f"script {n}") for n in range(50)]
    refused = gw.post(
        "/api/account/tokens",
        headers=producer.auth,
        json={"name": "one too many", "scopes": ["library:read"]},
    )
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "token_limit_reached"
    gw.delete(f"/api/account/tokens/{made[0]['id']}", headers=producer.auth)
    create(gw, producer, ["library:read"], name="room again")


def test_the_daily_quota_counts_personal_token_requests_only(
    gw: httpx.Client, producer: Producer, store: redis.Redis
) -> None:
    token = pat(create(gw, producer, ["library:read"])["token"])
    for _ in range(3):
        assert gw.get("/api/samples", headers=token).status_code == 200
    for _ in range(5):
        assert gw.get("/api/samples", headers=producer.auth).status_code == 200
    day_key = f"sp404:api_calls:{{{producer.user_id}}}:{dt.datetime.now(dt.UTC):%Y%m%d}"
    assert int(store.get(day_key) or 0) == 3

    store.set(day_key, 99)
    last = gw.get("/api/samples", headers=token)
    assert last.status_code == 200 and last.headers["x-ratelimit-daily-remaining"] == "0"
    refused = gw.get("/api/samples", headers=token)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "quota_exceeded"
    assert int(refused.headers["retry-after"]) > 0

    # Locked out for scripts, the producer still has the whole app, plan page included.
    assert gw.get("/api/samples", headers=producer.auth).status_code == 200
    assert gw.get("/api/account/profile", headers=producer.auth).status_code == 200
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        plan = gw.get("/api/billing/subscription", headers=producer.auth)
        assert plan.status_code == 200
        if plan.json()["usage"]["api_calls_today"] == 4:
            break
        time.sleep(0.3)
    assert plan.json()["usage"]["api_calls_today"] == 4
    assert gw.post("/api/auth/logout", headers=producer.auth).status_code == 200


def test_the_openapi_documents_say_which_credential_and_scope_each_operation_takes(
    platform_url: str, engine_url: str
) -> None:
    platform = httpx.get(f"{platform_url}/openapi.json", auth=as_gateway()).json()
    engine = httpx.get(f"{engine_url}/openapi.json", auth=as_gateway()).json()
    for document in (platform, engine):
        schemes = document["components"]["securitySchemes"]
        assert schemes["session"]["bearerFormat"] == "JWT"
        assert schemes["personalToken"]["bearerFormat"] == "sp404_pat_…"
    assert platform["paths"]["/api/account/tokens"]["post"]["security"] == [{"session": []}]
    assert "security" not in platform["paths"]["/api/auth/login"]["post"]
    assert engine["paths"]["/api/samples"]["get"]["security"] == [
        {"session": []},
        {"personalToken": ["library:read"]},
    ]
    assert engine["paths"]["/api/kits/{kit_id}"]["patch"]["security"][1] == {
        "personalToken": ["kits:write"]
    }
