-- Workers: extend the lease of jobs this worker still holds; returns the ids it still holds.
create or replace function app.renew_job_leases(p_worker text, p_ids uuid[], p_lease_seconds integer)
returns setof uuid
language sql volatile security definer set search_path = pg_catalog, app
as $$
    update app.processing_jobs j
       set lease_expires_at = now() + make_interval(secs => p_lease_seconds)
     where j.id = any(p_ids)
       and j.worker_id = p_worker
       and j.status = 'running'
    returning j.id
$$;

alter function app.renew_job_leases(text, uuid[], integer) owner to sp404_definer;
revoke all on function app.renew_job_leases(text, uuid[], integer) from public;
grant execute on function app.renew_job_leases(text, uuid[], integer) to sp404_app;
