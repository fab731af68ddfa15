"""Smart collection rules: what a producer may ask for, and how it becomes query parameters.

Rules are data, never SQL: each one fills a fixed parameter of the `smart_members` query and an
unused rule is NULL there, so a sample edit changes membership at the next read.
"""

from __future__ import annotations

from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from analysis_engine.samples.filters import TempoKeyFilter
from analysis_engine.schemas import VISIBLE, left_out

Genre = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=1, max_length=60, pattern=VISIBLE
    ),
]
Tag = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=1, max_length=40, pattern=VISIBLE
    ),
]
Key = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, pattern=r"^[A-Ga-g](#|b)? ([Mm]ajor|[Mm]inor)$", max_length=8
    ),
]
Bpm = Annotated[float, Field(ge=0, le=1000)]
ListOf = Field(min_length=1, max_length=32)

# The detector names sharps; producers type either spelling.
_ENHARMONIC = {"db": "c#", "eb": "d#", "gb": "f#", "ab": "g#", "bb": "a#"}
_ENHARMONIC.update({sharp: flat for flat, sharp in list(_ENHARMONIC.items())})


class SmartRules(BaseModel):
    """Rules a sample must meet, all of them, to belong to a smart collection (at least one;
    bpm_min not above bpm_max)."""

    # A rule left out is unused (a null is taken as left out, but the schema does not offer it,
    # so that "at least one rule" can be stated as minProperties).
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    genres: Annotated[list[Genre], ListOf] | SkipJsonSchema[None] = left_out()
    bpm_min: Bpm | SkipJsonSchema[None] = left_out()
    bpm_max: Bpm | SkipJsonSchema[None] = left_out()
    # With a tempo rule: a loop at half or double the tempo belongs too (46 for 92, 184 for 92).
    half_double: bool | SkipJsonSchema[None] = left_out()
    keys: Annotated[list[Key], ListOf] | SkipJsonSchema[None] = left_out()
    tags_any: Annotated[list[Tag], ListOf] | SkipJsonSchema[None] = left_out()
    tags_all: Annotated[list[Tag], ListOf] | SkipJsonSchema[None] = left_out()
    min_confidence: Annotated[float, Field(ge=0, le=1)] | SkipJsonSchema[None] = left_out()
    loop: bool | SkipJsonSchema[None] = left_out()
    text: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=VISIBLE),
        ]
        | SkipJsonSchema[None]
    ) = left_out()

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.bpm_min is not None and self.bpm_max is not None and self.bpm_min > self.bpm_max:
            raise ValueError("bpm_min must not be greater than bpm_max")
        if not self.model_dump(exclude_none=True):
            raise ValueError("a smart collection needs at least one rule")
        return self

    def stored(self) -> dict[str, Any]:
        """The rules as kept in `collections.smart_rules` (unused ones left out)."""
        return self.model_dump(exclude_none=True)


def _key_spellings(keys: list[str]) -> list[str]:
    spellings: list[str] = []
    for key in keys:
        tonic, mode = key.lower().split(" ")
        for name in (tonic, _ENHARMONIC.get(tonic, tonic)):
            spelling = f"{name} {mode}"
            if spelling not in spellings:
                spellings.append(spelling)
    return spellings


def like_literal(text: str) -> str:
    """User text made literal inside an ILIKE pattern."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def query_args(rules: SmartRules) -> tuple[Any, ...]:
    """The ten parameters ($1..$10) of `smart_members` for these rules."""
    tempo_floor = key_floor = None
    if rules.min_confidence is not None:
        # The confidence that matters is the one of the measurement a rule relies on; with no
        # bpm or key rule, both must be trusted.
        uses_bpm = rules.bpm_min is not None or rules.bpm_max is not None
        uses_key = rules.keys is not None
        tempo_floor = rules.min_confidence if uses_bpm or not uses_key else None
        key_floor = rules.min_confidence if uses_key or not uses_bpm else None
    # The same tempo ranges as the library's filter, so "90-100, half and double" keeps the same
    # samples in a smart collection as in the list.
    tempo = TempoKeyFilter(
        bpm_min=rules.bpm_min, bpm_max=rules.bpm_max, half_double=bool(rules.half_double)
    )
    return (
        rules.genres,
        *tempo.tempo_args(),
        None if rules.keys is None else _key_spellings(rules.keys),
        rules.tags_any,
        rules.tags_all,
        tempo_floor,
        key_floor,
        rules.loop,
        None if rules.text is None else like_literal(rules.text),
    )
