-- personal_access_tokens: tenant rows, visible and writable only to their owner.
alter table app.personal_access_tokens enable row level security;
alter table app.personal_access_tokens force row level security;

drop policy if exists personal_access_tokens_owner on app.personal_access_tokens;
create policy personal_access_tokens_owner on app.personal_access_tokens
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.personal_access_tokens from sp404_app;
grant select, insert, delete on app.personal_access_tokens to sp404_app;
-- Only revocation changes a token, never its secret, owner or scopes.
grant update (revoked_at) on app.personal_access_tokens to sp404_app;

-- A token is presented before its user is known (app.find_personal_access_token), which also
-- stamps last_used_at.
drop policy if exists personal_access_tokens_definer_select on app.personal_access_tokens;
create policy personal_access_tokens_definer_select on app.personal_access_tokens
    for select to sp404_definer using (true);
drop policy if exists personal_access_tokens_definer_touch on app.personal_access_tokens;
create policy personal_access_tokens_definer_touch on app.personal_access_tokens
    for update to sp404_definer using (true) with check (true);
grant select on app.personal_access_tokens to sp404_definer;
grant update (last_used_at) on app.personal_access_tokens to sp404_definer;
