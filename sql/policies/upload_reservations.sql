-- upload_reservations: tenant rows, visible and writable only to their owner.
alter table app.upload_reservations enable row level security;
alter table app.upload_reservations force row level security;

drop policy if exists upload_reservations_owner on app.upload_reservations;
create policy upload_reservations_owner on app.upload_reservations
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.upload_reservations from sp404_app;
grant select, insert, update, delete on app.upload_reservations to sp404_app;
