-- email_tokens: tenant rows, visible and writable only to their owner.
alter table app.email_tokens enable row level security;
alter table app.email_tokens force row level security;

drop policy if exists email_tokens_owner on app.email_tokens;
create policy email_tokens_owner on app.email_tokens
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.email_tokens from sp404_app;
grant select, insert, update, delete on app.email_tokens to sp404_app;

-- Consuming a link token happens before the user is known (app.consume_email_token).
drop policy if exists email_tokens_definer_select on app.email_tokens;
create policy email_tokens_definer_select on app.email_tokens for select to sp404_definer using (true);
drop policy if exists email_tokens_definer_update on app.email_tokens;
create policy email_tokens_definer_update on app.email_tokens for update to sp404_definer using (true);
grant select, update on app.email_tokens to sp404_definer;
