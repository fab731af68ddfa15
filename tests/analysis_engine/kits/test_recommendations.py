"""Suggestions by pad role, tempo and key: per-pad picks, "complete this kit", and kits built
from a collection or a prompt (samples seeded with known figures)."""

from __future__ import annotations

import httpx

from tests.stack import Producer

LIBRARY = [
    {"title": "Dusty Loop", "duration": 8.0, "bpm": 92, "key": "C major", "loop": True},
    {"title": "Fast Loop", "duration": 8.0, "bpm": 140, "key": "A minor", "loop": True},
    {"title": "Clashing Loop", "duration": 8.0, "bpm": 90, "key": "F# major", "loop": True},
    {"title": "Short Loop", "duration": 1.0, "bpm": 90, "loop": True},
    {"title": "Kick Deep", "duration": 0.4, "loop": False, "centroid": 300.0, "axis": 0},
    {"title": "Thud", "duration": 0.4, "loop": False, "centroid": 250.0, "harmonic": 0.1},
    {"title": "Snare Crack", "duration": 0.3, "loop": False, "centroid": 2500.0, "axis": 0},
    {"title": "Closed Hat", "duration": 0.1, "loop": False, "centroid": 9000.0},
    {"title": "Open Hat", "duration": 0.8, "loop": False, "centroid": 8000.0},
    {"title": "Conga Hit", "duration": 0.3, "loop": False, "tags": ["perc"]},
    {"title": "Vinyl Crackle", "duration": 6.0, "loop": False, "tags": ["texture"]},
]


def _titles(results: list[dict]) -> list[str]:  # type: ignore[type-arg]
    return [r["sample"]["title"] for r in results]


def test_a_loop_pad_suggests_long_loops_within_10_bpm_in_a_related_key(
    client: httpx.Client,
    account: Producer,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    seed_library(account, LIBRARY)
    kit = client.post("/api/kits", json={"name": "Recs", "bpm": 90, "musical_key": "A minor"})
    picks = client.get(
        f"/api/kits/{kit.json()['id']}/recommendations", params={"bank": "A", "pad": 1}
    )
    assert picks.status_code == 200, picks.text
    assert (picks.json()["role"], _titles(picks.json()["results"])) == ("loop", ["Dusty Loop"])
    assert picks.json()["results"][0]["key_relation"] == "relative"


def test_drum_pads_prefer_named_sounds_and_fall_back_on_analysis_figures(
    client: httpx.Client,
    account: Producer,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    seed_library(account, LIBRARY)
    kit_id = client.post("/api/kits", json={"name": "Drums"}).json()["id"]
    bank = client.get(f"/api/kits/{kit_id}/recommendations", params={"bank": "B"}).json()
    by_pad = {p["pad"]: _titles(p["results"]) for p in bank["pads"]}
    assert by_pad[13][:2] == ["Kick Deep", "Thud"]
    assert by_pad[14][0] == "Snare Crack"
    assert by_pad[15][0] == "Closed Hat"
    assert by_pad[16][0] == "Open Hat"
    assert "Conga Hit" in by_pad[9]
    assert by_pad[5][0] == "Vinyl Crackle"


def test_completing_a_kit_from_a_seed_fills_the_bank_by_role(
    client: httpx.Client,
    account: Producer,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    ids = dict(zip([s["title"] for s in LIBRARY], seed_library(account, LIBRARY), strict=True))
    kit_id = client.post("/api/kits", json={"name": "Seeded"}).json()["id"]
    done = client.post(f"/api/kits/{kit_id}/complete", json={"sample_id": ids["Dusty Loop"]})
    assert done.status_code == 200, done.text
    kit = done.json()
    pads = {p["label"]: p["sample"]["title"] for p in kit["pads"]}
    assert (kit["bpm"], kit["musical_key"]) == (92, "C major")
    assert pads["A-01"] == "Dusty Loop"
    assert (pads["A-13"], pads["A-14"], pads["A-15"], pads["A-16"]) == (
        "Kick Deep", "Snare Crack", "Closed Hat", "Open Hat",
    )  # fmt: skip
    assert "Fast Loop" not in pads.values()
    hats = [p["mute_group"] for p in kit["pads"] if p["pad"] in (15, 16)]
    assert hats == [1, 1]


def test_a_kit_is_built_from_a_collection_and_from_a_prompt(
    client: httpx.Client,
    account: Producer,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    ids = seed_library(account, LIBRARY)
    collection = client.post("/api/collections", json={"name": "Picks"}).json()["id"]
    client.post(f"/api/collections/{collection}/samples", json={"sample_ids": ids[4:9]})
    built = client.post("/api/kits/auto", json={"name": "From picks", "collection_id": collection})
    assert built.status_code == 201, built.text
    pads = {p["label"]: p["sample"]["title"] for p in built.json()["pads"]}
    assert pads["A-13"] == "Kick Deep" and pads["A-16"] == "Open Hat"
    prompted = client.post("/api/kits/auto", json={"name": "Hats", "prompt": "hat"})
    assert prompted.status_code == 201, prompted.text
    titles = {p["sample"]["title"] for p in prompted.json()["pads"]}
    assert titles == {"Closed Hat", "Open Hat"}
    nothing = client.post("/api/kits/auto", json={"name": "None", "prompt": "zzzqqq"})
    assert nothing.status_code == 422
