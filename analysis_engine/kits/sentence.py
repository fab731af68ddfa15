"""Which samples of the whole library a kit from a sentence chooses among, and how much each
one's words add to its score (rules in prompt.py and recommend.py).

A sample matches one of the sentence's describing words when the library's text search finds it
for that word or its stems (app.matching_samples, the search box's path, answered by the
per-producer word index of sql/0055 however large the library) and the sample's own words
confirm it (`prompt.words_in`: stems as prompt.py takes them, the vibe's best use left out,
since it names the sounds to play *with* this one). Until 2026-12 the second test alone ran over
the newest 5,000 rows; the first one only narrows that: a sample whose only match is in its file
name, or in a word text search drops ("up", "over") or stems to neither the word's nor its
stem's stem ("dusties" for "dusty"), no longer matches.

Over that pool the answer is the one scoring every matching sample gives, read from the role
index: the tempo and key a sentence leaves open come from the whole pool's arrays
(`RoleIndex.derived_target`), and `fill_bank` and `empty_pads` score a shortlist per role
(`recommend.shortlist` with the pool as `only` and the words as `boost`) that holds every sample
they could pick or ask about. Only the pool's ids and words are read, plus full rows for the
shortlist (at most seven roles times 2 x 160 + 2 samples).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import asyncpg

from analysis_engine.kits.prompt import KitRequest, request_stems, words_in
from analysis_engine.kits.queries import SQL
from analysis_engine.kits.recommend import (
    BANKS,
    ROLE_INDEXES,
    Candidate,
    KitTarget,
    shortlist,
)
from analysis_engine.search import build_query

# Filling stops after the last bank; at most this many samples are ever placed.
MAX_PADS = 16 * len(BANKS)
WORD_BOOST = 0.3


@dataclass(frozen=True)
class SentencePool:
    """The samples a sentence matches (None: every sample, the sentence had no describing
    words), how many they are, each one's boost, and the tempo and key they suggest."""

    members: frozenset[uuid.UUID] | None
    matched: int
    boost: dict[uuid.UUID, float]
    derived: tuple[float | None, str | None]


async def sentence_pool(
    conn: asyncpg.Connection, user_id: uuid.UUID, request: KitRequest
) -> SentencePool:
    """The whole library's samples that match `request`'s words, with their word boost."""
    index = await ROLE_INDEXES.load(conn, user_id)
    if not request.words:
        everything = index.among(index.ids)
        return SentencePool(None, len(index.ids), {}, index.derived_target(everything))
    # Each word or its stems ("dusty or dust"): text search stems by its own rules ("dusty" is
    # "dusti" there), and a sample tagged "dust" must be found for prompt.py to confirm it.
    queries = [
        build_query(" or ".join(sorted({word, *stems})))
        for word, stems in request_stems(request).items()
    ]
    rows = await conn.fetch(
        SQL["sentence_matches"], [q.text for q in queries], [q.prefix_all for q in queries]
    )
    boost: dict[uuid.UUID, float] = {}
    for row in rows:
        found = {request.words[n - 1] for n in row["words"]}
        confirmed = found & words_in(request, [row["texts"]])
        if confirmed:
            boost[row["id"]] = WORD_BOOST * len(confirmed) / len(request.words)
    members = frozenset(boost)
    return SentencePool(members, len(members), boost, index.derived_target(index.among(members)))


async def pool_shortlist(
    conn: asyncpg.Connection, user_id: uuid.UUID, pool: SentencePool, target: KitTarget
) -> list[Candidate]:
    """The pool's candidates that filling every bank can pick or `empty_pads` asks about, as
    rows, in the library's order."""
    return await shortlist(
        conn,
        user_id,
        target,
        exclude=set(),
        pads=MAX_PADS,
        boost=pool.boost,
        only=pool.members,
    )
