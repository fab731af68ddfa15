-- kit_pads: tenant rows, visible and writable only to their owner.
alter table app.kit_pads enable row level security;
alter table app.kit_pads force row level security;

drop policy if exists kit_pads_owner on app.kit_pads;
create policy kit_pads_owner on app.kit_pads
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.kit_pads from sp404_app;
grant select, insert, update, delete on app.kit_pads to sp404_app;
