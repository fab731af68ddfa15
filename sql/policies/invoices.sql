-- invoices: tenant rows, visible and writable only to their owner.
alter table app.invoices enable row level security;
alter table app.invoices force row level security;

drop policy if exists invoices_owner on app.invoices;
create policy invoices_owner on app.invoices
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.invoices from sp404_app;
grant select, insert, update on app.invoices to sp404_app;
