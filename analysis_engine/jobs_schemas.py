"""What the job routes answer: one job's status and progress, and the recent list."""

from __future__ import annotations

import uuid
from typing import Literal

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
