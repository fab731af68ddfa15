create table app.collection_samples (
    user_id         uuid        not null,
    collection_id   uuid        not null,
    sample_id       uuid        not null,
    position        integer     not null default 0,
    added_at        timestamptz not null default now(),
    constraint collection_samples_pkey primary key (user_id, collection_id, sample_id),
    constraint collection_samples_collection_fkey foreign key (user_id, collection_id)
        references app.collections (user_id, id) on delete cascade,
    constraint collection_samples_sample_fkey foreign key (user_id, sample_id)
        references app.samples (user_id, id) on delete cascade
);
create index collection_samples_user_id_sample_id_idx on app.collection_samples (user_id, sample_id);
