"""What the batch import routes answer."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic.json_schema import SkipJsonSchema

from analysis_engine.schemas import ResponseModel, TextTimestamp, left_out

ImportStatus = Literal["queued", "running", "done", "stopped", "refused", "failed"]


class ImportAccepted(ResponseModel):
    """A stored archive whose import is queued."""

    import_id: uuid.UUID
    job_id: uuid.UUID
    status: Literal["queued"]
    filename: str
    size_bytes: int


class ImportCounts(ResponseModel):
    """How many files the archive holds, and how many were stored, skipped or failed."""

    entries: int
    stored: int
    skipped: int
    failed: int


class ImportedFile(ResponseModel):
    """What happened to one file of the archive; a stored one names its sample, size and
    analysis job (null when not analysed); a duplicate (skipped: "already in your library")
    names the sample that already holds its audio in `duplicate_of`."""

    path: str
    filename: str
    status: Literal["stored", "skipped", "failed", "not_imported"]
    reason: str | None
    sample_id: uuid.UUID | SkipJsonSchema[None] = left_out()
    size_bytes: int | SkipJsonSchema[None] = left_out()
    job_id: uuid.UUID | None = left_out()
    duplicate_of: uuid.UUID | SkipJsonSchema[None] = left_out()


class BatchImport(ResponseModel):
    """An import's progress (0-1) and counts; `reason` says why one stopped or was refused."""

    import_id: uuid.UUID
    job_id: uuid.UUID | None
    status: ImportStatus
    progress: float
    filename: str
    size_bytes: int
    counts: ImportCounts
    stored_bytes: int
    reason: str | None
    created_at: TextTimestamp
    started_at: TextTimestamp | None
    finished_at: TextTimestamp | None


class BatchImportDetail(BatchImport):
    """An import with what happened to each file."""

    files: list[ImportedFile]


class BatchImportPage(ResponseModel):
    """A page of the caller's recent imports."""

    imports: list[BatchImport]
    total: int
    limit: int
    offset: int


class DeviceImportPad(ResponseModel):
    """A pad of an imported project: the sample it got, with the device's name and tempo."""

    bank: str
    pad: int
    label: str
    name: str
    sample_id: uuid.UUID
    bpm: float | None
    source: str


class DeviceImportKit(ResponseModel):
    """A kit made from one project of the archive; `notes` name what a kit could not keep."""

    kit_id: uuid.UUID
    name: str
    bpm: float | None
    source: str
    pads: list[DeviceImportPad]
    notes: list[str]


class DeviceImport(ResponseModel):
    """What an SP-404MK2 import stored: its kits and how many samples (queued for analysis)."""

    kits: list[DeviceImportKit]
    samples: int
    stored_bytes: int
