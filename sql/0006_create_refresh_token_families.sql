-- A family is one signed-in session: every rotation of its refresh token stays in the family, and
-- reuse of a rotated token revokes the whole family.
create table app.refresh_token_families (
    id              uuid        not null default gen_random_uuid(),
    user_id         uuid        not null,
    user_agent      text,
    ip              inet,
    created_at      timestamptz not null default now(),
    last_used_at    timestamptz not null default now(),
    revoked_at      timestamptz,
    revoked_reason  text,
    constraint refresh_token_families_pkey primary key (id),
    constraint refresh_token_families_user_id_id_key unique (user_id, id),
    constraint refresh_token_families_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
create index refresh_token_families_user_id_created_at_idx
    on app.refresh_token_families (user_id, created_at desc);
