create table app.samples (
    id              uuid        not null default gen_random_uuid(),
    user_id         uuid        not null,
    title           text        not null,
    filename        text        not null,
    format          text        not null,
    size_bytes      bigint      not null,
    sha256          text        not null,
    blob_key        text        not null,
    genre           text,
    tags            text[]      not null default '{}',
    duration_s      double precision,
    sample_rate     integer,
    channels        smallint,
    bpm             double precision,
    musical_key     text,
    is_loop         boolean,
    status          text        not null default 'pending',
    analysed_at     timestamptz,
    extra_metadata  jsonb       not null default '{}',
    created_at      timestamptz not null default now(),
    updated_at      timestamptz not null default now(),
    constraint samples_pkey primary key (id),
    constraint samples_user_id_id_key unique (user_id, id),
    constraint samples_status_check check (status in
        ('pending', 'processing', 'ready', 'failed', 'deferred', 'skipped')),
    constraint samples_format_check check (format in ('wav', 'aiff', 'flac', 'ogg', 'mp3')),
    constraint samples_title_length_check check (char_length(title) between 1 and 200),
    constraint samples_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
create index samples_user_id_created_at_idx on app.samples (user_id, created_at desc);
create index samples_user_id_bpm_idx on app.samples (user_id, bpm);
create index samples_user_id_tags_idx on app.samples using gin (tags);
