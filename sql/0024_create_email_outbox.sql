-- Written in the same transaction as the event that sends the mail, delivered later with retries.
create table app.email_outbox (
    id              uuid        not null default gen_random_uuid(),
    user_id         uuid        not null,
    kind            text        not null,
    to_address      text        not null,
    subject         text        not null,
    body_text       text        not null,
    status          text        not null default 'pending',
    attempts        integer     not null default 0,
    next_attempt_at timestamptz not null default now(),
    last_error      text,
    sent_at         timestamptz,
    created_at      timestamptz not null default now(),
    constraint email_outbox_pkey primary key (id),
    constraint email_outbox_status_check check (status in ('pending', 'sending', 'sent', 'failed')),
    constraint email_outbox_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
create index email_outbox_user_id_created_at_idx on app.email_outbox (user_id, created_at desc);
create index email_outbox_pending_idx on app.email_outbox (next_attempt_at) where status = 'pending';
