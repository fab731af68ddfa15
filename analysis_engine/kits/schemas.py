"""Bodies of the kit routes: the 10 x 16 pad grid and what each pad may hold; and what the
routes answer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from analysis_engine.kits.roles import Role
from analysis_engine.samples.schemas import Sample, SampleStatus
from analysis_engine.schemas import NO_NUL, VISIBLE, ResponseModel, exactly_one_of, left_out
from analysis_engine.search import KeyRelation
from analysis_engine.sp404 import MAX_BPM, MIN_BPM

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=VISIBLE)
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=1000, pattern=NO_NUL)
]
Key = Annotated[str, StringConstraints(pattern=r"^[A-G](#|b)? (major|minor)$")]
Bpm = Annotated[float, Field(ge=MIN_BPM, le=MAX_BPM)]
Bank = Literal["A", "B", "C", "D", "E", "F", "G", "H", "I", "J"]
PadNumber = Annotated[int, Field(ge=1, le=16)]


class KitCreate(BaseModel):
    """A new, empty kit."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    bpm: Bpm | None = None
    musical_key: Key | None = None
    description: Description | None = None


class KitUpdate(BaseModel):
    """Changes to a kit; null clears bpm, musical_key or description."""

    model_config = ConfigDict(extra="forbid")

    name: Name | SkipJsonSchema[None] = left_out()  # a kit always has a name
    bpm: Bpm | None = None
    musical_key: Key | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def _name_is_not_cleared(self) -> Self:
        if "name" in self.model_fields_set and self.name is None:
            raise ValueError("name cannot be null")
        return self


class PadRef(BaseModel):
    """One pad of the grid: bank A-J, pad 1-16."""

    model_config = ConfigDict(extra="forbid")

    bank: Bank
    pad: PadNumber

    @property
    def label(self) -> str:
        """The pad as the sampler shows it, e.g. 'A-01'."""
        return f"{self.bank}-{self.pad:02d}"


class PadAssign(PadRef):
    """A sample on a pad with the pad's settings (the sampler's defaults when left out)."""

    sample_id: uuid.UUID
    volume: Annotated[int, Field(ge=0, le=127)] = 127
    pitch: Annotated[int, Field(ge=-12, le=12, description="semitones")] = 0
    gate: bool = False
    loop: bool = False
    one_shot: bool = True
    mute_group: Annotated[int, Field(ge=0, le=16, description="0: none")] = 0
    start: Annotated[
        int | None,
        Field(ge=0, description="first frame played, in the sample's own frames (null: 0)"),
    ] = None
    end: Annotated[
        int | None,
        Field(
            ge=1,
            description="the frame after the last one played (null: the sample's length)",
        ),
    ] = None

    @model_validator(mode="after")
    def _start_before_end(self) -> Self:
        if self.start is not None and self.end is not None and self.start >= self.end:
            raise ValueError("start must be before end")
        return self


class PadMove(BaseModel):
    """Move a pad's sample and settings to another pad."""

    model_config = ConfigDict(extra="forbid")

    source: PadRef
    target: PadRef
    replace: Annotated[bool, Field(description="overwrite an assigned target pad")] = False


class PadSwap(BaseModel):
    """Exchange two pads (either may be empty)."""

    model_config = ConfigDict(extra="forbid")

    source: PadRef
    target: PadRef


class PadClear(BaseModel):
    """Pads to clear: the listed ones, a whole bank, or (`all`) the whole kit."""

    # Exactly one choice: pads listed, a bank, or all set to true.
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "oneOf": [
                {"required": ["pads"], "properties": {"pads": {"minItems": 1}}},
                {"required": ["bank"]},
                {"required": ["all"], "properties": {"all": {"const": True}}},
            ]
        },
    )

    pads: Annotated[list[PadRef], Field(max_length=160)] = []
    bank: Bank | SkipJsonSchema[None] = left_out()
    all: bool = False

    @model_validator(mode="after")
    def _one_choice(self) -> Self:
        chosen = sum((bool(self.pads), self.bank is not None, self.all))
        if chosen != 1:
            raise ValueError("give exactly one of pads, bank or all")
        return self


class KitComplete(BaseModel):
    """Fill a bank's empty pads around one seed sample."""

    model_config = ConfigDict(extra="forbid")

    sample_id: uuid.UUID
    bank: Bank = "A"


