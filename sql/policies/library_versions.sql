-- library_versions: one row per producer, created at sign-up and moved by the triggers of
-- sql/0053 in the writer's transaction; visible and writable only to its owner.
alter table app.library_versions enable row level security;
alter table app.library_versions force row level security;

drop policy if exists library_versions_owner on app.library_versions;
create policy library_versions_owner on app.library_versions
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.library_versions from sp404_app;
-- No DELETE: a producer without a row would make the caches check their copies the slow way
-- (app code treats a missing row as "unknown"), and only the account's deletion removes it.
grant select, insert, update on app.library_versions to sp404_app;
grant usage on sequence app.library_version_seq to sp404_app;
