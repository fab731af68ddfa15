create table app.exports (
    id          uuid        not null default gen_random_uuid(),
    user_id     uuid        not null,
    kind        text        not null,
    status      text        not null default 'queued',
    progress    real        not null default 0,
    options     jsonb       not null default '{}',
    blob_key    text,
    size_bytes  bigint,
    error       text,
    expires_at  timestamptz,
    created_at  timestamptz not null default now(),
    finished_at timestamptz,
    constraint exports_pkey primary key (id),
    constraint exports_user_id_id_key unique (user_id, id),
    constraint exports_status_check check (status in ('queued', 'running', 'ready', 'failed', 'expired')),
    constraint exports_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
create index exports_user_id_created_at_idx on app.exports (user_id, created_at desc);
