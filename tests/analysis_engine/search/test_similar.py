"""Similar sounds through the running engine: nearest neighbours by embedding in the caller's own
library; tempo and key compatibility rank first without emptying the page, `loop` filters.

These libraries hold embeddings of the first layout (no role), so the order is the similarity's;
tests/analysis_engine/search/test_similar_roles.py covers roles, "% alike" and reasons."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.analysis_engine.search.seed import Seeder, towards
from tests.stack import Producer


def similar(client: httpx.Client, sample_id: str, **params: Any) -> dict[str, Any]:
    """The similar-sounds answer, failing loudly on anything but 200."""
    response = client.get(f"/api/samples/{sample_id}/similar", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def titles(body: dict[str, Any]) -> list[str]:
    return [result["sample"]["title"] for result in body["results"]]


def test_nearest_neighbours_come_back_closest_first_with_their_scores(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=towards(1.0))
    for title, cosine in [("Far", 0.2), ("Closest", 0.95), ("Middle", 0.6), ("Opposite", -0.7)]:
        seeder.sample(account.user_id, title, embedding=towards(cosine))

    body = similar(client, target)

    assert body["sample_id"] == target
    assert titles(body) == ["Closest", "Middle", "Far", "Opposite"]
    assert [r["score"] for r in body["results"]] == pytest.approx([0.95, 0.6, 0.2, 0.0], abs=1e-5)
    assert body["total"] == 4
    assert set(body["results"][0]["sample"]) >= {"id", "title", "bpm", "musical_key", "duration"}


def test_the_sample_itself_is_left_out_even_next_to_an_identical_twin(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=towards(1.0))
    twin = seeder.sample(account.user_id, "Twin", embedding=towards(1.0))

    body = similar(client, target)

    assert [r["sample"]["id"] for r in body["results"]] == [twin]
    assert body["results"][0]["score"] == pytest.approx(1.0)


def test_limit_bounds_the_page_but_not_the_total(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=towards(1.0))
    for i in range(5):
        seeder.sample(account.user_id, f"N{i}", embedding=towards(0.9 - i * 0.1))

    body = similar(client, target, limit=2)

    assert titles(body) == ["N0", "N1"]
    assert body["total"] == 5
    assert client.get(f"/api/samples/{target}/similar", params={"limit": 101}).status_code == 422


# Every candidate, closest first.
BY_SOUND = ["No tempo", "94", "90", "86", "180", "45", "100"]


@pytest.mark.parametrize(
    ("params", "compatible"),
    [
        ({"bpm_tolerance_pct": 5}, ["94", "90", "86"]),
        ({"bpm_tolerance_pct": 5, "include_half_double": "true"}, ["94", "90", "86", "180", "45"]),
        ({"bpm_tolerance_pct": 1}, ["90"]),
        ({"include_half_double": "true"}, ["94", "90", "86", "180", "45"]),
    ],
)
def test_tempos_within_the_tolerance_rank_first_and_the_rest_still_follow(
    client: httpx.Client,
    account: Producer,
    seeder: Seeder,
    params: dict[str, Any],
    compatible: list[str],
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=towards(1.0), bpm=90)
    for cosine, bpm in [(0.9, 94), (0.8, 90), (0.7, 86), (0.6, 180), (0.5, 45), (0.4, 100)]:
        seeder.sample(account.user_id, f"{bpm:g}", embedding=towards(cosine), bpm=bpm)
    seeder.sample(account.user_id, "No tempo", embedding=towards(0.99))

    body = similar(client, target, **params)

    assert titles(body) == compatible + [t for t in BY_SOUND if t not in compatible]
    assert body["compatible"] == len(compatible)
    assert body["total"] == 7


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (
            {"key_compatible": "true"},
            ["A minor", "C major", "Am spelled short", "E minor", "D minor", "A major", "F# major"],
        ),
        (
            {"key_compatible": "true", "include_fifths": "true"},
            ["A minor", "C major", "E minor", "D minor", "Am spelled short", "A major", "F# major"],
        ),
        (
            {},
            ["A minor", "C major", "E minor", "D minor", "A major", "F# major", "Am spelled short"],
        ),
    ],
)
def test_the_same_key_and_its_relative_rank_first_and_the_rest_still_follow(
    client: httpx.Client,
    account: Producer,
    seeder: Seeder,
    params: dict[str, Any],
    expected: list[str],
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=towards(1.0), key="A minor")
    for cosine, key in [
        (0.9, "A minor"),
        (0.8, "C major"),
        (0.7, "E minor"),
        (0.6, "D minor"),
        (0.5, "A major"),
        (0.4, "F# major"),
    ]:
        seeder.sample(account.user_id, key, embedding=towards(cosine), key=key)
    seeder.sample(account.user_id, "Am spelled short", embedding=towards(0.3), key="Am")

    body = similar(client, target, **params)

    assert titles(body) == expected


def test_enharmonic_spellings_are_the_same_key(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=towards(1.0), key="Bb minor")
    seeder.sample(account.user_id, "Sharp spelling", embedding=towards(0.9), key="A# minor")
    seeder.sample(account.user_id, "Relative major", embedding=towards(0.8), key="C# major")
    seeder.sample(account.user_id, "Unrelated", embedding=towards(0.7), key="B minor")

    body = similar(client, target, key_compatible="true")

    assert titles(body) == ["Sharp spelling", "Relative major", "Unrelated"]
    assert [r["key_relation"] for r in body["results"]] == ["same", "relative", None]
    assert body["compatible"] == 2


def test_results_say_how_their_tempo_and_key_fit(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=towards(1.0), bpm=90, key="C major")
    rows = [
        ("Double", 0.9, 181.0, "G major"),
        ("Half", 0.8, 45.0, "C minor"),
        ("Same", 0.7, 91.0, "A minor"),
        ("Neither", 0.6, 120.0, "F# minor"),
        ("Unknown", 0.5, None, None),
    ]
    for title, cosine, bpm, key in rows:
        seeder.sample(account.user_id, title, embedding=towards(cosine), bpm=bpm, key=key)

    body = similar(client, target)

    fits = [(r["sample"]["title"], r["bpm_match"], r["key_relation"]) for r in body["results"]]
    assert fits == [
        ("Double", "double", "fifth"),
        ("Half", "half", "parallel"),
        ("Same", "same", "relative"),
        ("Neither", None, None),
        ("Unknown", None, None),
    ]


@pytest.mark.parametrize(("loop", "expected"), [("true", ["Loop"]), ("false", ["One-shot"])])
def test_the_loop_filter_keeps_loops_or_one_shots(
    client: httpx.Client, account: Producer, seeder: Seeder, loop: str, expected: list[str]
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=towards(1.0), loop=True)
    seeder.sample(account.user_id, "Loop", embedding=towards(0.8), loop=True)
    seeder.sample(account.user_id, "One-shot", embedding=towards(0.9), loop=False)
    seeder.sample(account.user_id, "Unknown", embedding=towards(0.7))

    assert titles(similar(client, target, loop=loop)) == expected


def test_another_producers_sample_never_appears_even_when_it_is_the_closest(
    client: httpx.Client, account: Producer, rival: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=towards(1.0))
    seeder.sample(account.user_id, "Mine", embedding=towards(0.3))
    seeder.sample(rival.user_id, "Theirs", embedding=towards(1.0))

    body = similar(client, target)

    assert titles(body) == ["Mine"]
    assert body["total"] == 1


def test_another_producers_sample_id_answers_404_and_is_audited(
    client: httpx.Client, account: Producer, rival: Producer, seeder: Seeder
) -> None:
    theirs = seeder.sample(rival.user_id, "Theirs", embedding=towards(1.0))

    response = client.get(f"/api/samples/{theirs}/similar")

    assert response.status_code == 404
    assert response.json()["error"]["message"] == "No such sample."
    assert seeder.denials(account.user_id, theirs) == 1


def test_a_sample_not_analysed_yet_answers_409_with_a_clear_message(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    pending = seeder.sample(account.user_id, "Still processing")

    response = client.get(f"/api/samples/{pending}/similar")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_analysed"
    assert "not been analysed yet" in response.json()["error"]["message"]


@pytest.mark.parametrize(
    ("params", "code"),
    [({"bpm_tolerance_pct": 5}, "no_tempo"), ({"key_compatible": "true"}, "no_key")],
)
def test_filtering_by_a_tempo_or_key_the_sample_lacks_is_refused(
    client: httpx.Client, account: Producer, seeder: Seeder, params: dict[str, Any], code: str
) -> None:
    target = seeder.sample(account.user_id, "No facts", embedding=towards(1.0))

    response = client.get(f"/api/samples/{target}/similar", params=params)

    assert response.status_code == 422
    assert response.json()["error"]["code"] == code


def test_changes_to_the_library_show_in_the_next_search(
    client: httpx.Client, account: Producer, seeder: Seeder
) -> None:
    target = seeder.sample(account.user_id, "Target", embedding=towards(1.0), bpm=90)
    first = seeder.sample(account.user_id, "First", embedding=towards(0.5), bpm=90)
    assert titles(similar(client, target)) == ["First"]

    seeder.sample(account.user_id, "Newly analysed", embedding=towards(0.9), bpm=90)
    assert titles(similar(client, target)) == ["Newly analysed", "First"]

    # A re-analysis rewrites the embedding in place; the worker's upsert stamps created_at anew.
    seeder.execute(
        account.user_id,
        "update app.audio_features set embedding = $2, created_at = now() where sample_id = $1",
        first,
        towards(0.99),
    )
    assert titles(similar(client, target)) == ["First", "Newly analysed"]

    corrected = client.patch(f"/api/samples/{first}", json={"bpm": 140})
    assert corrected.status_code == 200, corrected.text
    assert titles(similar(client, target, bpm_tolerance_pct=5)) == ["Newly analysed", "First"]

    assert client.delete(f"/api/samples/{first}").status_code == 204
    assert titles(similar(client, target)) == ["Newly analysed"]
