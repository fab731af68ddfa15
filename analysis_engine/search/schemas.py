"""What the search routes answer: similar sounds and text matches."""

from __future__ import annotations

import uuid
from typing import Literal

from analysis_engine.samples.schemas import KeyFilter, LibrarySample, Sample
from analysis_engine.schemas import ResponseModel

KeyRelation = Literal["same", "relative", "fifth", "parallel"]
# What a sample is for, as similar-sounds search decides it ("unknown": analysed before roles).
SoundRole = Literal["drum_loop", "band_loop", "one_shot", "texture", "unknown"]


class SimilarSample(ResponseModel):
    """A sample that sounds like the one asked about: `score` is the learned similarity (0-1),
    `alike` its percentile among everything else in your library (99: closer than 99 % of
    it), how its tempo (same, double or half time) and key relate to the sample's (null:
    unrelated or unknown), its role, and a few words on why it is here."""

    sample: Sample
    score: float
    alike: float
    role: SoundRole
    bpm_match: Literal["same", "double", "half"] | None
    key_relation: KeyRelation | None
    reasons: list[str]


class SimilarPage(ResponseModel):
    """Same role first, then compatible tempo and key, then the closest sound. `total` counts
    every candidate (all of them but the sample; with `loop`, only loops or one-shots);
    `compatible` how many meet the tempo/key compatibility asked for (null: none asked),
    which rank first without emptying the page."""

    sample_id: uuid.UUID
    role: SoundRole
    results: list[SimilarSample]
    total: int
    compatible: int | None


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
