"""The Postgres job queue: enqueue in the caller's transaction, claim and finish in workers."""

from analysis_engine.jobs.queue import (
    ClaimedJob,
    claim_jobs,
    complete_job,
    enqueue_job,
    fail_job,
    renew_leases,
)

__all__ = ["ClaimedJob", "claim_jobs", "complete_job", "enqueue_job", "fail_job", "renew_leases"]
