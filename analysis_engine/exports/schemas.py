"""Bodies of the export routes: a kit as an IMPORT pack or native project, or plain samples;
and what the routes answer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from analysis_engine.schemas import VISIBLE, ResponseModel, exactly_one_of, left_out

MAX_SELECTION = 1000


class ConvertChoices(BaseModel):
    """How audio is converted to 48 kHz / 16-bit (TPDF dither always applies)."""

    model_config = ConfigDict(extra="forbid")

    normalise: Annotated[bool, Field(description="peak-normalise each clip to -0.3 dBFS")] = False
    trim_silence: Annotated[bool, Field(description="trim leading/trailing silence")] = False
    pad_short: Annotated[bool, Field(description="pad clips under 0.1 s with silence")] = False


class KitExport(ConvertChoices):
    """A kit as an IMPORT folder pack (with PADMAP.txt and MIDI), or a native project (beta)."""

    kind: Literal["import_pack", "native_project"]
    kit_id: uuid.UUID
    audio_format: Annotated[
        Literal["wav", "aiff"], Field(description="IMPORT pack only; native projects are .SMP")
    ] = "wav"


class SamplesExport(ConvertChoices):
    """One sample, a selection or a collection, flat or in folders by BPM range, key or genre."""

    model_config = ConfigDict(json_schema_extra=exactly_one_of("sample_ids", "collection_id"))

    kind: Literal["samples"]
    sample_ids: (
        Annotated[list[uuid.UUID], Field(min_length=1, max_length=MAX_SELECTION)]
        | SkipJsonSchema[None]
    ) = left_out()
    collection_id: uuid.UUID | SkipJsonSchema[None] = left_out()
    organise: Literal["flat", "bpm", "key", "genre"] = "flat"
    name: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=VISIBLE),
    ] = "SAMPLE CLOUD"
    audio_format: Literal["wav", "aiff"] = "wav"

    @model_validator(mode="after")
    def _one_source(self) -> Self:
        if (self.sample_ids is None) == (self.collection_id is None):
            raise ValueError("give exactly one of sample_ids or collection_id")
        return self


ExportRequest = Annotated[KitExport | SamplesExport, Field(discriminator="kind")]


ExportKind = Literal["import_pack", "native_project", "samples"]
ExportStatus = Literal["queued", "running", "ready", "failed", "expired"]


class ExportOptions(ResponseModel):
    """What was asked for: a kit's id and name, or a sample export's folders and name; only
    the options of the export's kind are present."""

    kit_id: uuid.UUID | SkipJsonSchema[None] = left_out()
    kit_name: str | SkipJsonSchema[None] = left_out()
    organise: Literal["flat", "bpm", "key", "genre"] | SkipJsonSchema[None] = left_out()
    name: str | SkipJsonSchema[None] = left_out()
    audio_format: Literal["wav", "aiff"] | SkipJsonSchema[None] = left_out()
    sample_count: int | SkipJsonSchema[None] = left_out()


class SkippedSource(ResponseModel):
    """A sample left out of the archive, and why."""

    title: str
    reason: str


class ExportReport(ResponseModel):
    """What went into a built archive: how many entries, clips that are very short or clipped
    in conversion, samples left out, and pad settings the format could not carry."""

    entries: int
    short_clips: list[str]
    clipped: list[str]
    skipped: list[SkippedSource]
    settings_left_out: list[str] = Field(
        default_factory=list,
        description="one sentence per pad setting left out, e.g. a native project's mute group "
        "above those device files confirm",
    )


class Export(ResponseModel):
    """An export: its status, progress (0-1) and, once ready, where to download it until it
    expires (`beta` marks native projects)."""

    id: uuid.UUID
    kind: ExportKind
    beta: bool
    status: ExportStatus
    progress: float
    size_bytes: int | None
    error: str | None
    file_name: str | None
    options: ExportOptions
    report: ExportReport | None
    download_url: str | None
    expires_at: dt.datetime | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ExportPage(ResponseModel):
    """A page of exports, newest first."""

    exports: list[Export]
    total: int
    limit: int
    offset: int
