-- sample_imports: tenant rows, visible and writable only to their owner.
alter table app.sample_imports enable row level security;
alter table app.sample_imports force row level security;

drop policy if exists sample_imports_owner on app.sample_imports;
create policy sample_imports_owner on app.sample_imports
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.sample_imports from sp404_app;
grant select, insert, update, delete on app.sample_imports to sp404_app;
