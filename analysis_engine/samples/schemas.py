"""Bodies of the sample routes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from analysis_engine.samples.upload import MAX_TAG_LENGTH, MAX_TAGS
from analysis_engine.schemas import NO_NUL, VISIBLE

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
