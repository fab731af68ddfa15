-- usage_counters: tenant rows, visible and writable only to their owner.
alter table app.usage_counters enable row level security;
alter table app.usage_counters force row level security;

drop policy if exists usage_counters_owner on app.usage_counters;
create policy usage_counters_owner on app.usage_counters
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.usage_counters from sp404_app;
grant select, insert, update on app.usage_counters to sp404_app;
