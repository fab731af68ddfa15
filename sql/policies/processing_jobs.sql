-- processing_jobs: tenant rows, visible and writable only to their owner.
alter table app.processing_jobs enable row level security;
alter table app.processing_jobs force row level security;

drop policy if exists processing_jobs_owner on app.processing_jobs;
create policy processing_jobs_owner on app.processing_jobs
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.processing_jobs from sp404_app;
grant select, insert, update, delete on app.processing_jobs to sp404_app;

-- Workers claim jobs of every tenant (app.claim_jobs).
drop policy if exists processing_jobs_definer_select on app.processing_jobs;
create policy processing_jobs_definer_select on app.processing_jobs for select to sp404_definer using (true);
drop policy if exists processing_jobs_definer_update on app.processing_jobs;
create policy processing_jobs_definer_update on app.processing_jobs for update to sp404_definer using (true);
grant select, update on app.processing_jobs to sp404_definer;
