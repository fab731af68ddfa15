-- Not a tenant table: one row per Stripe event id, so a redelivered event has no second effect.
-- The runtime role reaches it only through app.record_stripe_event().
create table app.stripe_events (
    id              text        not null,
    type            text        not null,
    stripe_created  timestamptz not null,
    received_at     timestamptz not null default now(),
    constraint stripe_events_pkey primary key (id)
);
