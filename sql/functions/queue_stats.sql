-- Upload answers: how many jobs of a kind wait ahead of a new one at this priority, and how many
-- finished in the last ten minutes (throughput), across tenants, as two bare numbers.
create or replace function app.queue_stats(p_kind text, p_priority integer)
returns table (ahead bigint, done_recently bigint)
language sql stable security definer set search_path = pg_catalog, app
as $$
    select
        (select count(*) from app.processing_jobs j
          where j.kind = p_kind and j.status in ('queued', 'running') and j.priority >= p_priority),
        (select count(*) from app.processing_jobs j
          where j.kind = p_kind and j.status = 'done' and j.finished_at > now() - interval '10 minutes')
$$;

alter function app.queue_stats(text, integer) owner to sp404_definer;
revoke all on function app.queue_stats(text, integer) from public;
grant execute on function app.queue_stats(text, integer) to sp404_app;
