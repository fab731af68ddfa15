-- plans: global, read-only product data. Everyone reads it; only the migration owner changes it.
alter table app.plans enable row level security;
alter table app.plans force row level security;

drop policy if exists plans_read on app.plans;
create policy plans_read on app.plans for select to sp404_app, sp404_definer using (true);

drop policy if exists plans_owner on app.plans;
create policy plans_owner on app.plans for all to sp404_owner using (true) with check (true);

revoke all on app.plans from sp404_app;
grant select on app.plans to sp404_app, sp404_definer;
