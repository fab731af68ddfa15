-- Stripe pauses a subscription whose trial ends without a card when asked to
-- (trial_settings.end_behavior.missing_payment_method = pause); the mirror must accept it.
alter table app.subscriptions drop constraint subscriptions_status_check;
alter table app.subscriptions add constraint subscriptions_status_check check (status in
    ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid',
     'paused'));
