-- The past-due cap's sweep: accounts whose subscription has been past due since before p_before
-- and still holds a paid tier (each is then handled in its own tenant transaction).
create or replace function app.past_due_accounts(p_before timestamptz)
returns setof uuid
language sql stable security definer set search_path = pg_catalog, app
as $$
    select s.user_id from app.subscriptions s
     where s.past_due_since < p_before and s.status = 'past_due' and s.tier <> 'free'
     order by s.past_due_since
     limit 1000
$$;

alter function app.past_due_accounts(timestamptz) owner to sp404_definer;
revoke all on function app.past_due_accounts(timestamptz) from public;
grant execute on function app.past_due_accounts(timestamptz) to sp404_app;
