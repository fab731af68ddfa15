create table app.subscriptions (
    id                      uuid        not null default gen_random_uuid(),
    user_id                 uuid        not null,
    stripe_customer_id      text,
    stripe_subscription_id  text,
    stripe_price_id         text,
    tier                    text        not null default 'free',
    status                  text        not null default 'active',
    current_period_start    timestamptz,
    current_period_end      timestamptz,
    trial_ends_at           timestamptz,
    cancel_at_period_end    boolean     not null default false,
    cancelled_at            timestamptz,
    pending_tier            text,
    had_trial               boolean     not null default false,
    stripe_state_at         timestamptz,
    created_at              timestamptz not null default now(),
    updated_at              timestamptz not null default now(),
    constraint subscriptions_pkey primary key (id),
    constraint subscriptions_user_id_key unique (user_id),
    constraint subscriptions_stripe_subscription_id_key unique (stripe_subscription_id),
    constraint subscriptions_stripe_customer_id_key unique (stripe_customer_id),
    constraint subscriptions_tier_fkey foreign key (tier) references app.plans (id),
    constraint subscriptions_status_check check (status in
        ('incomplete', 'incomplete_expired', 'trialing', 'active', 'past_due', 'canceled', 'unpaid')),
    constraint subscriptions_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
