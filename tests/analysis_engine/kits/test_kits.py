"""Kits through the running engine: CRUD, the pad grid and its edits, and validation."""

from __future__ import annotations

import httpx
import pytest

from tests.analysis_engine.samples.conftest import upload
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, signed_up


def _pads(kit: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {pad["label"]: pad["sample"]["title"] for pad in kit["pads"]}


def test_a_kit_is_created_listed_renamed_and_deleted(client: httpx.Client) -> None:
    created = client.post(
        "/api/kits", json={"name": "Boom Bap", "bpm": 90, "musical_key": "A minor"}
    )
    assert created.status_code == 201, created.text
    kit = created.json()
    assert (kit["name"], kit["bpm"], kit["musical_key"], kit["pads"]) == (
        "Boom Bap",
        90,
        "A minor",
        [],
    )
    listed = client.get("/api/kits").json()
    assert listed["total"] == 1 and listed["kits"][0]["pad_count"] == 0
    renamed = client.patch(f"/api/kits/{kit['id']}", json={"name": "Dusty", "bpm": None})
    assert renamed.status_code == 200
    assert (renamed.json()["name"], renamed.json()["bpm"]) == ("Dusty", None)
    assert client.delete(f"/api/kits/{kit['id']}").status_code == 204
    assert client.get(f"/api/kits/{kit['id']}").status_code == 404


def test_a_second_kit_with_the_same_name_answers_409(client: httpx.Client) -> None:
    assert client.post("/api/kits", json={"name": "Twice"}).status_code == 201
    again = client.post("/api/kits", json={"name": "Twice"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "kit_name_taken"


def test_pads_are_assigned_moved_swapped_and_cleared(client: httpx.Client) -> None:
    kick = upload(client, "Kick", seconds=0.2)
    snare = upload(client, "Snare", seconds=0.2, freq=440.0)
    kit_id = client.post("/api/kits", json={"name": "Grid"}).json()["id"]
    pads = f"/api/kits/{kit_id}/pads"
    assigned = client.put(pads, json={"bank": "A", "pad": 13, "sample_id": kick, "volume": 100})
    assert assigned.status_code == 200, assigned.text
    pad = assigned.json()["pads"][0]
    assert (pad["label"], pad["role"], pad["volume"], pad["one_shot"]) == (
        "A-13",
        "kick",
        100,
        True,
    )
    client.put(pads, json={"bank": "A", "pad": 14, "sample_id": snare})

    occupied = client.post(
        f"{pads}/move",
        json={"source": {"bank": "A", "pad": 13}, "target": {"bank": "A", "pad": 14}},
    )
    assert occupied.status_code == 409
    moved = client.post(
        f"{pads}/move",
        json={"source": {"bank": "A", "pad": 13}, "target": {"bank": "J", "pad": 16}},
    )
    assert _pads(moved.json()) == {"A-14": "Snare", "J-16": "Kick"}
    swapped = client.post(
        f"{pads}/swap",
        json={"source": {"bank": "A", "pad": 14}, "target": {"bank": "J", "pad": 16}},
    )
    assert _pads(swapped.json()) == {"A-14": "Kick", "J-16": "Snare"}
    half = client.post(
        f"{pads}/swap", json={"source": {"bank": "J", "pad": 16}, "target": {"bank": "B", "pad": 1}}
    )
    assert _pads(half.json()) == {"A-14": "Kick", "B-01": "Snare"}

    cleared = client.post(f"{pads}/clear", json={"pads": [{"bank": "A", "pad": 14}]})
    assert (cleared.json()["cleared"], _pads(cleared.json())) == (1, {"B-01": "Snare"})
    everything = client.post(f"{pads}/clear", json={"all": True})
    assert everything.json()["pads"] == []
    # The samples stay in the library.
    assert client.get(f"/api/samples/{kick}").status_code == 200


def test_moving_an_empty_pad_answers_404(client: httpx.Client) -> None:
    kit_id = client.post("/api/kits", json={"name": "Empty"}).json()["id"]
    moved = client.post(
        f"/api/kits/{kit_id}/pads/move",
        json={"source": {"bank": "A", "pad": 1}, "target": {"bank": "A", "pad": 2}},
    )
    assert moved.status_code == 404
    assert moved.json()["error"]["code"] == "pad_empty"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"bank": "K"}, "bank"),
        ({"bank": "AA"}, "bank"),
        ({"pad": 0}, "pad"),
        ({"pad": 17}, "pad"),
        ({"volume": 128}, "volume"),
        ({"volume": -1}, "volume"),
        ({"pitch": 13}, "pitch"),
        ({"mute_group": 17}, "mute_group"),
    ],
)
def test_a_pad_outside_the_grid_or_its_ranges_answers_422(
    client: httpx.Client,
    change: dict,
    field: str,  # type: ignore[type-arg]
) -> None:
    kit_id = client.post("/api/kits", json={"name": f"Bad {field} {change}"}).json()["id"]
    body = {"bank": "A", "pad": 1, "sample_id": "00000000-0000-0000-0000-000000000001", **change}
    response = client.put(f"/api/kits/{kit_id}/pads", json=body)
    assert response.status_code == 422, response.text
    assert field in response.text


def test_a_kit_bpm_the_sampler_cannot_hold_answers_422(client: httpx.Client) -> None:
    assert client.post("/api/kits", json={"name": "Slow", "bpm": 20}).status_code == 422
    assert (
        client.post("/api/kits", json={"name": "Keyless", "musical_key": "H minor"}).status_code
        == 422
    )


def test_another_producers_sample_cannot_go_on_a_pad(
    client: httpx.Client, api: httpx.Client, mailbox: Mailbox, engine_url: str
) -> None:
    other = signed_up(api, mailbox)
    with httpx.Client(
        base_url=engine_url, auth=as_gateway(), headers=other.auth, timeout=30
    ) as theirs:
        foreign = upload(theirs, "Their kick")
    kit_id = client.post("/api/kits", json={"name": "Mine"}).json()["id"]
    response = client.put(
        f"/api/kits/{kit_id}/pads", json={"bank": "A", "pad": 1, "sample_id": foreign}
    )
    assert response.status_code == 404
    assert client.get(f"/api/kits/{kit_id}").json()["pads"] == []
