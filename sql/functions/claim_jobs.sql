-- Workers: claim up to p_limit runnable jobs of the kinds they handle, of any tenant, highest tier
-- priority first, then oldest (kind by kind, in the order given). A deferred job (its user's
-- analyses quota was spent) is runnable again from its run_after (the next quota period) or as
-- soon as an upgrade moves run_after to now. A running job whose lease expired (its worker died)
-- goes back to the queue and is claimed like any other, unless it has used all its attempts, in
-- which case it is parked as dead with the reason kept. Both steps read partial indexes
-- (processing_jobs_lease_idx, processing_jobs_runnable_idx), so a claim costs the same at any
-- queue depth (benchmarks/bench_job_queue.py).
create or replace function app.claim_jobs(
    p_worker text, p_kinds text[], p_limit integer, p_lease_seconds integer)
returns setof app.processing_jobs
language plpgsql volatile security definer set search_path = pg_catalog, app
as $$
declare
    v_kind text;
    v_left integer := p_limit;
    v_got integer;
begin
    update app.processing_jobs j
       set status = 'dead',
           finished_at = now(),
           lease_expires_at = null,
           last_error = coalesce(j.last_error || '; ', '') || 'lease expired on the last attempt'
     where j.status = 'running'
       and j.lease_expires_at < now()
       and j.attempts >= j.max_attempts;

    -- Back to the queue (inside this transaction: nobody sees it queued unless the batch below
    -- is full). Rows another claim is requeueing right now are skipped, never waited for.
    update app.processing_jobs j
       set status = 'queued', lease_expires_at = null
     where j.id in (select e.id
                      from app.processing_jobs e
                     where e.status = 'running'
                       and e.lease_expires_at < now()
                       and e.kind = any(p_kinds)
                       for update skip locked);

    foreach v_kind in array p_kinds loop
        exit when v_left <= 0;
        return query
        with picked as (
            select c.id
              from app.processing_jobs c
             where c.kind = v_kind
               and c.status in ('queued', 'deferred')
               and c.run_after <= now()
             order by c.priority desc, c.created_at
             for update skip locked
             limit v_left
        )
        update app.processing_jobs j
           set status = 'running',
               attempts = j.attempts + 1,
               worker_id = p_worker,
               lease_expires_at = now() + make_interval(secs => p_lease_seconds),
               started_at = coalesce(j.started_at, now())
          from picked
         where j.id = picked.id
        returning j.*;
        get diagnostics v_got = row_count;
        v_left := v_left - v_got;
    end loop;
end
$$;

alter function app.claim_jobs(text, text[], integer, integer) owner to sp404_definer;
revoke all on function app.claim_jobs(text, text[], integer, integer) from public;
grant execute on function app.claim_jobs(text, text[], integer, integer) to sp404_app;
