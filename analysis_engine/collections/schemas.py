"""Bodies of the collection routes."""

from __future__ import annotations

import uuid
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from analysis_engine.collections.rules import SmartRules
from analysis_engine.schemas import NO_NUL, VISIBLE, left_out

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
