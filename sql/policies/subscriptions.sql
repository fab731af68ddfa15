-- subscriptions: tenant rows, visible and writable only to their owner.
alter table app.subscriptions enable row level security;
alter table app.subscriptions force row level security;

drop policy if exists subscriptions_owner on app.subscriptions;
create policy subscriptions_owner on app.subscriptions
    for all to sp404_app
    using (user_id = (select app.current_user_id()))
    with check (user_id = (select app.current_user_id()));

revoke all on app.subscriptions from sp404_app;
grant select, insert, update, delete on app.subscriptions to sp404_app;

-- A Stripe webhook names a customer, not a user (app.user_for_stripe_customer).
drop policy if exists subscriptions_definer_select on app.subscriptions;
create policy subscriptions_definer_select on app.subscriptions for select to sp404_definer using (true);
grant select on app.subscriptions to sp404_definer;
