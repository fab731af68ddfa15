-- The progress stream (GET /api/jobs/events) sends the jobs that changed since its last look.
-- It read "changed" from created_at/started_at/finished_at, so a change that sets none of them
-- (a job deferred by the analyses quota, a failed attempt put back in the queue) never reached
-- a page that had already seen the job running. Every update now stamps updated_at.
alter table app.processing_jobs add column updated_at timestamptz not null default now();

create function app.stamp_processing_job_update() returns trigger
    language plpgsql
as $$
begin
    new.updated_at := clock_timestamp();
    return new;
end
$$;

create trigger processing_jobs_stamp_update
    before update on app.processing_jobs
    for each row execute function app.stamp_processing_job_update();
