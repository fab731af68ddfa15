-- samples: tenant rows, visible and writable only to their owner.
alter table app.samples enable row level security;
alter table app.samples force row level security;

drop policy if exists samples_owner on app.samples;
create policy samples_owner on app.samples
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.samples from sp404_app;
grant select, insert, update, delete on app.samples to sp404_app;
