-- One row per user: storage in use and reserved, and this quota period's counters. Reservations
-- and analyses are counted by conditional UPDATEs on this row, so the row lock serialises
-- concurrent uploads of one user and a quota can never be overshot.
create table app.usage_counters (
    user_id                 uuid        not null,
    storage_bytes           bigint      not null default 0,
    reserved_bytes          bigint      not null default 0,
    active_uploads          integer     not null default 0,
    period_start            timestamptz not null default now(),
    analyses_used           integer     not null default 0,
    exports_count           integer     not null default 0,
    warnings_sent           text[]      not null default '{}',
    updated_at              timestamptz not null default now(),
    constraint usage_counters_pkey primary key (user_id),
    constraint usage_counters_non_negative_check check (
        storage_bytes >= 0 and reserved_bytes >= 0 and active_uploads >= 0 and analyses_used >= 0),
    constraint usage_counters_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
