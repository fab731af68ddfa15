"""Bodies of the sample routes, and what they answer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal, Self

from fastapi import Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.json_schema import SkipJsonSchema

from analysis_engine.jobs_schemas import JobStatus
from analysis_engine.samples.filters import KeyMatch
from analysis_engine.samples.upload import MAX_TAG_LENGTH, MAX_TAGS
from analysis_engine.schemas import NO_NUL, VISIBLE, ResponseModel, TextTimestamp, left_out

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=VISIBLE)
]
Genre = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=VISIBLE)
]
Tag = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=1, max_length=40, pattern=VISIBLE
    ),
]
Key = Annotated[str, StringConstraints(pattern=r"^[A-G](#|b)? (major|minor)$")]
# Filters of the library list: free text compared with what is stored (no NUL, see NO_NUL).
FilterText = Annotated[str, StringConstraints(pattern=NO_NUL)]
Correctable = Literal["bpm", "musical_key", "is_loop"]
SampleStatus = Literal["pending", "processing", "ready", "failed", "deferred", "skipped"]
SampleSort = Literal["created_desc", "created_asc", "title", "bpm", "duration"]
AudioFormat = Literal["wav", "aiff", "flac", "ogg", "mp3"]
WaveformColumns = Annotated[
    int,
    Query(
        ge=1,
        le=1000,
        description="columns of each waveform (pairs are merged down from the stored 1,000)",
    ),
]


class SampleUpdate(BaseModel):
    """Fields a producer may edit. `bpm`, `musical_key` and `is_loop` are corrections: the value
    given is what lists, filters, search, kits and exports use from then on, and re-analysis
    leaves it alone; null sets "no tempo" / "no key". `reset` drops corrections, back to what
    the analysis found. Null clears genre."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    genre: Genre | None = None
    tags: Annotated[list[Tag], Field(max_length=32)] | None = None
    bpm: Annotated[float, Field(ge=20, le=400)] | None = None
    musical_key: Key | None = None
    is_loop: bool | SkipJsonSchema[None] = left_out()
    reset: Annotated[list[Correctable], Field(max_length=3)] | SkipJsonSchema[None] = left_out()

    @model_validator(mode="after")
    def _set_or_reset(self) -> Self:
        if "is_loop" in self.model_fields_set and self.is_loop is None:
            raise ValueError("is_loop is true (a loop) or false (a one-shot)")
        both = set(self.reset or ()) & self.model_fields_set
        if both:
            raise ValueError(f"{sorted(both)[0]} is both set and reset")
        return self


class DirectUploadStart(BaseModel):
    """A large file the browser will PUT straight to storage."""

    model_config = ConfigDict(extra="forbid")

    filename: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    size: Annotated[int, Field(gt=0)]
    content_type: Annotated[str, StringConstraints(pattern=r"^[\w.+-]+/[\w.+-]+$")] | None = None
    title: Title | None = None
    genre: Genre | None = None
    tags: Annotated[str, StringConstraints(max_length=1500, pattern=NO_NUL)] | None = None


UPLOAD_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["audio"],
                    "properties": {
                        "audio": {
                            "type": "string",
                            "format": "binary",
                            "description": "WAV, AIFF, FLAC, OGG or MP3",
                        },
                        "title": {"type": "string", "maxLength": 200, "pattern": NO_NUL},
                        "genre": {"type": "string", "maxLength": 60, "pattern": NO_NUL},
                        "tags": {
                            "type": "string",
                            "pattern": NO_NUL,
                            "description": f"comma-separated: at most {MAX_TAGS} tags of up to "
                            f"{MAX_TAG_LENGTH} characters each",
                        },
                    },
                }
            }
        },
    }
}


class Sample(ResponseModel):
    """A sample as every list shows it (`duration` is the PRD's name for `duration_s`)."""

    id: uuid.UUID
    title: str
    filename: str
    format: AudioFormat
    size_bytes: int
    duration_s: float | None
    sample_rate: int | None
    channels: int | None
    genre: str | None
    tags: list[str]
    bpm: float | None
    musical_key: str | None = Field(
        description='one spelling everywhere: sharps, e.g. "G# minor" (never "Ab minor")'
    )
    camelot: str | None = Field(description='the key on the Camelot wheel, e.g. "8A" (A minor)')
    is_loop: bool | None
    status: SampleStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    duration: float | None


class Waveform(ResponseModel):
    """Waveform peaks to draw: `columns` equal spans of the clip, left to right, each a
    `[min, max]` pair of the sample values in it across all channels, scaled so that full scale
    (1.0) is 127 (so -127..127). A clip shorter than the columns asked for has fewer."""

    columns: int
    peaks: list[tuple[int, int]]


