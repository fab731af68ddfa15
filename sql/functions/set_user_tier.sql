-- Billing's one way to change the enforced plan (a verified Stripe event, an administrator's
-- override), for the user the transaction is bound to. The id comes back only when it changed.
create or replace function app.set_user_tier(p_tier text)
returns uuid
language sql volatile security definer set search_path = pg_catalog, app
as $$
    update app.users u
       set tier = p_tier, updated_at = now()
     where u.id = app.current_user_id()
       and u.tier is distinct from p_tier
    returning u.id
$$;

alter function app.set_user_tier(text) owner to sp404_definer;
revoke all on function app.set_user_tier(text) from public;
grant execute on function app.set_user_tier(text) to sp404_app;
