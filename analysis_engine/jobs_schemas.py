"""What the job routes answer: one job's status and progress, the recent list, and the events
of the progress stream."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from analysis_engine.schemas import ResponseModel, TextTimestamp

JobStatus = Literal["queued", "running", "done", "failed", "dead", "deferred", "cancelled"]
JobKind = Literal["analyze", "export", "account_export", "batch_import"]


class Job(ResponseModel):
    """One job (its timestamps as text, as the progress stream sends them too)."""

    id: uuid.UUID
    sample_id: uuid.UUID | None
    kind: JobKind
    status: JobStatus
    progress: float
    attempts: int
    max_attempts: int
    last_error: str | None
    created_at: TextTimestamp
    started_at: TextTimestamp | None
    finished_at: TextTimestamp | None
    run_after: TextTimestamp


class JobPage(ResponseModel):
    """A page of the caller's recent jobs."""

    jobs: list[Job]
    total: int
    limit: int
    offset: int


class JobEvent(ResponseModel):
    """The data of a `job` event of the progress stream: a job that changed."""

    id: uuid.UUID
    sample_id: uuid.UUID | None
    kind: JobKind
    status: JobStatus
    progress: float
    attempts: int
    last_error: str | None


# Before OpenAPI 3.2 a text/event-stream schema describes one event (as a fuzzer reads it);
# keep-alive comments and the opening `retry:` carry no data, so they are no events.
JOB_EVENT_STREAM: dict[str, Any] = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"const": "job"},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": JobEvent.model_json_schema(),
        },
        "retry": {"type": "integer"},
    },
}
