"""HTTP routes of search: similar sounds (/api/samples/{id}/similar), text (/api/search)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query

from analysis_engine.auth import CallerDep
from analysis_engine.context import EngineDep
from analysis_engine.samples.filters import KeyMatch, TempoKeyFilter, key_from_query
from analysis_engine.samples.page_response import PageResponse
from analysis_engine.samples.schemas import WaveformColumns
from analysis_engine.samples.service import LIST_WAVEFORM_COLUMNS
from analysis_engine.schemas import NO_NUL
from analysis_engine.search.schemas import SimilarPage, TextMatchPage
from analysis_engine.search.similar import SimilarFilters, find_similar
from analysis_engine.search.text_search import MAX_QUERY_LENGTH, SearchFilters, search_library

router = APIRouter(tags=["search"])


@router.get("/api/samples/{sample_id}/similar", response_model=SimilarPage)
async def similar_samples(
    sample_id: uuid.UUID,
    caller: CallerDep,
    ctx: EngineDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    bpm_tolerance_pct: Annotated[
        float | None,
        Query(ge=0, le=50, description="rank tempos within ±this % of the sample's first"),
    ] = None,
    include_half_double: Annotated[
        bool, Query(description="rank half and double time first too (5% tolerance unless given)")
    ] = False,
    key_compatible: Annotated[
        bool, Query(description="rank the same key and its relative major/minor first")
    ] = False,
    include_fifths: Annotated[
        bool, Query(description="with key_compatible: also the keys a fifth up or down")
    ] = False,
    loop: Annotated[bool | None, Query(description="true: loops only; false: one-shots")] = None,
    any_role: Annotated[
        bool,
        Query(
            description="widen: look at every kind of sound, not first at the sample's own role"
            " (drum loop, band loop, one-shot, texture)"
        ),
    ] = False,
) -> dict[str, Any]:
    """Your samples that sound most like this one: the same kind of sound first, then what
    mixes (tempo, key), then the closest; each with "% alike" and why it is here."""
    filters = SimilarFilters(
        limit=limit,
        bpm_tolerance_pct=bpm_tolerance_pct,
        include_half_double=include_half_double,
        key_compatible=key_compatible,
        include_fifths=include_fifths,
        loop=loop,
        any_role=any_role,
    )
    return await find_similar(ctx, user_id=caller.user_id, sample_id=sample_id, filters=filters)


@router.get("/api/search", response_model=TextMatchPage)
async def search(
    caller: CallerDep,
    ctx: EngineDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=MAX_QUERY_LENGTH,
            description='words in titles, tags, genres and vibes; "quoted phrases", or, -not',
        ),
    ],
    bpm_min: Annotated[float | None, Query(ge=0, le=1000)] = None,
    bpm_max: Annotated[float | None, Query(ge=0, le=1000)] = None,
    half_double: Annotated[
        bool, Query(description="with bpm_min/bpm_max: also keep half and double time")
    ] = False,
    key: Annotated[
        str | None,
        Query(
            max_length=20,
            pattern=NO_NUL,
            description='"A minor", "Am", "C# major", "Bb minor": any spelling of that key',
        ),
    ] = None,
    key_match: Annotated[
        KeyMatch,
        Query(
            description="exact: the key; relative: and its relative major/minor; compatible:"
            " and the keys a fifth up and down (its Camelot neighbours)"
        ),
    ] = "exact",
    loop: Annotated[bool | None, Query(description="true: loops only; false: one-shots")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    waveform_columns: WaveformColumns = LIST_WAVEFORM_COLUMNS,
) -> PageResponse:
    """Your samples whose words match, best match first, a page at a time; `bpm_min`,
    `bpm_max`, `key` and `loop` narrow them as they narrow the library list."""
    tempo_key = TempoKeyFilter(
        bpm_min=bpm_min,
        bpm_max=bpm_max,
        half_double=half_double,
        key=key_from_query(key),
        key_match=key_match,
    )
    filters = SearchFilters(tempo_key=tempo_key, loop=loop)
    page = await search_library(
        ctx,
        user_id=caller.user_id,
        text=q,
        filters=filters,
        limit=limit,
        offset=offset,
        waveform_columns=waveform_columns,
    )
    return PageResponse(page)
