-- refresh_token_families: tenant rows, visible and writable only to their owner.
alter table app.refresh_token_families enable row level security;
alter table app.refresh_token_families force row level security;

drop policy if exists refresh_token_families_owner on app.refresh_token_families;
create policy refresh_token_families_owner on app.refresh_token_families
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.refresh_token_families from sp404_app;
grant select, insert, update, delete on app.refresh_token_families to sp404_app;

-- A refresh token is presented before the user is known (app.find_refresh_token).
drop policy if exists refresh_token_families_definer_select on app.refresh_token_families;
create policy refresh_token_families_definer_select on app.refresh_token_families for select to sp404_definer using (true);
grant select on app.refresh_token_families to sp404_definer;
