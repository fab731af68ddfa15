-- Stripe webhooks name a customer; this maps it to our user.
create or replace function app.user_for_stripe_customer(p_customer_id text)
returns uuid
language sql stable security definer set search_path = pg_catalog, app
as $$
    select s.user_id from app.subscriptions s where s.stripe_customer_id = p_customer_id
$$;

alter function app.user_for_stripe_customer(text) owner to sp404_definer;
revoke all on function app.user_for_stripe_customer(text) from public;
grant execute on function app.user_for_stripe_customer(text) to sp404_app;
