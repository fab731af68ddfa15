-- refresh_tokens: tenant rows, visible and writable only to their owner.
alter table app.refresh_tokens enable row level security;
alter table app.refresh_tokens force row level security;

drop policy if exists refresh_tokens_owner on app.refresh_tokens;
create policy refresh_tokens_owner on app.refresh_tokens
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.refresh_tokens from sp404_app;
grant select, insert, update, delete on app.refresh_tokens to sp404_app;

-- A refresh token is presented before the user is known (app.find_refresh_token).
drop policy if exists refresh_tokens_definer_select on app.refresh_tokens;
create policy refresh_tokens_definer_select on app.refresh_tokens for select to sp404_definer using (true);
grant select on app.refresh_tokens to sp404_definer;
