-- Batch (ZIP) imports: the uploaded archive waiting in the blob store, then the import's
-- progress counters and its per-file report. The job that runs it is a `batch_import` row of
-- processing_jobs; job_id has no foreign key so pruning old jobs never loses an import's report.
create table app.sample_imports (
    id                  uuid        not null default gen_random_uuid(),
    user_id             uuid        not null,
    job_id              uuid,
    archive_key         text        not null,
    archive_filename    text        not null,
    archive_bytes       bigint      not null,
    fields              jsonb       not null default '{}',
    status              text        not null default 'queued',
    entries_total       integer     not null default 0,
    stored_count        integer     not null default 0,
    skipped_count       integer     not null default 0,
    failed_count        integer     not null default 0,
    stored_bytes        bigint      not null default 0,
    reason              text,
    report              jsonb       not null default '[]',
    created_at          timestamptz not null default now(),
    started_at          timestamptz,
    finished_at         timestamptz,
    constraint sample_imports_pkey primary key (id),
    constraint sample_imports_user_id_id_key unique (user_id, id),
    constraint sample_imports_status_check check (status in
        ('queued', 'running', 'done', 'stopped', 'refused', 'failed')),
    constraint sample_imports_counts_check check (entries_total >= 0 and stored_count >= 0
        and skipped_count >= 0 and failed_count >= 0 and stored_bytes >= 0),
    constraint sample_imports_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
create index sample_imports_user_id_created_at_idx on app.sample_imports (user_id, created_at desc);
