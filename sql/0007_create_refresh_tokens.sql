create table app.refresh_tokens (
    id          uuid        not null default gen_random_uuid(),
    user_id     uuid        not null,
    family_id   uuid        not null,
    token_hash  text        not null,
    expires_at  timestamptz not null,
    rotated_at  timestamptz,
    created_at  timestamptz not null default now(),
    constraint refresh_tokens_pkey primary key (id),
    constraint refresh_tokens_token_hash_key unique (token_hash),
    constraint refresh_tokens_family_fkey foreign key (user_id, family_id)
        references app.refresh_token_families (user_id, id) on delete cascade
);
create index refresh_tokens_user_id_family_id_idx on app.refresh_tokens (user_id, family_id);
