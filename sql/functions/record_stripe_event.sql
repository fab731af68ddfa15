-- True the first time an event id is seen, false for every redelivery (even a concurrent one:
-- the primary key decides).
create or replace function app.record_stripe_event(p_id text, p_type text, p_created timestamptz)
returns boolean
language sql volatile security definer set search_path = pg_catalog, app
as $$
    with inserted as (
        insert into app.stripe_events (id, type, stripe_created)
        values (p_id, p_type, p_created)
        on conflict on constraint stripe_events_pkey do nothing
        returning 1
    )
    select exists (select 1 from inserted)
$$;

alter function app.record_stripe_event(text, text, timestamptz) owner to sp404_definer;
revoke all on function app.record_stripe_event(text, text, timestamptz) from public;
grant execute on function app.record_stripe_event(text, text, timestamptz) to sp404_app;
