"""A kit from a sentence, filled from the role index's shortlist over the samples its words
match, is the kit that scoring every matching sample gives: the same pads, the same empty pads
and reasons, the same derived tempo and key."""

from __future__ import annotations

import asyncpg
import pytest

from analysis_engine.kits.prompt import parse_request
from analysis_engine.kits.recommend import derive_target, fill_banks, load_candidates, target_of
from analysis_engine.kits.sentence import pool_shortlist, sentence_pool
from sp404.core.db import tenant_tx
from tests.conftest import CreateUser

# 2,100 samples: seven kinds of sound (by name), five sets of describing words, varied lengths,
# tempos and keys, so that many samples tie and the shortlist is smaller than the pool.
_SEED = (
    "insert into app.samples (user_id, title, filename, format, size_bytes, sha256, blob_key,"
    " tags, duration_s, bpm, musical_key, is_loop, status, created_at)"
    " select $1::uuid,"
    " (array['Kick', 'Snare', 'Open Hat', 'Closed Hat', 'Shaker', 'Pad', 'Loop'])[1 + g % 7]"
    " || ' ' || g, 's' || g || '.wav', 'wav', 1, md5(g::text || $1::uuid::text), 'k',"
    " string_to_array((array['dusty', 'dark', 'dusty,dark', 'clean', 'dusty,vinyl'])"
    "[1 + (g / 7) % 5], ','),"
    " case g % 7 when 6 then 8.0 when 5 then 4.0 else 0.1 + (g % 13) * 0.1 end,"
    " 80 + g % 41,"
    " (array['A minor', 'C major', 'F minor', 'E major', null])[1 + (g / 3) % 5],"
    " g % 7 = 6, 'ready', now() - make_interval(secs => g)"
    " from generate_series(1, 2100) g"
)


# Whether the sentence matches more samples than the shortlist can hold (7 roles x 322).
@pytest.mark.parametrize(
    ("sentence", "larger"),
    [
        ("dusty dark drums at 95", True),
        ("dusty vinyl", True),
        ("dark kit in F minor 100", False),
        ("clean", False),
        ("at 90", True),
    ],
)
async def test_the_shortlist_fills_the_kit_that_the_whole_pool_would(
    pool: asyncpg.Pool, create_user: CreateUser, sentence: str, larger: bool
) -> None:
    user = await create_user()
    request = parse_request(sentence)
    async with tenant_tx(pool, user) as conn:
        await conn.execute(_SEED, user)
        matches = await sentence_pool(conn, user, request)
        members = matches.members
        if members is None:
            members = frozenset(r["id"] for r in await conn.fetch("select id from app.samples"))
        every = await load_candidates(conn, list(members))
        assert matches.derived == derive_target(every)
        bpm = request.bpm if request.bpm is not None else matches.derived[0]
        key = str(request.key) if request.key is not None else matches.derived[1]
        target = target_of(bpm, key)
        shortlisted = await pool_shortlist(conn, user, matches, target)
    assert (len(shortlisted) < len(every)) is larger
    placed, empty = fill_banks(shortlisted, target, matches.boost, among="the words")
    expected_placed, expected_empty = fill_banks(every, target, matches.boost, among="the words")
    assert placed == expected_placed
    assert empty == expected_empty
    assert len(placed) > 16  # more than one bank, so the bound on picks is exercised
