-- collections: tenant rows, visible and writable only to their owner.
alter table app.collections enable row level security;
alter table app.collections force row level security;

drop policy if exists collections_owner on app.collections;
create policy collections_owner on app.collections
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.collections from sp404_app;
grant select, insert, update, delete on app.collections to sp404_app;
