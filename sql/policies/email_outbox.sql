-- email_outbox: tenant rows, visible and writable only to their owner.
alter table app.email_outbox enable row level security;
alter table app.email_outbox force row level security;

drop policy if exists email_outbox_owner on app.email_outbox;
create policy email_outbox_owner on app.email_outbox
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.email_outbox from sp404_app;
grant select, insert on app.email_outbox to sp404_app;

-- The mail sender delivers every tenant's mail (app.claim_outbox, app.finish_outbox).
drop policy if exists email_outbox_definer_select on app.email_outbox;
create policy email_outbox_definer_select on app.email_outbox for select to sp404_definer using (true);
drop policy if exists email_outbox_definer_update on app.email_outbox;
create policy email_outbox_definer_update on app.email_outbox for update to sp404_definer using (true);
grant select, update on app.email_outbox to sp404_definer;
