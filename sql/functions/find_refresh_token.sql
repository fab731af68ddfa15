-- Refresh: the state of a presented refresh token and of its family (session).
create or replace function app.find_refresh_token(p_token_hash text)
returns table (
    id uuid, user_id uuid, family_id uuid, expires_at timestamptz, rotated_at timestamptz,
    family_revoked_at timestamptz
)
language sql stable security definer set search_path = pg_catalog, app
as $$
    select t.id, t.user_id, t.family_id, t.expires_at, t.rotated_at, f.revoked_at
    from app.refresh_tokens t
    join app.refresh_token_families f on f.user_id = t.user_id and f.id = t.family_id
    where t.token_hash = p_token_hash
$$;

alter function app.find_refresh_token(text) owner to sp404_definer;
revoke all on function app.find_refresh_token(text) from public;
grant execute on function app.find_refresh_token(text) to sp404_app;
