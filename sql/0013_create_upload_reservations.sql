create table app.upload_reservations (
    id          uuid        not null default gen_random_uuid(),
    user_id     uuid        not null,
    bytes       bigint      not null,
    created_at  timestamptz not null default now(),
    expires_at  timestamptz not null,
    constraint upload_reservations_pkey primary key (id),
    constraint upload_reservations_bytes_check check (bytes >= 0),
    constraint upload_reservations_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
create index upload_reservations_user_id_expires_at_idx
    on app.upload_reservations (user_id, expires_at);
