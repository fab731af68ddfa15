"""Another producer's collections and samples: every route answers 404 exactly like a missing id,
writes an access.denied audit entry, and leaves the owner's data as it was."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.analysis_engine.collections.conftest import create, member_ids
from tests.analysis_engine.collections.database import Database
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, Producer, new_producer


@dataclass
class Library:
    producer: Producer
    client: httpx.Client
    collection: str
    child: str
    sample: str


def _library(engine_url: str, platform_url: str, mailbox: Mailbox, db: Database) -> Library:
    producer = new_producer(platform_url, mailbox)
    client = httpx.Client(base_url=engine_url, auth=as_gateway(), headers=producer.auth, timeout=30)
    collection = create(client, "Drums")["id"]
    child = create(client, "Kicks", parent_id=collection)["id"]
    sample = db.add_sample(producer.user_id, "Kick")
    client.post(f"/api/collections/{collection}/samples", json={"sample_ids": [sample]})
    return Library(producer, client, collection, child, sample)


@pytest.fixture(scope="module")
def victim(engine_url: str, platform_url: str, mailbox: Mailbox, db: Database) -> Iterator[Library]:
    library = _library(engine_url, platform_url, mailbox, db)
    yield library
    library.client.close()


@pytest.fixture(scope="module")
def attacker(
    engine_url: str, platform_url: str, mailbox: Mailbox, db: Database
) -> Iterator[Library]:
    library = _library(engine_url, platform_url, mailbox, db)
    yield library
    library.client.close()


# (method, path, body, which id the audit entry names), with {c}/{s} the victim's collection and
# sample and {mine}/{my_sample} the attacker's own.
Request = tuple[str, str, dict[str, Any] | None, str]
ROUTES: list[Request] = [
    ("GET", "/api/collections/{c}", None, "c"),
    ("PATCH", "/api/collections/{c}", {"name": "stolen"}, "c"),
    ("PATCH", "/api/collections/{c}", {"parent_id": None}, "c"),
    ("DELETE", "/api/collections/{c}", None, "c"),
    ("POST", "/api/collections/{c}/samples", {"sample_ids": []}, "c"),
    ("POST", "/api/collections/{c}/samples", {"sample_ids": ["{my_sample}"]}, "c"),
    ("DELETE", "/api/collections/{c}/samples/{s}", None, "c"),
    ("DELETE", "/api/collections/{c}/samples/{my_sample}", None, "c"),
    ("GET", "/api/collections?parent_id={c}", None, "c"),
    ("POST", "/api/collections", {"name": "Inside", "parent_id": "{c}"}, "c"),
    ("PATCH", "/api/collections/{mine}", {"parent_id": "{c}"}, "c"),
    ("POST", "/api/collections/{mine}/samples", {"sample_ids": ["{my_sample}", "{s}"]}, "s"),
    ("DELETE", "/api/collections/{mine}/samples/{s}", None, "s"),
]


def _fill(template: Any, ids: dict[str, str]) -> Any:
    if isinstance(template, str):
        return template.format(**ids)
    if isinstance(template, list):
        return [_fill(item, ids) for item in template]
    if isinstance(template, dict):
        return {key: _fill(value, ids) for key, value in template.items()}
    return template


def _snapshot(library: Library) -> dict[str, Any]:
    opened = library.client.get(f"/api/collections/{library.collection}").json()
    listing = library.client.get("/api/collections").json()
    return {
        "collection": {k: opened[k] for k in ("name", "parent_id", "description", "smart_rules")},
        "members": member_ids(library.client, library.collection),
        "tree": [(c["id"], c["parent_id"], c["name"]) for c in listing["collections"]],
    }


@pytest.mark.parametrize(("method", "path", "body", "audited"), ROUTES)
def test_another_producers_ids_answer_404_are_audited_and_change_nothing(
    victim: Library,
    attacker: Library,
    db: Database,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    audited: str,
) -> None:
    theirs = {"c": victim.collection, "s": victim.sample}
    ours = {"mine": attacker.collection, "my_sample": attacker.sample}
    before = _snapshot(victim)
    attackers_own = _snapshot(attacker)
    denials = db.denials(attacker.producer.user_id, theirs[audited])

    send: Callable[..., httpx.Response] = attacker.client.request
    response = send(method, _fill(path, {**theirs, **ours}), json=_fill(body, {**theirs, **ours}))
    assert response.status_code == 404, response.text
    missing = {"c": str(uuid.uuid4()), "s": str(uuid.uuid4())}
    twin = send(method, _fill(path, {**missing, **ours}), json=_fill(body, {**missing, **ours}))
    assert twin.status_code == 404
    assert response.json()["error"]["message"] == twin.json()["error"]["message"]

    assert _snapshot(victim) == before
    assert _snapshot(attacker) == attackers_own
    assert db.denials(attacker.producer.user_id, theirs[audited]) == denials + 1


def test_the_list_shows_nothing_of_another_producer(victim: Library, attacker: Library) -> None:
    listed = attacker.client.get("/api/collections").json()
    ids = {c["id"] for c in listed["collections"]}
    assert victim.collection not in ids and victim.child not in ids
    assert listed["total"] == 2
