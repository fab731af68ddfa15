-- Engine metrics: the job queue per tier and status, across tenants, as bare counts and ages.
-- Queued/running/deferred jobs now, and jobs parked as dead in the last hour; for queued jobs
-- the age of the one that has waited longest since it became runnable. Never a job id or user.
create or replace function app.queue_depth_by_tier()
returns table (tier text, status text, jobs bigint, oldest_wait_s double precision)
language sql stable security definer set search_path = pg_catalog, app
as $$
    select coalesce(p.id, 'priority_' || j.priority) as tier,
           j.status,
           count(*) as jobs,
           coalesce(extract(epoch from now() - min(j.run_after) filter (
               where j.status = 'queued' and j.run_after <= now())), 0)::double precision
    from app.processing_jobs j
    left join app.plans p on p.queue_priority = j.priority
    where j.status in ('queued', 'running', 'deferred')
       or (j.status = 'dead' and j.finished_at > now() - interval '1 hour')
    group by 1, 2
$$;

alter function app.queue_depth_by_tier() owner to sp404_definer;
revoke all on function app.queue_depth_by_tier() from public;
grant execute on function app.queue_depth_by_tier() to sp404_app;
