-- Password reset and verification resend: which user (if any) owns this e-mail.
create or replace function app.user_id_for_email(p_email_normalized text)
returns uuid
language sql stable security definer set search_path = pg_catalog, app
as $$
    select u.id from app.users u where u.email_normalized = p_email_normalized
$$;

alter function app.user_id_for_email(text) owner to sp404_definer;
revoke all on function app.user_id_for_email(text) from public;
grant execute on function app.user_id_for_email(text) to sp404_app;
