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

-- Text search's definer function (sql/functions/matching_samples.sql) reads the caller's matches
-- through the (user_id, search_document) GIN index, which only a policy that checks nothing lets
-- it use (`@@` is not leakproof). It may only read; that function's own `where` names the caller.
-- No other definer function reads app.samples (tests/tenancy/test_catalog.py pins the list).
drop policy if exists samples_definer_select on app.samples;
create policy samples_definer_select on app.samples
    for select to sp404_definer
    using (true);
grant select on app.samples to sp404_definer;
