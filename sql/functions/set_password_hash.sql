-- Stores the signed-in user's new password hash and, when given, moves the token cut-off forward
-- (never back): tokens issued before it are refused.
create or replace function app.set_password_hash(p_hash text, p_valid_after timestamptz)
returns void
language sql volatile security definer set search_path = pg_catalog, app
as $$
    update app.users u
       set password_hash = p_hash,
           tokens_valid_after = greatest(u.tokens_valid_after,
                                         coalesce(p_valid_after, u.tokens_valid_after)),
           updated_at = now()
     where u.id = app.current_user_id()
$$;

alter function app.set_password_hash(text, timestamptz) owner to sp404_definer;
revoke all on function app.set_password_hash(text, timestamptz) from public;
grant execute on function app.set_password_hash(text, timestamptz) to sp404_app;
