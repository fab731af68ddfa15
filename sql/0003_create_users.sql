create table app.users (
    id                  uuid        not null,
    email               text        not null,
    email_normalized    text        not null,
    password_hash       text        not null,
    first_name          text,
    last_name           text,
    avatar_key          text,
    tier                text        not null default 'free',
    email_verified_at   timestamptz,
    tokens_valid_after  timestamptz not null default to_timestamp(0),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now(),
    constraint users_pkey primary key (id),
    constraint users_email_normalized_key unique (email_normalized),
    constraint users_tier_check check (tier in ('free', 'pro', 'enterprise')),
    constraint users_email_length_check check (char_length(email) <= 320),
    constraint users_names_length_check
        check (char_length(first_name) <= 100 and char_length(last_name) <= 100)
);
