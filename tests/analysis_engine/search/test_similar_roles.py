"""Similar sounds a producer would pick, through the running engine: the sample's role first (a
drum loop never gets a band loop while drum loops are left), a full page whatever the filters,
"% alike" spread over the producer's own library, and a few words on why each result is there."""

from __future__ import annotations

import math
from typing import Any

import httpx
import pytest

from analysis_engine.features import embedding
from tests.analysis_engine.search.seed import Seeder
from tests.analysis_engine.search.test_similar import similar, titles
from tests.stack import Producer


def shaped(
    cosine: float,
    role: str,
    *,
    cls: str = "",
    brightness: float = 0.0,
    axis: int = 1,
    revision: int | None = None,
) -> list[float]:
    """A current-layout embedding of this role whose metric part sits at `cosine` to axis 0
    (built by the shipped model's revision unless `revision` says another)."""
    metric = [0.0] * embedding.METRIC_DIMS
    metric[0] = cosine
    metric[axis] = math.sqrt(max(0.0, 1.0 - cosine * cosine))
    return list(
        embedding.compose(
            metric,
            role=role,
            one_shot_class=cls,
            brightness=brightness,
            revision=embedding.model_revision() if revision is None else revision,
        )
    )


def test_a_drum_loop_gets_drum_loops_before_any_closer_band_loop(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Break", embedding=shaped(1.0, "drum_loop"))
    seeder.sample(account.user_id, "Band close", embedding=shaped(0.99, "band_loop"))
    seeder.sample(account.user_id, "Drums far", embedding=shaped(0.3, "drum_loop"))
    seeder.sample(account.user_id, "Drums near", embedding=shaped(0.8, "drum_loop"))
    seeder.sample(account.user_id, "Kick", embedding=shaped(0.98, "one_shot", cls="kick"))

    body = similar(client, target)

    assert body["role"] == "drum_loop"
    assert titles(body) == ["Drums near", "Drums far", "Band close", "Kick"]
    assert [r["role"] for r in body["results"]] == [
        "drum_loop", "drum_loop", "band_loop", "one_shot"
    ]  # fmt: skip
    assert "a band loop" in body["results"][2]["reasons"]
    assert body["total"] == 4


def test_an_embedding_of_an_older_model_ranks_after_the_current_ones_until_it_is_rebuilt(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    # Its metric came from another projection, so its closeness says nothing about this one.
    older = embedding.model_revision() - 1
    target = seeder.sample(account.user_id, "Break", embedding=shaped(1.0, "drum_loop"))
    seeder.sample(account.user_id, "Old break", embedding=shaped(0.99, "drum_loop", revision=older))
    seeder.sample(account.user_id, "New break", embedding=shaped(0.5, "drum_loop"))
    assert titles(similar(client, target)) == ["New break", "Old break"]

    # The old rows still find each other first.
    old_target = seeder.sample(
        account.user_id, "Old query", embedding=shaped(1.0, "drum_loop", revision=older)
    )
    assert titles(similar(client, old_target))[0] == "Old break"


def test_any_role_widens_the_search_to_every_kind_of_sound(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Break", embedding=shaped(1.0, "drum_loop"))
    seeder.sample(account.user_id, "Band close", embedding=shaped(0.99, "band_loop"))
    seeder.sample(account.user_id, "Drums near", embedding=shaped(0.8, "drum_loop"))

    assert titles(similar(client, target, any_role="true")) == ["Band close", "Drums near"]


def test_a_one_shot_gets_its_own_instrument_class_first_and_never_a_loop_before_one_shots(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Kick", embedding=shaped(1.0, "one_shot", cls="kick"))
    seeder.sample(account.user_id, "Snare", embedding=shaped(0.95, "one_shot", cls="snare"))
    seeder.sample(account.user_id, "Loop", embedding=shaped(0.99, "drum_loop"))
    seeder.sample(account.user_id, "Other kick", embedding=shaped(0.5, "one_shot", cls="kick"))

    body = similar(client, target)

    assert titles(body) == ["Other kick", "Snare", "Loop"]
    assert "also a kick" in body["results"][0]["reasons"]


def test_compatibility_ranks_first_and_the_page_stays_full(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(
        account.user_id, "Target", embedding=shaped(1.0, "band_loop"), bpm=90, key="A minor"
    )
    for i in range(24):
        key = "C major" if i % 8 == 0 else "F# major"
        seeder.sample(
            account.user_id, f"S{i:02d}", embedding=shaped(0.9 - i * 0.01, "band_loop"),
            bpm=120, key=key,
        )  # fmt: skip

    body = similar(client, target, key_compatible="true", limit=20)

    assert len(body["results"]) == 20
    assert titles(body)[:3] == ["S00", "S08", "S16"]
    assert [r["key_relation"] for r in body["results"][:4]] == ["relative"] * 3 + [None]
    assert body["compatible"] == 3
    assert body["total"] == 24


def test_percent_alike_is_the_neighbours_percentile_in_the_library(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=shaped(1.0, "texture"))
    for i in range(11):
        seeder.sample(account.user_id, f"T{i:02d}", embedding=shaped(1.0 - i * 0.1, "texture"))

    body = similar(client, target, limit=11)

    assert titles(body) == [f"T{i:02d}" for i in range(11)]
    assert [r["alike"] for r in body["results"]] == pytest.approx(
        [100 - 10 * i for i in range(11)], abs=0.05
    )
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == pytest.approx(1.0, abs=0.01)


@pytest.mark.parametrize(
    ("candidate", "reasons"),
    [
        (
            {"bpm": 45, "key": "C major", "brightness": 0.1},
            ["half-time", "relative key", "similar brightness"],
        ),
        (
            {"bpm": 181, "key": "E minor", "brightness": -1.0},
            ["double-time", "a fifth away", "darker"],
        ),
        ({"bpm": 90, "key": "A minor", "brightness": 2.0}, ["same tempo", "same key", "brighter"]),
        ({"bpm": 130, "key": None, "brightness": 0.1}, ["similar brightness"]),
    ],
)
def test_each_result_says_why_it_is_there(
    client: httpx.Client,
    account: Producer,
    seeder: Seeder,
    candidate: dict[str, Any],
    reasons: list[str],
) -> None:
    target = seeder.sample(
        account.user_id, "Target", embedding=shaped(1.0, "band_loop"), bpm=90, key="A minor"
    )
    seeder.sample(
        account.user_id,
        "Candidate",
        embedding=shaped(0.2, "band_loop", brightness=candidate["brightness"]),
        bpm=candidate["bpm"],
        key=candidate["key"],
    )

    (result,) = similar(client, target)["results"]

    assert result["reasons"] == reasons


def test_a_close_sound_in_the_top_tenth_is_called_the_same_kit(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Break", embedding=shaped(1.0, "drum_loop"))
    seeder.sample(account.user_id, "Same kit", embedding=shaped(0.95, "drum_loop"))
    for i in range(10):
        seeder.sample(account.user_id, f"Other {i}", embedding=shaped(0.1, "drum_loop", axis=2))

    body = similar(client, target, limit=2)

    assert "same kit sound" in body["results"][0]["reasons"]
    assert "same kit sound" not in body["results"][1]["reasons"]


def test_a_half_time_drum_loop_counts_as_mixable_without_any_filter(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Break", embedding=shaped(1.0, "drum_loop"), bpm=90)
    seeder.sample(account.user_id, "Other tempo", embedding=shaped(0.85, "drum_loop"), bpm=120)
    seeder.sample(account.user_id, "Half-time", embedding=shaped(0.8, "drum_loop"), bpm=45)
    seeder.sample(account.user_id, "Double-time", embedding=shaped(0.75, "drum_loop"), bpm=181)

    body = similar(client, target)

    # The fitted rate interleaves what mixes (1x, 1/2x, 2x) with the closest sounds: the best of
    # it comes ahead of a slightly closer sound that does not, and says why.
    assert titles(body)[0] == "Half-time"
    assert sorted(titles(body)) == ["Double-time", "Half-time", "Other tempo"]
    matches = {r["sample"]["title"]: r["bpm_match"] for r in body["results"]}
    assert matches == {"Half-time": "half", "Double-time": "double", "Other tempo": None}
    assert "half-time" in body["results"][0]["reasons"]
    assert body["compatible"] is None


@pytest.mark.parametrize("params", [{}, {"bpm_tolerance_pct": 5, "include_half_double": "true"}])
def test_a_drum_query_gets_a_full_page_of_drums_first_then_other_roles(
    client: httpx.Client, account: Producer, seeder: Seeder, params: dict[str, Any]
) -> None:
    target = seeder.sample(account.user_id, "Break", embedding=shaped(1.0, "drum_loop"), bpm=90)
    for i, bpm in enumerate((45, 130, 130)):
        seeder.sample(
            account.user_id, f"Drums {i}", embedding=shaped(0.5 - i * 0.1, "drum_loop"), bpm=bpm
        )
    for i in range(12):
        seeder.sample(
            account.user_id, f"Band {i:02d}", embedding=shaped(0.99 - i * 0.01, "band_loop"),
            bpm=120,
        )  # fmt: skip

    body = similar(client, target, limit=10, **params)

    # Not one band loop before the drums run out, however close it sounds, and a full page
    # whether or not the request asks for the tempo (only one sample fits it).
    assert titles(body) == ["Drums 0", "Drums 1", "Drums 2"] + [f"Band {i:02d}" for i in range(7)]
    assert [r["role"] for r in body["results"]] == ["drum_loop"] * 3 + ["band_loop"] * 7
    assert all("a band loop" in r["reasons"] for r in body["results"][3:])
    assert body["compatible"] == (1 if params else None)
