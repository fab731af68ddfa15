create table app.vibe_analyses (
    user_id             uuid        not null,
    sample_id           uuid        not null,
    model               text        not null,
    description         text        not null,
    moods               text[]      not null default '{}',
    era                 text,
    genre               text,
    energy              real,
    descriptors         text[]      not null default '{}',
    compatibility_tags  text[]      not null default '{}',
    best_use            text,
    tokens_used         integer,
    cost_usd            numeric(10, 6),
    created_at          timestamptz not null default now(),
    constraint vibe_analyses_pkey primary key (user_id, sample_id),
    constraint vibe_analyses_sample_fkey foreign key (user_id, sample_id)
        references app.samples (user_id, id) on delete cascade
);
