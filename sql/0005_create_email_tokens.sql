-- Single-use tokens sent by e-mail (verification, password reset). Only a sha256 of the token is
-- stored, so a database dump cannot be replayed as links.
create table app.email_tokens (
    id          uuid        not null default gen_random_uuid(),
    user_id     uuid        not null,
    purpose     text        not null,
    token_hash  text        not null,
    expires_at  timestamptz not null,
    used_at     timestamptz,
    created_at  timestamptz not null default now(),
    constraint email_tokens_pkey primary key (id),
    constraint email_tokens_token_hash_key unique (token_hash),
    constraint email_tokens_purpose_check check (purpose in ('verify', 'reset')),
    constraint email_tokens_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
create index email_tokens_user_id_purpose_idx on app.email_tokens (user_id, purpose, created_at desc);
