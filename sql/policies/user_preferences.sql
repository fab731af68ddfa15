-- user_preferences: tenant rows, visible and writable only to their owner.
alter table app.user_preferences enable row level security;
alter table app.user_preferences force row level security;

drop policy if exists user_preferences_owner on app.user_preferences;
create policy user_preferences_owner on app.user_preferences
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.user_preferences from sp404_app;
grant select, insert, update, delete on app.user_preferences to sp404_app;
