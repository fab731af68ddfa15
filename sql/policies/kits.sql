-- kits: tenant rows, visible and writable only to their owner.
alter table app.kits enable row level security;
alter table app.kits force row level security;

drop policy if exists kits_owner on app.kits;
create policy kits_owner on app.kits
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.kits from sp404_app;
grant select, insert, update, delete on app.kits to sp404_app;
