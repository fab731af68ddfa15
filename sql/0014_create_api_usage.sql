create table app.api_usage (
    id                  bigint      generated always as identity,
    user_id             uuid        not null,
    endpoint            text        not null,
    method              text        not null,
    status_code         integer,
    response_time_ms    integer,
    tokens_used         integer,
    cost_usd            numeric(10, 6),
    created_at          timestamptz not null default now(),
    constraint api_usage_pkey primary key (id),
    constraint api_usage_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
create index api_usage_user_id_created_at_idx on app.api_usage (user_id, created_at);
