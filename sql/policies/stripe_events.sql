-- stripe_events: not tenant data and not readable by the services at all; webhooks record an
-- event id exactly once through app.record_stripe_event().
alter table app.stripe_events enable row level security;
alter table app.stripe_events force row level security;

revoke all on app.stripe_events from sp404_app;

drop policy if exists stripe_events_definer_select on app.stripe_events;
create policy stripe_events_definer_select on app.stripe_events
    for select to sp404_definer using (true);
drop policy if exists stripe_events_definer_insert on app.stripe_events;
create policy stripe_events_definer_insert on app.stripe_events
    for insert to sp404_definer with check (true);
grant select, insert on app.stripe_events to sp404_definer;