class Detected(ResponseModel):
    """What the analysis found, whatever the producer corrected since (`bpm` and `musical_key`
    null: none found; the key in the one spelling)."""

    bpm: float | None
    musical_key: str | None
    camelot: str | None
    is_loop: bool | None
    tempo_confidence: float | None
    key_confidence: float | None


class Corrections(ResponseModel):
    """The producer's corrections beside the analysis: `corrected` names the fields the producer
    set (their values are the sample's `bpm`, `musical_key` and `is_loop`), `detected` is what
    the analysis found (null until analysed)."""

    corrected: list[Correctable]
    detected: Detected | None


class LibrarySample(Sample, Corrections):
    """A sample of the library list, with its vibe's description, its waveform (null until
    analysed) and its corrections beside what the analysis found."""

    vibe: str | None
    waveform: Waveform | None


class FilterKey(ResponseModel):
    """A key a key filter keeps, how it relates to the key asked for, and its Camelot number."""

    key: str
    camelot: str
    relation: Literal["same", "relative", "fifth", "parallel"] | None


class KeyFilter(ResponseModel):
    """The key filter as understood: the key asked for (in the one spelling), how far it
    reaches (`exact`, `relative`, `compatible`: same, relative and a fifth away), and every key
    it keeps."""

    key: str
    camelot: str
    match: KeyMatch
    keys: list[FilterKey]


class SamplePage(ResponseModel):
    """A page of the library; `key_filter` is null without a key filter."""

    samples: list[LibrarySample]
    total: int
    limit: int
    offset: int
    key_filter: KeyFilter | None


class AudioFeaturesView(BaseModel):
    """What the analysis measured. Rows written by older analysers may lack some figures or hold
    others, so none is required and unknown ones pass through."""

    model_config = ConfigDict(extra="allow")

    duration_s: float | None = None
    sample_rate: int | None = None
    channels: int | None = None
    is_loop: bool | None = None
    tempo_bpm: float | None = None
    tempo_confidence: float | None = None
    key: str | None = None
    mode: str | None = None
    key_confidence: float | None = None
    # How pitched the sound is (0 noise and drums .. 1 tuned tones). Absent on rows analysed
    # before feature version 3.
    tonality: float | None = None
    # The tonality of what stands above the broadband floor (hats, hiss): under the engine's
    # floor key and mode are null and key_confidence 0. Absent before feature version 10.
    tonal_clarity: float | None = None
    rms_dbfs: float | None = None
    peak_dbfs: float | None = None
    lufs_integrated: float | None = None
    spectral_centroid_hz: float | None = None
    spectral_bandwidth_hz: float | None = None
    spectral_rolloff_hz: float | None = None
    spectral_flatness: float | None = None
    zero_crossing_rate: float | None = None
    onset_rate: float | None = None
    harmonic_percussive_ratio: float | None = None
    mfcc_mean: list[float] | None = None
    mfcc_std: list[float] | None = None
    chroma_mean: list[float] | None = None
    chroma_std: list[float] | None = None
    embedding: list[float] | None = None
    version: int | None = None


class VibeView(BaseModel):
    """The vibe model's description of a sample, as stored (columns added later pass through)."""

    model_config = ConfigDict(extra="allow")

    model: str
    description: str
    moods: list[str]
    era: str | None
    genre: str | None
    energy: float | None
    descriptors: list[str]
    compatibility_tags: list[str]
    best_use: str | None
    tokens_used: int | None
    cost_usd: float | None
    created_at: TextTimestamp


class SampleJob(ResponseModel):
    """The newest job of a sample."""

    id: uuid.UUID
    status: JobStatus
    progress: float
    attempts: int
    last_error: str | None
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


class SampleDetail(Sample, Corrections):
    """One sample with its features, vibe, waveform (null until analysed) and latest job."""

    sha256: str
    waveform: Waveform | None
    analysed_at: dt.datetime | None
    features: AudioFeaturesView | None
    vibe: VibeView | None
    job: SampleJob | None


class UploadAccepted(ResponseModel):
    """A stored upload (the PRD's body, and what was stored); `job_id` is null and `status` is
    `stored` when the producer's uploads are not analysed automatically."""

    job_id: uuid.UUID | None
    sample_id: uuid.UUID
    status: Literal["pending", "stored"]
    filename: str
    estimated_completion: dt.datetime | None
    size_bytes: int
    sha256: str
    format: AudioFormat
    duration: float


class DirectUpload(ResponseModel):
    """Where and how the browser sends a large file: `method` to `url` with exactly `headers`
    (and, for a form POST, `fields`), at most `max_bytes`."""

    upload_id: uuid.UUID
    url: str
    method: str
    headers: dict[str, str]
    fields: dict[str, str]
    expires_at: dt.datetime | None
    max_bytes: int


class QueuedAnalysis(ResponseModel):
    """An analysis put in the queue."""

    sample_id: uuid.UUID
    job_id: uuid.UUID
    status: Literal["queued"]
