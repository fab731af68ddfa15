create table app.invoices (
    id                  uuid        not null default gen_random_uuid(),
    user_id             uuid        not null,
    stripe_invoice_id   text        not null,
    number              text,
    amount_due          integer     not null default 0,
    amount_paid         integer     not null default 0,
    currency            text        not null default 'usd',
    status              text        not null,
    period_start        timestamptz,
    period_end          timestamptz,
    hosted_invoice_url  text,
    invoice_pdf         text,
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    constraint invoices_pkey primary key (id),
    constraint invoices_stripe_invoice_id_key unique (stripe_invoice_id),
    constraint invoices_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
create index invoices_user_id_created_at_idx on app.invoices (user_id, created_at desc);
