-- name: enqueue_job --
-- A new job in the caller's (tenant) transaction; workers are woken when it commits.
-- run_after ($8) holds a job back until then (NULL: runnable now).
insert into app.processing_jobs (user_id, sample_id, kind, status, priority, payload, max_attempts,
                                 run_after)
values ($1, $2, $3, $4, $5, $6, $7, coalesce($8, now()))
returning id;

-- name: notify_jobs --
-- Wakes listening workers (delivered at commit, so never before the job is visible).
select pg_notify('sp404_jobs', $1);

-- name: claim_jobs --
-- A batch of runnable jobs for this worker, across tenants (SECURITY DEFINER).
select id, user_id, sample_id, kind, attempts, max_attempts, payload
from app.claim_jobs($1, $2, $3, $4);

-- name: renew_leases --
-- Extends the leases this worker still holds.
select app.renew_job_leases($1, $2, $3) as id;

-- name: complete_job --
-- Marks a job this worker holds as done.
update app.processing_jobs
   set status = 'done', progress = 1, finished_at = now(), lease_expires_at = null, last_error = null
 where id = $1 and worker_id = $2 and status = 'running';

-- name: finish_job --
-- Ends a job this worker holds without a retry: 'done', or 'failed' with the reason.
update app.processing_jobs
   set status = $3, progress = 1, finished_at = now(), lease_expires_at = null, last_error = $4
 where id = $1 and worker_id = $2 and status = 'running';

-- name: record_progress --
-- A running job's progress (0..1) while this worker holds it.
update app.processing_jobs set progress = $3
 where id = $1 and worker_id = $2 and status = 'running';

-- name: defer_job --
-- Parks a job this worker holds until $3 without spending an attempt; returns its id.
update app.processing_jobs
   set status = 'deferred', run_after = $3, lease_expires_at = null, worker_id = null,
       attempts = greatest(0, attempts - 1), last_error = $4
 where id = $1 and worker_id = $2 and status = 'running'
returning id;

-- name: wake_deferred --
-- Makes the caller's deferred jobs of one kind runnable now (they are checked again when claimed).
update app.processing_jobs set run_after = now()
 where status = 'deferred' and kind = $1 and run_after > now();

-- name: fail_job --
-- Records a failed attempt: retry later with exponential backoff, or park as dead when spent.
update app.processing_jobs
   set status = case when attempts >= max_attempts then 'dead' else 'queued' end,
       run_after = now() + make_interval(secs => least(3600, $3 * power(2, attempts - 1))),
       finished_at = case when attempts >= max_attempts then now() end,
       lease_expires_at = null,
       last_error = $4
 where id = $1 and worker_id = $2 and status = 'running'
returning status;

-- name: fetch_job --
-- One of the caller's jobs.
select id, sample_id, kind, status, progress, attempts, max_attempts, last_error, created_at,
       started_at, finished_at, run_after
from app.processing_jobs
where id = $1;

-- name: list_jobs --
-- The caller's recent jobs, newest first, optionally by status.
select id, sample_id, kind, status, progress, attempts, max_attempts, last_error, created_at,
       started_at, finished_at, run_after, count(*) over () as total
from app.processing_jobs
where ($1::text is null or status = $1)
order by created_at desc
limit $2 offset $3;

-- name: jobs_changed_since --
-- The caller's jobs that changed after a point in time (for the progress stream).
select id, sample_id, kind, status, progress, attempts, last_error, updated_at as changed_at
from app.processing_jobs
where updated_at > $1
   or (status = 'running')
order by changed_at
limit 200;
