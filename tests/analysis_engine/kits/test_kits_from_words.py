"""Kits from plain words and "Complete bank": tempo, key and stemmed words understood, pads
filled by role using tags as well as figures, and every pad left empty named with why."""

from __future__ import annotations

import httpx

from tests.stack import Producer

LIBRARY = [
    {"title": "Dust Break", "duration": 8.0, "bpm": 92, "key": "A minor", "loop": True,
     "tags": ["drums", "dusty"]},
    {"title": "Lofi Kick", "duration": 0.4, "loop": False, "tags": ["drum", "lo-fi", "kick"]},
    {"title": "Crunchy Snare", "duration": 0.3, "loop": False, "tags": ["drums", "snare"]},
    {"title": "Shiny Hat", "duration": 0.1, "loop": False, "tags": ["hat", "clean"]},
    {"title": "Dark 808 Loop", "duration": 6.9, "bpm": 140, "key": "F minor", "loop": True,
     "tags": ["trap", "dark"]},
    {"title": "Trap Hats", "duration": 0.1, "loop": False, "tags": ["trap", "hats"]},
    {"title": "Bright Keys", "duration": 8.0, "bpm": 140, "key": "E major", "loop": True,
     "tags": ["trap"]},
    {"title": "Glass Pad", "duration": 6.0, "key": "E major", "loop": False,
     "tags": ["trap", "texture"]},
]  # fmt: skip


def _pads(kit: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {p["label"]: p["sample"]["title"] for p in kit["pads"]}


def _empty(kit: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {e["label"]: e["reason"] for e in kit["empty"]}


def test_dusty_lo_fi_drums_at_92_finds_the_tagged_drums_and_says_what_stayed_empty(
    client: httpx.Client,
    account: Producer,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    seed_library(account, LIBRARY)
    built = client.post(
        "/api/kits/auto", json={"name": "Dusty", "prompt": "dusty lo-fi drums at 92"}
    )
    assert built.status_code == 201, built.text
    kit = built.json()
    assert kit["understood"] == {
        "bpm": 92.0, "musical_key": None, "camelot": None, "words": ["dusty", "lo-fi", "drums"]
    }  # fmt: skip
    assert kit["bpm"] == 92.0
    assert _pads(kit) == {"A-01": "Dust Break", "A-13": "Lofi Kick", "A-14": "Crunchy Snare"}
    empty = _empty(kit)
    assert empty["A-15"] == "no_candidate" and empty["A-05"] == "no_candidate"
    assert len(empty) == 13
    hat = next(e for e in kit["empty"] if e["label"] == "A-15")
    assert hat["message"] == (
        'Nothing matching "dusty", "lo-fi", "drums" suits the closed hi-hat pad.'
    )


def test_a_word_finds_the_samples_its_stem_names(
    client: httpx.Client,
    account: Producer,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    # Text search stems "dusty" to "dusti" and keeps "lo-fi" apart from "lofi"; the kit asks it
    # for the stems too, so "dusty lo-fi" still finds a kick called Lofi and tagged dust.
    seed_library(account, [{"title": "Lofi Thump", "duration": 0.4, "loop": False,
                            "tags": ["kick", "dust"]}])  # fmt: skip
    built = client.post("/api/kits/auto", json={"name": "Stems", "prompt": "dusty lo-fi"})
    assert built.status_code == 201, built.text
    assert _pads(built.json()) == {"A-13": "Lofi Thump"}


def test_a_loop_whose_vibe_suggests_playing_it_under_drums_is_not_drums(
    client: httpx.Client,
    account: Producer,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    # Found by using the product: "dusty lo-fi drums at 92" put two keys loops on the kit,
    # because their vibe's best use reads "loop to chop, flip or play under drums".
    keys = {"title": "Mellow Keys", "duration": 8.0, "bpm": 92, "key": "C major", "loop": True,
            "tags": ["keys"], "vibe": ("Laid-back 92 BPM tonal loop in C major.",
                                       "loop to chop, flip or play under drums")}  # fmt: skip
    seed_library(account, [LIBRARY[0], keys])
    built = client.post("/api/kits/auto", json={"name": "Drums", "prompt": "drums at 92"})
    assert built.status_code == 201, built.text
    assert _pads(built.json()) == {"A-01": "Dust Break"}


def test_dark_trap_kit_in_f_minor_140_takes_its_tempo_key_and_words(
    client: httpx.Client,
    account: Producer,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    seed_library(account, LIBRARY)
    kit = client.post(
        "/api/kits/auto", json={"name": "Trap", "prompt": "dark trap kit in F minor 140"}
    ).json()
    assert (kit["bpm"], kit["musical_key"], kit["camelot"]) == (140.0, "F minor", "4A")
    assert kit["understood"]["words"] == ["dark", "trap"]
    pads = _pads(kit)
    # Both trap loops match a word; the E major one clashes with F minor and stays out.
    assert pads == {"A-01": "Dark 808 Loop", "A-15": "Trap Hats"}
    assert _empty(kit)["A-02"] == "tempo_or_key"
    loop_pad = next(e for e in kit["empty"] if e["label"] == "A-02")
    assert loop_pad["message"].startswith('The samples matching "dark", "trap" that suit the loop')
    # Tempo counts on loop pads only: an E major pad sample is kept out by the key alone.
    texture_pad = next(e for e in kit["empty"] if e["label"] == "A-05")
    assert texture_pad["message"] == (
        'The samples matching "dark", "trap" that suit the texture (pads, ambience, vinyl, FX)'
        " pad clash with the kit's key."
    )
    nothing = client.post("/api/kits/auto", json={"name": "None", "prompt": "banjo at 100"})
    assert nothing.status_code == 422
    assert nothing.json()["error"]["message"] == (
        'No sample in your library matches "banjo"; no kit was built.'
    )


def test_complete_bank_fills_a_tagged_kick_despite_a_spurious_tempo_and_key(
    client: httpx.Client,
    account: Producer,
    seed_library,  # type: ignore[no-untyped-def]
) -> None:
    ids = seed_library(account, [
        {"title": "Boom Loop", "duration": 8.0, "bpm": 92, "key": "A minor", "loop": True},
        # The analysis heard 150 BPM and G# major in a kick; its tag says what it is.
        {"title": "Thump", "duration": 0.5, "bpm": 150, "key": "G# major", "loop": False,
         "tags": ["kick"]},
        {"title": "Other Loop", "duration": 8.0, "bpm": 92, "key": "A minor", "loop": True},
    ])  # fmt: skip
    kit_id = client.post("/api/kits", json={"name": "Complete", "bpm": 92}).json()["id"]
    done = client.post(f"/api/kits/{kit_id}/complete", json={"sample_id": ids[0], "bank": "A"})
    assert done.status_code == 200, done.text
    kit = done.json()
    assert _pads(kit) == {"A-01": "Boom Loop", "A-02": "Other Loop", "A-13": "Thump"}
    assert kit["added"] == ["A-01", "A-02", "A-13"]
    empty = _empty(kit)
    assert "A-13" not in empty and empty["A-03"] == "all_used" and empty["A-14"] == "no_candidate"
    assert len(kit["empty"]) == 13


def test_a_kit_key_is_answered_in_the_one_spelling(client: httpx.Client) -> None:
    created = client.post("/api/kits", json={"name": "Flat", "musical_key": "Ab minor"}).json()
    assert (created["musical_key"], created["camelot"]) == ("G# minor", "1A")
    changed = client.patch(f"/api/kits/{created['id']}", json={"musical_key": "Bb major"}).json()
    assert (changed["musical_key"], changed["camelot"]) == ("A# major", "6B")
