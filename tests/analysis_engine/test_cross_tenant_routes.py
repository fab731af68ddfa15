"""Every engine route, generated from the OpenAPI document so a new route cannot be missed:
another producer's ids answer 404 exactly like missing ones, leave an audit row, and change
nothing."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from sp404.core.settings import Settings
from tests.analysis_engine.samples.conftest import audio_bytes
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, Producer, signed_up

# Bodies that pass validation, so the ownership check is what answers (keyed by method + path).
BODIES: dict[str, Any] = {
    "PATCH /api/samples/{sample_id}": {"title": "stolen"},
    "POST /api/collections/{collection_id}/samples": {"sample_ids": []},
    "PATCH /api/collections/{collection_id}": {"name": "stolen"},
    "PATCH /api/kits/{kit_id}": {"name": "stolen"},
    "PUT /api/kits/{kit_id}/pads": {"bank": "A", "pad": 1, "sample_id": str(uuid.uuid4())},
    "POST /api/kits/{kit_id}/pads/move": {
        "source": {"bank": "A", "pad": 1},
        "target": {"bank": "A", "pad": 2},
    },
    "POST /api/kits/{kit_id}/pads/swap": {
        "source": {"bank": "A", "pad": 1},
        "target": {"bank": "A", "pad": 2},
    },
    "POST /api/kits/{kit_id}/pads/clear": {"all": True},
    "POST /api/kits/{kit_id}/complete": {"sample_id": str(uuid.uuid4())},
}
# Routes whose path ids are looked up in the victim's library.
PARAMS = ("sample_id", "job_id", "collection_id", "upload_id", "import_id", "kit_id", "export_id")


@pytest.fixture
def victim_and_ids(
    api: httpx.Client, mailbox: Mailbox, engine_url: str
) -> tuple[Producer, dict[str, str]]:
    victim = signed_up(api, mailbox)
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=victim.auth, timeout=30
    ) as client:
        uploaded = client.post(
            "/api/samples", files={"audio": ("v.wav", audio_bytes(), "audio/wav")}
        )
        assert uploaded.status_code == 201, uploaded.text
        collection = client.post("/api/collections", json={"name": "Victim's drums"})
        kit = client.post("/api/kits", json={"name": "Victim's kit"}).json()
        client.put(
            f"/api/kits/{kit['id']}/pads",
            json={"bank": "A", "pad": 1, "sample_id": uploaded.json()["sample_id"]},
        )
        export = client.post("/api/exports", json={"kind": "import_pack", "kit_id": kit["id"]})
        direct = client.post(
            "/api/samples/uploads",
            json={"filename": "d.wav", "size": 100, "content_type": "audio/wav"},
        )
    ids = {
        "sample_id": uploaded.json()["sample_id"],
        "job_id": uploaded.json()["job_id"],
        "upload_id": direct.json()["upload_id"],
        "kit_id": kit["id"],
        "export_id": export.json()["id"],
    }
    if collection.status_code == 201:
        ids["collection_id"] = collection.json()["id"]
    return victim, ids


def _owned_routes(engine_url: str) -> list[tuple[str, str]]:
    spec = httpx.get(f"{engine_url}/openapi.json", auth=as_gateway()).json()
    routes = []
    for path, operations in spec["paths"].items():
        if "{" not in path:
            continue
        for method in operations:
            routes.append((method.upper(), path))
    return sorted(routes)


def test_another_producers_ids_answer_404_on_every_route(
    api: httpx.Client,
    mailbox: Mailbox,
    engine_url: str,
    migrated_db: Settings,
    victim_and_ids: tuple[Producer, dict[str, str]],
) -> None:
    victim, ids = victim_and_ids
    attacker = signed_up(api, mailbox)
    routes = _owned_routes(engine_url)
    assert routes, "the engine serves no routes with ids?"
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=attacker.auth, timeout=30
    ) as client:
        for method, template in routes:
            names = re.findall(r"{(\w+)}", template)
            unknown = [n for n in names if n not in PARAMS]
            assert not unknown, f"{method} {template}: add {unknown} to the cross-tenant test"
            if any(n not in ids for n in names):
                continue  # that kind of object does not exist yet in this build
            path = template.format(**ids)
            body = BODIES.get(f"{method} {template}")
            response = client.request(
                method, path, json=body if method in ("POST", "PATCH", "PUT") else None
            )
            assert response.status_code == 404, (
                f"{method} {template}: {response.status_code} {response.text}"
            )
            missing = template.format(**{n: str(uuid.uuid4()) for n in names})
            twin = client.request(
                method, missing, json=body if method in ("POST", "PATCH", "PUT") else None
            )
            assert twin.status_code == 404
            assert response.json()["error"]["message"] == twin.json()["error"]["message"]
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=victim.auth, timeout=30
    ) as client:
        sample = client.get(f"/api/samples/{ids['sample_id']}").json()
    assert sample["title"] == "v"
    denials = asyncio.run(_denials(migrated_db, attacker.user_id))
    assert denials >= 1


async def _denials(settings: Settings, user_id: str) -> int:
    conn = await asyncpg.connect(settings.database_auditor_url)
    try:
        return int(
            await conn.fetchval(
                "select count(*) from app.audit_log"
                " where action = 'access.denied' and user_id = $1",
                uuid.UUID(user_id),
            )
        )
    finally:
        await conn.close()


def test_lists_show_nothing_of_another_producer(
    api: httpx.Client,
    mailbox: Mailbox,
    engine_url: str,
    victim_and_ids: tuple[Producer, dict[str, str]],
) -> None:
    attacker = signed_up(api, mailbox)
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=attacker.auth, timeout=30
    ) as client:
        assert client.get("/api/samples").json()["total"] == 0
        assert client.get("/api/jobs").json()["total"] == 0


def test_a_spoofed_user_header_sent_straight_to_the_engine_gains_nothing(
    engine_url: str,
    api: httpx.Client,
    mailbox: Mailbox,
    victim_and_ids: tuple[Producer, dict[str, str]],
) -> None:
    victim, ids = victim_and_ids
    attacker = signed_up(api, mailbox)
    no_token = httpx.get(
        f"{engine_url}/api/samples/{ids['sample_id']}",
        auth=as_gateway(),
        headers={"X-User-ID": victim.user_id, "X-User-Tier": "enterprise"},
    )
    assert no_token.status_code == 401
    mismatched = httpx.get(
        f"{engine_url}/api/samples/{ids['sample_id']}",
        auth=as_gateway(),
        headers={**attacker.auth, "X-User-ID": victim.user_id},
    )
    assert mismatched.status_code == 401
