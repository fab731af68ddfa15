"""Bodies of the collection routes, and what they answer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from analysis_engine.collections.rules import SmartRules
from analysis_engine.samples.schemas import AudioFormat, QueuedAnalysis, SampleStatus
from analysis_engine.schemas import NO_NUL, VISIBLE, ResponseModel, left_out

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=VISIBLE)
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=1000, pattern=NO_NUL)
]
MAX_SAMPLES_PER_REQUEST = 500


class CollectionCreate(BaseModel):
    """A new collection; with `smart_rules` its samples come from the rules."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None
    parent_id: uuid.UUID | None = None
    smart_rules: SmartRules | None = None


class CollectionUpdate(BaseModel):
    """Changes to a collection: rename, describe, move (null parent_id = top level), re-rule
    (null smart_rules = an ordinary collection)."""

    model_config = ConfigDict(extra="forbid")

    name: Name | SkipJsonSchema[None] = left_out()  # a collection always has a name
    description: Description | None = None
    parent_id: uuid.UUID | None = None
    smart_rules: SmartRules | None = None

    @model_validator(mode="after")
    def _name_is_not_cleared(self) -> Self:
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null")
        return self


class RulesPreview(BaseModel):
    """Smart rules to try out: which samples they would select, before anything is saved."""

    model_config = ConfigDict(extra="forbid")

    smart_rules: SmartRules


class SampleIds(BaseModel):
    """Samples to add to a collection, in the order given."""

    model_config = ConfigDict(extra="forbid")

    sample_ids: Annotated[list[uuid.UUID], Field(max_length=MAX_SAMPLES_PER_REQUEST)]


class StoredRules(ResponseModel):
    """A smart collection's rules as kept: only the rules in use are present (routes that
    answer with them leave out unset fields)."""

    genres: list[str] | SkipJsonSchema[None] = left_out()
    bpm_min: float | SkipJsonSchema[None] = left_out()
    bpm_max: float | SkipJsonSchema[None] = left_out()
    half_double: bool | SkipJsonSchema[None] = left_out()
    keys: list[str] | SkipJsonSchema[None] = left_out()
    tags_any: list[str] | SkipJsonSchema[None] = left_out()
    tags_all: list[str] | SkipJsonSchema[None] = left_out()
    min_confidence: float | SkipJsonSchema[None] = left_out()
    loop: bool | SkipJsonSchema[None] = left_out()
    text: str | SkipJsonSchema[None] = left_out()


class Collection(ResponseModel):
    """A collection with its place in the tree and how many samples and children it has."""

    id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    description: str | None
    smart_rules: StoredRules | None
    created_at: dt.datetime
    updated_at: dt.datetime
    is_smart: bool
    depth: int
    child_count: int
    sample_count: int


class CollectionQuota(ResponseModel):
    """Collections used, and the plan's limit (null: unlimited)."""

    used: int
    limit: int | None


class CollectionPage(ResponseModel):
    """A page of collections in tree order, with the plan's collection quota."""

    collections: list[Collection]
    total: int
    limit: int
    offset: int
    quota: CollectionQuota


class Member(ResponseModel):
    """A sample as a collection lists it (`added_at` is null in a smart collection)."""

    id: uuid.UUID
    title: str
    filename: str
    format: AudioFormat
    genre: str | None
    tags: list[str]
    bpm: float | None
    musical_key: str | None
    is_loop: bool | None
    status: SampleStatus
    created_at: dt.datetime
    tempo_confidence: float | None
    key_confidence: float | None
    added_at: dt.datetime | None
    duration: float | None


class PathStep(ResponseModel):
    """One collection on the way down from the top level."""

    id: uuid.UUID
    name: str


class CollectionDetail(Collection):
    """A collection, the path down to it, and a page of its samples."""

    path: list[PathStep]
    samples: list[Member]
    total: int
    limit: int
    offset: int


class RulesPreviewPage(ResponseModel):
    """The samples some smart rules would select now, a page at a time."""

    smart_rules: StoredRules
    samples: list[Member]
    total: int
    limit: int
    offset: int


class SamplesAdded(ResponseModel):
    """What adding samples to a collection did."""

    collection_id: uuid.UUID
    added: int
    already_present: int
    sample_count: int


class CollectionReanalysis(ResponseModel):
    """The analyses queued for a collection's samples."""

    collection_id: uuid.UUID
    queued: int
    jobs: list[QueuedAnalysis]
