-- When the subscription went past due (Stripe's clock), so a paid plan is kept for at most
-- SP404_BILLING_PAST_DUE_DAYS however the account's retry settings leave it; and the open dispute
-- (chargeback) that flags the account.
alter table app.subscriptions
    add column past_due_since timestamptz,
    add column disputed_at    timestamptz,
    add column dispute_id     text;
create index subscriptions_past_due_since_idx
    on app.subscriptions (past_due_since) where past_due_since is not null;
