-- collection_samples: tenant rows, visible and writable only to their owner.
alter table app.collection_samples enable row level security;
alter table app.collection_samples force row level security;

drop policy if exists collection_samples_owner on app.collection_samples;
create policy collection_samples_owner on app.collection_samples
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.collection_samples from sp404_app;
grant select, insert, update, delete on app.collection_samples to sp404_app;
