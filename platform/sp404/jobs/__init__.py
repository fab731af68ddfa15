"""The Postgres job queue: enqueue in the caller's transaction, claim and finish in workers."""

from sp404.jobs.queue import (
    ClaimedJob,
    claim_jobs,
    complete_job,
    defer_job,
    enqueue_job,
    fail_job,
    fetch_job,
    finish_job,
    jobs_changed_since,
    list_jobs,
    record_progress,
    renew_leases,
    wake_deferred,
)
from sp404.jobs.worker import new_worker_id, process_jobs, start_job_loop

__all__ = [
    "ClaimedJob",
    "claim_jobs",
    "complete_job",
    "defer_job",
    "enqueue_job",
    "fail_job",
    "fetch_job",
    "finish_job",
    "jobs_changed_since",
    "list_jobs",
    "new_worker_id",
    "process_jobs",
    "record_progress",
    "renew_leases",
    "start_job_loop",
    "wake_deferred",
]
