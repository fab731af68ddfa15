-- Personal access tokens: what a producer's scripts sign in with (sync a folder, tag in bulk, pull
-- kits into a DAW). Only a SHA-256 of the secret is kept: the tokens are 240 random bits, so a
-- slow password hash would buy nothing, and a lookup by hash must be one index probe per request.
-- A revoked token keeps its row (revoked_at) so the account page and audits can still name it.
create table app.personal_access_tokens (
    id            uuid        not null default gen_random_uuid(),
    user_id       uuid        not null,
    name          text        not null,
    prefix        text        not null,
    token_hash    text        not null,
    scopes        text[]      not null,
    created_at    timestamptz not null default now(),
    expires_at    timestamptz,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    constraint personal_access_tokens_pkey primary key (id),
    constraint personal_access_tokens_token_hash_key unique (token_hash),
    constraint personal_access_tokens_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade,
    constraint personal_access_tokens_name_length check (char_length(name) between 1 and 100),
    constraint personal_access_tokens_scopes_known check (
        cardinality(scopes) > 0
        and scopes <@ array['library:read', 'library:write', 'kits:write']::text[]
    )
);
create index personal_access_tokens_user_id_created_at_idx
    on app.personal_access_tokens (user_id, created_at desc);

-- The daily API-call quota counts personal-token requests only; the web app's session traffic
-- is still recorded (for the audit views and latency figures) but marked as such.
alter table app.api_usage add column via_token boolean not null default false;
create index api_usage_user_id_via_token_created_at_idx
    on app.api_usage (user_id, created_at) where via_token;
