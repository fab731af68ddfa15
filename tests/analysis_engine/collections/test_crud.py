"""A producer files samples into collections, nests them, moves, renames and deletes them."""

from __future__ import annotations

import uuid

import httpx

from tests.analysis_engine.collections.conftest import create, member_ids
from tests.analysis_engine.collections.database import Database
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, Producer, signed_up


def test_a_created_collection_is_listed_with_its_counts_and_opened_empty(
    client: httpx.Client,
) -> None:
    made = create(client, "Drums", description="Everything that hits")
    assert made["name"] == "Drums" and made["parent_id"] is None and made["is_smart"] is False
    assert made["sample_count"] == 0

    listing = client.get("/api/collections").json()
    assert listing["total"] == 1 and listing["limit"] == 50 and listing["offset"] == 0
    (listed,) = listing["collections"]
    assert listed["id"] == made["id"] and listed["description"] == "Everything that hits"
    assert listed["sample_count"] == 0 and listed["child_count"] == 0 and listed["depth"] == 1

    opened = client.get(f"/api/collections/{made['id']}").json()
    assert opened["samples"] == [] and opened["total"] == 0


def test_samples_added_to_a_collection_are_listed_in_the_order_added(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    kick, snare, hat = [db.add_sample(collector.user_id, t) for t in ("K", "S", "H")]
    drums = create(client, "Drums")
    first = client.post(f"/api/collections/{drums['id']}/samples", json={"sample_ids": [snare]})
    assert first.status_code == 200 and first.json()["added"] == 1
    again = client.post(
        f"/api/collections/{drums['id']}/samples", json={"sample_ids": [kick, snare, hat, kick]}
    )
    assert again.json() == {
        "collection_id": drums["id"],
        "added": 2,
        "already_present": 1,
        "sample_count": 3,
    }
    assert member_ids(client, drums["id"]) == [snare, kick, hat]
    page = client.get(f"/api/collections/{drums['id']}", params={"limit": 2, "offset": 2}).json()
    assert [s["id"] for s in page["samples"]] == [hat] and page["total"] == 3
    beyond = client.get(f"/api/collections/{drums['id']}", params={"offset": 10}).json()
    assert beyond["samples"] == [] and beyond["total"] == 3
    assert client.get("/api/collections").json()["collections"][0]["sample_count"] == 3


def test_removing_a_sample_keeps_it_in_the_library(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    kick = db.add_sample(collector.user_id, "Kick")
    drums = create(client, "Drums")
    client.post(f"/api/collections/{drums['id']}/samples", json={"sample_ids": [kick]})
    removed = client.delete(f"/api/collections/{drums['id']}/samples/{kick}")
    assert removed.status_code == 204
    assert member_ids(client, drums["id"]) == []
    twice = client.delete(f"/api/collections/{drums['id']}/samples/{kick}")
    assert twice.status_code == 404
    assert twice.json()["error"]["message"] == "That sample is not in this collection."
    assert client.get(f"/api/samples/{kick}").status_code == 200


def test_one_unknown_sample_id_adds_nothing_at_all(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    kick = db.add_sample(collector.user_id, "Kick")
    drums = create(client, "Drums")
    refused = client.post(
        f"/api/collections/{drums['id']}/samples",
        json={"sample_ids": [kick, str(uuid.uuid4())]},
    )
    assert refused.status_code == 404
    assert refused.json()["error"]["message"] == "No such sample."
    assert member_ids(client, drums["id"]) == []


def test_collections_nest_and_the_list_follows_the_tree(client: httpx.Client) -> None:
    drums = create(client, "Drums")
    kicks = create(client, "Kicks", parent_id=drums["id"])
    acoustic = create(client, "Acoustic", parent_id=kicks["id"])
    bass = create(client, "Bass")
    names = [c["name"] for c in client.get("/api/collections").json()["collections"]]
    assert names == ["Bass", "Drums", "Kicks", "Acoustic"]

    children = client.get("/api/collections", params={"parent_id": drums["id"]}).json()
    assert [c["id"] for c in children["collections"]] == [kicks["id"]]
    assert children["total"] == 1
    top = client.get("/api/collections", params={"top_level": True}).json()
    assert [c["id"] for c in top["collections"]] == [bass["id"], drums["id"]]

    opened = client.get(f"/api/collections/{acoustic['id']}").json()
    assert opened["depth"] == 3
    assert [step["name"] for step in opened["path"]] == ["Drums", "Kicks", "Acoustic"]
    assert client.get(f"/api/collections/{drums['id']}").json()["child_count"] == 1


def test_a_collection_moves_renames_and_returns_to_the_top_level(client: httpx.Client) -> None:
    drums = create(client, "Drums")
    kicks = create(client, "Kicks")
    moved = client.patch(
        f"/api/collections/{kicks['id']}", json={"parent_id": drums["id"], "name": "Kick drums"}
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["parent_id"] == drums["id"] and moved.json()["name"] == "Kick drums"
    assert moved.json()["depth"] == 2
    described = client.patch(f"/api/collections/{kicks['id']}", json={"description": "808s"})
    assert described.json()["parent_id"] == drums["id"]
    assert described.json()["description"] == "808s"
    back = client.patch(f"/api/collections/{kicks['id']}", json={"parent_id": None})
    assert back.json()["parent_id"] is None and back.json()["name"] == "Kick drums"
    cleared = client.patch(f"/api/collections/{kicks['id']}", json={"description": None})
    assert cleared.json()["description"] is None


def test_a_collection_cannot_move_into_itself_or_its_descendants(client: httpx.Client) -> None:
    drums = create(client, "Drums")
    kicks = create(client, "Kicks", parent_id=drums["id"])
    acoustic = create(client, "Acoustic", parent_id=kicks["id"])
    for target in (drums, kicks, acoustic):
        refused = client.patch(f"/api/collections/{drums['id']}", json={"parent_id": target["id"]})
        assert refused.status_code == 422, target["name"]
        assert refused.json()["error"]["code"] == "collection_cycle"
    assert client.get(f"/api/collections/{drums['id']}").json()["parent_id"] is None


def test_collections_nest_at_most_eight_levels(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    # Pro, so the Free plan's five collections do not stop the climb first.
    db.set_tier(collector.user_id, "pro")
    chain = [create(client, "Level 1")]
    for level in range(2, 9):
        chain.append(create(client, f"Level {level}", parent_id=chain[-1]["id"]))
    assert client.get(f"/api/collections/{chain[-1]['id']}").json()["depth"] == 8
    too_deep = client.post("/api/collections", json={"name": "L9", "parent_id": chain[-1]["id"]})
    assert too_deep.status_code == 422
    assert too_deep.json()["error"]["code"] == "collection_too_deep"

    pair = create(client, "Pair")
    create(client, "Inner", parent_id=pair["id"])
    under_seventh = client.patch(
        f"/api/collections/{pair['id']}", json={"parent_id": chain[6]["id"]}
    )
    assert under_seventh.status_code == 422
    under_sixth = client.patch(f"/api/collections/{pair['id']}", json={"parent_id": chain[5]["id"]})
    assert under_sixth.status_code == 200 and under_sixth.json()["depth"] == 7


def test_deleting_a_collection_deletes_its_children_but_not_its_samples(
    client: httpx.Client, collector: Producer, db: Database
) -> None:
    kick = db.add_sample(collector.user_id, "Kick")
    drums = create(client, "Drums")
    kicks = create(client, "Kicks", parent_id=drums["id"])
    keep = create(client, "Keys")
    client.post(f"/api/collections/{kicks['id']}/samples", json={"sample_ids": [kick]})
    assert client.delete(f"/api/collections/{drums['id']}").status_code == 204
    assert client.get(f"/api/collections/{kicks['id']}").status_code == 404
    assert [c["id"] for c in client.get("/api/collections").json()["collections"]] == [keep["id"]]
    assert client.get(f"/api/samples/{kick}").status_code == 200
    assert client.delete(f"/api/collections/{drums['id']}").status_code == 404


def test_names_are_unique_per_parent_but_not_across_parents_or_producers(
    client: httpx.Client, api: httpx.Client, mailbox: Mailbox, engine_url: str
) -> None:
    drums = create(client, "Drums")
    duplicate = client.post("/api/collections", json={"name": "Drums"})
    assert duplicate.status_code == 409
    assert duplicate.json()["error"]["code"] == "collection_name_taken"
    assert "already exists" in duplicate.json()["error"]["message"]
    create(client, "Drums", parent_id=drums["id"])
    keys = create(client, "Keys")
    renamed = client.patch(f"/api/collections/{keys['id']}", json={"name": "Drums"})
    assert renamed.status_code == 409
    moved = client.patch(f"/api/collections/{keys['id']}", json={"parent_id": drums["id"]})
    assert moved.status_code == 200
    other = signed_up(api, mailbox)
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=other.auth, timeout=30
    ) as theirs:
        assert theirs.post("/api/collections", json={"name": "Drums"}).status_code == 201
