-- Claims read the runnable jobs of one kind in (priority desc, created_at) order. The old
-- processing_jobs_claim_idx (status = 'queued' only, no kind) could not serve the claim's
-- "queued or deferred, of these kinds" predicate, so every claim scanned and sorted the whole
-- queue: 16 ms at 50,000 jobs, growing with depth (benchmarks/bench_job_queue.py). This index
-- lets app.claim_jobs walk one kind's runnable jobs in order and stop after the batch.
create index processing_jobs_runnable_idx on app.processing_jobs (kind, priority desc, created_at)
    where status in ('queued', 'deferred');
