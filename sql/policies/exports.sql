-- exports: tenant rows, visible and writable only to their owner.
alter table app.exports enable row level security;
alter table app.exports force row level security;

drop policy if exists exports_owner on app.exports;
create policy exports_owner on app.exports
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.exports from sp404_app;
grant select, insert, update, delete on app.exports to sp404_app;
