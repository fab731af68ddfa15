-- api_usage: tenant rows, visible and writable only to their owner.
alter table app.api_usage enable row level security;
alter table app.api_usage force row level security;

drop policy if exists api_usage_owner on app.api_usage;
create policy api_usage_owner on app.api_usage
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.api_usage from sp404_app;
grant select, insert on app.api_usage to sp404_app;

-- The gateway records every user's calls in batches through app.record_api_usage().
drop policy if exists api_usage_definer_insert on app.api_usage;
create policy api_usage_definer_insert on app.api_usage
    for insert to sp404_definer with check (true);
grant insert on app.api_usage to sp404_definer;
