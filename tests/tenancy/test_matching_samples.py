"""Text search's definer function (app.matching_samples) reads past the runtime role's policy so
that a GIN index can answer it; these attacks check that it still returns only the caller's
samples, whoever asks and however the query is written."""

from __future__ import annotations

import uuid

import asyncpg
import pytest

from analysis_engine.search.text_search import build_query
from tests.conftest import AsUser, CreateUser

pytestmark = pytest.mark.pgbouncer

# Every seeded sample is titled "Kick" and carries the vibe "dusty" (tests/tenancy/seed.py).
MATCHES = "select id from app.matching_samples(to_tsquery('english', $1))"


@pytest.mark.parametrize("words", ["kick", "dusty", "kick | dusty", "kick & dusty", "k:*"])
async def test_a_producer_matches_only_their_own_samples(
    words: str, two_seeded_users: tuple[uuid.UUID, uuid.UUID], as_user: AsUser
) -> None:
    a, b = two_seeded_users
    # Both producers hold a sample these words match (the seeded sample's id is its owner's).
    assert [r["id"] for r in await as_user(a, MATCHES, words)] == [a]
    assert [r["id"] for r in await as_user(b, MATCHES, words)] == [b]


async def test_nobody_signed_in_matches_nothing(
    two_seeded_users: tuple[uuid.UUID, uuid.UUID], as_user: AsUser
) -> None:
    assert await as_user(None, MATCHES, "kick | dusty") == []


async def test_the_function_takes_no_producer_from_its_caller(
    two_seeded_users: tuple[uuid.UUID, uuid.UUID], as_user: AsUser
) -> None:
    a, b = two_seeded_users
    # Only a tsquery goes in: there is no argument that could name another producer.
    with pytest.raises(asyncpg.UndefinedFunctionError):
        await as_user(a, "select id from app.matching_samples(to_tsquery('kick'), $1)", b)


async def test_the_definer_role_cannot_change_samples_through_its_policy(
    owner: asyncpg.Connection,
) -> None:
    # Its policy on samples (which checks nothing) is for SELECT only, and it holds no other
    # privilege there: a future definer function could not write anyone's samples with it.
    rows = await owner.fetch(
        "select cmd from pg_policies"
        " where schemaname = 'app' and tablename = 'samples' and 'sp404_definer' = any(roles)"
    )
    assert [r["cmd"] for r in rows] == ["SELECT"]
    grants = await owner.fetch(
        "select privilege_type from information_schema.role_table_grants"
        " where grantee = 'sp404_definer' and table_schema = 'app' and table_name = 'samples'"
    )
    assert [g["privilege_type"] for g in grants] == ["SELECT"]


# Two producers whose words overlap, so that an index keyed by the word alone would hold both
# producers' samples under every word searched below (sql/0055 keys them by producer as well).
LIBRARY = ["Dusty lo-fi keys", "Warm tape hiss", "Dusty kick 808", "Tape stop riser", "Lo-fi pad"]
ADD_SAMPLE = (
    "insert into app.samples (user_id, title, filename, format, size_bytes, sha256, blob_key)"
    " values ($1, $2, 'x.wav', 'wav', 10, 'abc', 'users/x')"
)
# The query search_library builds from what a producer typed (analysis_engine/search).
API_QUERY = "websearch_to_tsquery('english', $1) || coalesce(to_tsquery('simple', $2), ''::tsquery)"
THROUGH_THE_FUNCTION = f"select id, rank from app.matching_samples({API_QUERY})"
# What the function replaces: every sample the caller's own policy shows, matched and ranked.
UNDER_THE_POLICY = (
    "select s.id, ts_rank(s.search_document, query.q) as rank"
    f" from app.samples s, (select {API_QUERY} as q) query where s.search_document @@ query.q"
)


@pytest.mark.parametrize(
    "typed",
    [
        "dusty",
        "dus",
        "warm tape",
        '"warm tape"',
        "lo-fi",
        "tape or kick",
        "ta",
        "808",
        "dusty -kick",
    ],
)
async def test_matches_and_ranks_equal_a_search_under_the_callers_policy(
    typed: str, create_user: CreateUser, as_user: AsUser
) -> None:
    # Plain words, prefixes (what is being typed), phrases, OR and NOT, as the API writes them.
    a, b = await create_user(), await create_user()
    for producer, titles in ((a, LIBRARY), (b, [*LIBRARY, "Dusty warm tape"])):
        for title in titles:
            await as_user(producer, ADD_SAMPLE, producer, title)
    query = build_query(typed)
    for producer in (a, b):
        matched = await as_user(producer, THROUGH_THE_FUNCTION, query.text, query.prefix_all)
        expected = await as_user(producer, UNDER_THE_POLICY, query.text, query.prefix_all)
        assert matched, typed
        assert sorted(map(tuple, matched)) == sorted(map(tuple, expected))


async def test_a_phrase_matches_only_where_its_words_follow_each_other(
    create_user: CreateUser, as_user: AsUser
) -> None:
    # The producer-keyed words keep no positions: both titles hold "tape" and "warm", and only the
    # second holds them in the phrase's order, which the function checks on the real document.
    a = await create_user()
    for title in ("Warm tape hiss", "Tape warm up"):
        await as_user(a, ADD_SAMPLE, a, title)
    query = build_query('"tape warm"')
    matched = await as_user(a, THROUGH_THE_FUNCTION, query.text, query.prefix_all)
    expected = await as_user(a, UNDER_THE_POLICY, query.text, query.prefix_all)
    assert len(matched) == 1
    assert sorted(map(tuple, matched)) == sorted(map(tuple, expected))
