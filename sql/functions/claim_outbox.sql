-- The mail sender: take up to p_limit due messages of any tenant. A message stuck in 'sending'
-- (its sender died) becomes due again after p_stale_seconds.
create or replace function app.claim_outbox(p_limit integer, p_stale_seconds integer)
returns table (id uuid, user_id uuid, kind text, to_address text, subject text, body_text text,
               attempts integer)
language sql volatile security definer set search_path = pg_catalog, app
as $$
    with picked as (
        select o.id
          from app.email_outbox o
         where (o.status = 'pending' and o.next_attempt_at <= now())
            or (o.status = 'sending' and o.next_attempt_at <= now() - make_interval(secs => p_stale_seconds))
         order by o.next_attempt_at
         for update skip locked
         limit p_limit
    )
    update app.email_outbox o
       set status = 'sending', attempts = o.attempts + 1, next_attempt_at = now()
      from picked
     where o.id = picked.id
    returning o.id, o.user_id, o.kind, o.to_address, o.subject, o.body_text, o.attempts
$$;

alter function app.claim_outbox(integer, integer) owner to sp404_definer;
revoke all on function app.claim_outbox(integer, integer) from public;
grant execute on function app.claim_outbox(integer, integer) to sp404_app;
