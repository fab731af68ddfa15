"""Trim points on pads: set through the pad API in the sample's own frames, checked against its
length, kept through moves and swaps, and cleared by sending none."""

from __future__ import annotations

import httpx
import pytest

from tests.analysis_engine.samples.conftest import upload


def _kit(client: httpx.Client, name: str) -> str:
    kit_id: str = client.post("/api/kits", json={"name": name}).json()["id"]
    return kit_id


def _pad(kit: dict, label: str) -> dict:  # type: ignore[type-arg]
    return next(p for p in kit["pads"] if p["label"] == label)


def test_a_pad_keeps_its_trim_and_says_how_long_its_sample_is(client: httpx.Client) -> None:
    sample_id = upload(client, "Break", seconds=1.0, rate=44100)
    kit_id = _kit(client, "Trimmed")
    body = {"bank": "A", "pad": 1, "sample_id": sample_id, "start": 4410, "end": 30000}
    response = client.put(f"/api/kits/{kit_id}/pads", json=body)
    assert response.status_code == 200, response.text
    pad = _pad(response.json(), "A-01")
    assert (pad["start"], pad["end"]) == (4410, 30000)
    assert (pad["sample"]["frames"], pad["sample"]["sample_rate"]) == (44100, 44100)
    moved = client.post(
        f"/api/kits/{kit_id}/pads/move",
        json={"source": {"bank": "A", "pad": 1}, "target": {"bank": "B", "pad": 2}},
    ).json()
    assert (_pad(moved, "B-02")["start"], _pad(moved, "B-02")["end"]) == (4410, 30000)
    other = upload(client, "Kick", seconds=0.3)
    client.put(f"/api/kits/{kit_id}/pads", json={"bank": "A", "pad": 1, "sample_id": other})
    swapped = client.post(
        f"/api/kits/{kit_id}/pads/swap",
        json={"source": {"bank": "A", "pad": 1}, "target": {"bank": "B", "pad": 2}},
    ).json()
    assert (_pad(swapped, "A-01")["start"], _pad(swapped, "A-01")["end"]) == (4410, 30000)
    assert (_pad(swapped, "B-02")["start"], _pad(swapped, "B-02")["end"]) == (None, None)
    assert client.get(f"/api/kits/{kit_id}").json() == swapped


def test_one_trim_point_alone_takes_the_other_from_the_sample(client: httpx.Client) -> None:
    sample_id = upload(client, "Chop", seconds=0.5, rate=48000)
    kit_id = _kit(client, "Halves")
    put = {"bank": "A", "pad": 1, "sample_id": sample_id}
    kit = client.put(f"/api/kits/{kit_id}/pads", json={**put, "start": 12000}).json()
    assert (_pad(kit, "A-01")["start"], _pad(kit, "A-01")["end"]) == (12000, 24000)
    kit = client.put(f"/api/kits/{kit_id}/pads", json={**put, "end": 6000}).json()
    assert (_pad(kit, "A-01")["start"], _pad(kit, "A-01")["end"]) == (0, 6000)
    # The whole sample is no trim at all; leaving both out clears it too.
    kit = client.put(f"/api/kits/{kit_id}/pads", json={**put, "start": 0, "end": 24000}).json()
    assert (_pad(kit, "A-01")["start"], _pad(kit, "A-01")["end"]) == (None, None)
    client.put(f"/api/kits/{kit_id}/pads", json={**put, "start": 5})
    kit = client.put(f"/api/kits/{kit_id}/pads", json=put).json()
    assert (_pad(kit, "A-01")["start"], _pad(kit, "A-01")["end"]) == (None, None)


@pytest.mark.parametrize(
    ("trim", "code"),
    [
        ({"start": 100, "end": 100}, "validation_error"),
        ({"start": 200, "end": 100}, "validation_error"),
        ({"start": -1, "end": 100}, "validation_error"),
        ({"start": 0, "end": 24001}, "bad_trim"),
        ({"start": 24000}, "bad_trim"),
    ],
)
def test_trim_points_outside_the_sample_are_refused(
    client: httpx.Client, trim: dict[str, int], code: str
) -> None:
    sample_id = upload(client, "Short", seconds=0.5, rate=48000)
    kit_id = _kit(client, "Refused")
    body = {"bank": "A", "pad": 1, "sample_id": sample_id, **trim}
    response = client.put(f"/api/kits/{kit_id}/pads", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == code
    assert client.get(f"/api/kits/{kit_id}").json()["pads"] == []
