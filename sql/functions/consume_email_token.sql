-- Marks a verification/reset token used and returns its user, only if it is unused and unexpired.
-- The UPDATE makes it single-use even when two requests race.
create or replace function app.consume_email_token(p_token_hash text, p_purpose text)
returns uuid
language sql volatile security definer set search_path = pg_catalog, app
as $$
    update app.email_tokens t
       set used_at = now()
     where t.token_hash = p_token_hash
       and t.purpose = p_purpose
       and t.used_at is null
       and t.expires_at > now()
    returning t.user_id
$$;

alter function app.consume_email_token(text, text) owner to sp404_definer;
revoke all on function app.consume_email_token(text, text) from public;
grant execute on function app.consume_email_token(text, text) to sp404_app;
