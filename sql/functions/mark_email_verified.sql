-- Marks the signed-in user's address verified (once; a second call keeps the first time), after
-- the services consumed a verification or reset link for it. Returns the verification time.
create or replace function app.mark_email_verified()
returns timestamptz
language sql volatile security definer set search_path = pg_catalog, app
as $$
    update app.users u
       set email_verified_at = coalesce(u.email_verified_at, now()), updated_at = now()
     where u.id = app.current_user_id()
    returning u.email_verified_at
$$;

alter function app.mark_email_verified() owner to sp404_definer;
revoke all on function app.mark_email_verified() from public;
grant execute on function app.mark_email_verified() to sp404_app;
