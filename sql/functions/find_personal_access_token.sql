-- Personal access tokens: the token a script presents, with what the services need to serve it
-- (owner, e-mail, tier, scopes, expiry, revocation). Stamps last_used_at at most once a minute,
-- so a busy script costs one index probe per request and a write per minute, not per request.
create or replace function app.find_personal_access_token(p_token_hash text)
returns table (
    id uuid, user_id uuid, email text, tier text, verified boolean, scopes text[],
    expires_at timestamptz, revoked_at timestamptz
)
language sql volatile security definer set search_path = pg_catalog, app
as $$
    with found as (
        select t.id, t.user_id, u.email, u.tier, u.email_verified_at is not null as verified,
               t.scopes, t.expires_at, t.revoked_at, t.last_used_at
          from app.personal_access_tokens t
          join app.users u on u.id = t.user_id
         where t.token_hash = p_token_hash
    ), touched as (
        update app.personal_access_tokens t
           set last_used_at = now()
          from found f
         where t.id = f.id and f.revoked_at is null
           and (f.last_used_at is null or f.last_used_at < now() - interval '1 minute')
    )
    select f.id, f.user_id, f.email, f.tier, f.verified, f.scopes, f.expires_at, f.revoked_at
      from found f
$$;

alter function app.find_personal_access_token(text) owner to sp404_definer;
revoke all on function app.find_personal_access_token(text) from public;
grant execute on function app.find_personal_access_token(text) to sp404_app;
