-- audit_log: the services may only append. Inside a tenant transaction an entry must be about the
-- signed-in user; outside one (sign-in of an unknown e-mail) it must name no user.
alter table app.audit_log enable row level security;
alter table app.audit_log force row level security;

drop policy if exists audit_log_append on app.audit_log;
create policy audit_log_append on app.audit_log
    for insert to sp404_app
    with check (user_id is not distinct from (select app.current_user_id()));

revoke all on app.audit_log from sp404_app;
grant insert on app.audit_log to sp404_app;

-- A user's data export includes the entries about them (app.audit_entries_for_current_user).
drop policy if exists audit_log_definer_select on app.audit_log;
create policy audit_log_definer_select on app.audit_log for select to sp404_definer using (true);
grant select on app.audit_log to sp404_definer;