class KitAutoBuild(BaseModel):
    """Build a new kit from a collection or from a sentence ("dusty lo-fi drums at 92", "dark
    trap kit in F minor 140"): its tempo and key set the kit's (unless `bpm` or `musical_key`
    are given), and its other words pick the samples whose tags, titles or vibe match them."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra=exactly_one_of("collection_id", "prompt")
    )

    name: Name
    collection_id: uuid.UUID | SkipJsonSchema[None] = left_out()
    prompt: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=VISIBLE),
        ]
        | SkipJsonSchema[None]
    ) = left_out()
    bpm: Bpm | None = None
    musical_key: Key | None = None
    description: Description | None = None

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.collection_id is None) == (self.prompt is None):
            raise ValueError("give exactly one of collection_id or prompt")
        return self


class KitSummary(ResponseModel):
    """A kit as the list shows it, with how many pads it uses."""

    id: uuid.UUID
    name: str
    bpm: float | None
    musical_key: str | None = Field(description='one spelling everywhere: e.g. "G# minor"')
    camelot: str | None = Field(description='the key on the Camelot wheel, e.g. "1A"')
    description: str | None
    created_at: dt.datetime
    updated_at: dt.datetime
    pad_count: int


class KitPage(ResponseModel):
    """A page of kits, most recently changed first."""

    kits: list[KitSummary]
    total: int
    limit: int
    offset: int


class PadSample(ResponseModel):
    """A summary of the sample on a pad (`duration` in seconds; `frames` at `sample_rate`, the
    unit of the pad's `start` and `end`)."""

    id: uuid.UUID
    title: str
    bpm: float | None
    musical_key: str | None
    duration: float | None
    sample_rate: int | None
    frames: int | None
    is_loop: bool | None
    status: SampleStatus


class Pad(ResponseModel):
    """An assigned pad: where it is (`label` as the sampler shows it), its role in the bank,
    its settings and its sample."""

    bank: Bank
    pad: int
    label: str
    role: Role
    sample_id: uuid.UUID
    volume: int
    pitch: int
    gate: bool
    loop: bool
    one_shot: bool
    mute_group: int
    start: int | None = Field(description="first frame played (null with end: the whole sample)")
    end: int | None = Field(description="the frame after the last one played")
    sample: PadSample


class Kit(KitSummary):
    """A kit with every assigned pad."""

    pads: list[Pad]


class ClearedKit(Kit):
    """A kit after clearing pads, and how many were cleared."""

    cleared: int


class EmptyPad(ResponseModel):
    """A pad that stayed empty, and why: `no_candidate` (nothing suits its role),
    `tempo_or_key` (what suits it misses the kit's tempo or key), `all_used` (what suits it is
    on other pads); `message` says it in words."""

    label: str
    role: Role
    reason: Literal["no_candidate", "tempo_or_key", "all_used"]
    message: str


class CompletedKit(Kit):
    """A kit after completing a bank, with the labels of the pads filled and of those that
    stayed empty (with why)."""

    added: list[str]
    empty: list[EmptyPad]


class KitRequestView(ResponseModel):
    """What a kit's sentence was understood to ask for: a tempo, a key (with its Camelot
    number) and the words matched against tags, titles and vibes."""

    bpm: float | None
    musical_key: str | None
    camelot: str | None
    words: list[str]


class KitSource(ResponseModel):
    """What an automatic kit was built from: a collection or a prompt (the other is null)."""

    collection_id: uuid.UUID | None
    prompt: str | None


class BuiltKit(Kit):
    """A kit built automatically, with how many pads were filled and from what, what a
    sentence was understood to ask for (null for a collection), and the pads of each bank used
    that stayed empty (with why)."""

    filled: int
    source: KitSource
    understood: KitRequestView | None
    empty: list[EmptyPad]


class Pick(ResponseModel):
    """A sample suggested for a pad: its 0-1 score, how well it fits the role, its tempo
    difference from the kit's (BPM) and how its key relates to the kit's."""

    sample: Sample
    score: float
    role_score: float
    bpm_delta: float | None
    key_relation: KeyRelation | None


class PadPicks(ResponseModel):
    """Suggestions for one pad of a bank."""

    bank: Bank
    pad: int
    role: Role
    results: list[Pick]


class KitPadPicks(PadPicks):
    """Suggestions for the pad asked for."""

    kit_id: uuid.UUID


class KitBankPicks(ResponseModel):
    """Suggestions for every pad of a bank (no `pad` asked for)."""

    kit_id: uuid.UUID
    bank: Bank
    pads: list[PadPicks]
