-- Sign-in: the one row needed to check a password, looked up by normalised e-mail.
create or replace function app.find_user_for_login(p_email_normalized text)
returns table (id uuid, password_hash text, email_verified_at timestamptz, tier text)
language sql stable security definer set search_path = pg_catalog, app
as $$
    select u.id, u.password_hash, u.email_verified_at, u.tier
    from app.users u
    where u.email_normalized = p_email_normalized
$$;

alter function app.find_user_for_login(text) owner to sp404_definer;
revoke all on function app.find_user_for_login(text) from public;
grant execute on function app.find_user_for_login(text) to sp404_app;
