-- Workers: claim up to p_limit runnable jobs of the kinds they handle, of any tenant, highest tier priority first, then
-- oldest. A deferred job (its user's analyses quota was spent) is runnable again from its
-- run_after (the next quota period) or as soon as an upgrade moves run_after to now. A running
-- job whose lease expired (its worker died) is runnable again, unless it has
-- used all its attempts, in which case it is parked as dead with the reason kept.
create or replace function app.claim_jobs(
    p_worker text, p_kinds text[], p_limit integer, p_lease_seconds integer)
returns setof app.processing_jobs
language plpgsql volatile security definer set search_path = pg_catalog, app
as $$
begin
    update app.processing_jobs j
       set status = 'dead',
           finished_at = now(),
           lease_expires_at = null,
           last_error = coalesce(j.last_error || '; ', '') || 'lease expired on the last attempt'
     where j.status = 'running'
       and j.lease_expires_at < now()
       and j.attempts >= j.max_attempts;

    return query
    with picked as (
        select c.id
          from app.processing_jobs c
         where c.kind = any(p_kinds)
           and ((c.status in ('queued', 'deferred') and c.run_after <= now())
                or (c.status = 'running' and c.lease_expires_at < now()))
         order by c.priority desc, c.created_at
         for update skip locked
         limit p_limit
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
end
$$;

alter function app.claim_jobs(text, text[], integer, integer) owner to sp404_definer;
revoke all on function app.claim_jobs(text, text[], integer, integer) from public;
grant execute on function app.claim_jobs(text, text[], integer, integer) to sp404_app;
