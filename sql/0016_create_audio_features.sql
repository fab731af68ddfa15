-- Exactly one set of features per sample: the primary key makes a second write an upsert, so a
-- job retried after a lost lease cannot leave two.
create table app.audio_features (
    user_id             uuid        not null,
    sample_id           uuid        not null,
    features            jsonb       not null,
    embedding           real[]      not null,
    tempo_confidence    real,
    key_confidence      real,
    engine_version      text        not null,
    created_at          timestamptz not null default now(),
    constraint audio_features_pkey primary key (user_id, sample_id),
    constraint audio_features_sample_fkey foreign key (user_id, sample_id)
        references app.samples (user_id, id) on delete cascade
);
