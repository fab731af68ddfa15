"""What the search routes answer: similar sounds and text matches."""

from __future__ import annotations

import uuid
from typing import Literal

from analysis_engine.samples.schemas import KeyFilter, LibrarySample, Sample
from analysis_engine.schemas import ResponseModel

KeyRelation = Literal["same", "relative", "fifth", "parallel"]


class SimilarSample(ResponseModel):
    """A sample that sounds like the one asked about: a 0-1 score, and how its tempo (same,
    double or half time) and key relate to that one's (null: unrelated or unknown)."""

    sample: Sample
    score: float
    bpm_match: Literal["same", "double", "half"] | None
    key_relation: KeyRelation | None


class SimilarPage(ResponseModel):
    """The closest samples first; `total` counts every sample the filters kept."""

    sample_id: uuid.UUID
    results: list[SimilarSample]
    total: int


class TextMatch(LibrarySample):
    """A sample whose words match, with its relevance (higher is better)."""

    rank: float


class TextMatchPage(ResponseModel):
    """A page of text matches, best first; `query` is the search as understood."""

    query: str
    results: list[TextMatch]
    total: int
    limit: int
    offset: int
    key_filter: KeyFilter | None
