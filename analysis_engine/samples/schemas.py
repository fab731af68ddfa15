"""Bodies of the sample routes, and what they answer."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from analysis_engine.jobs_schemas import JobStatus
from analysis_engine.samples.upload import MAX_TAG_LENGTH, MAX_TAGS
from analysis_engine.schemas import NO_NUL, VISIBLE, ResponseModel, TextTimestamp

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
SampleStatus = Literal["pending", "processing", "ready", "failed", "deferred", "skipped"]
SampleSort = Literal["created_desc", "created_asc", "title", "bpm", "duration"]
AudioFormat = Literal["wav", "aiff", "flac", "ogg", "mp3"]


class SampleUpdate(BaseModel):
    """Fields a producer may edit; send null for bpm/musical_key/genre to clear them."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    genre: Genre | None = None
    tags: Annotated[list[Tag], Field(max_length=32)] | None = None
    bpm: Annotated[float, Field(ge=20, le=400)] | None = None
    musical_key: Key | None = None


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
    musical_key: str | None
    is_loop: bool | None
    status: SampleStatus
    created_at: dt.datetime
    updated_at: dt.datetime
    duration: float | None


class LibrarySample(Sample):
    """A sample of the library list, with its vibe's description."""

    vibe: str | None


class SamplePage(ResponseModel):
    """A page of the library."""

    samples: list[LibrarySample]
    total: int
    limit: int
    offset: int


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


class SampleDetail(Sample):
    """One sample with its features, vibe and latest job."""

    sha256: str
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
