-- The job queue. Workers claim with FOR UPDATE SKIP LOCKED ordered by priority then age, and hold
-- a lease (lease_expires_at) they renew; an expired lease makes the job claimable again.
create table app.processing_jobs (
    id                  uuid        not null default gen_random_uuid(),
    user_id             uuid        not null,
    sample_id           uuid,
    kind                text        not null,
    status              text        not null default 'queued',
    priority            integer     not null default 1,
    attempts            integer     not null default 0,
    max_attempts        integer     not null default 5,
    run_after           timestamptz not null default now(),
    lease_expires_at    timestamptz,
    worker_id           text,
    progress            real        not null default 0,
    payload             jsonb       not null default '{}',
    last_error          text,
    created_at          timestamptz not null default now(),
    started_at          timestamptz,
    finished_at         timestamptz,
    constraint processing_jobs_pkey primary key (id),
    constraint processing_jobs_user_id_id_key unique (user_id, id),
    constraint processing_jobs_status_check check (status in
        ('queued', 'running', 'done', 'failed', 'dead', 'deferred', 'cancelled')),
    constraint processing_jobs_kind_check check (kind in
        ('analyze', 'export', 'account_export', 'batch_import')),
    constraint processing_jobs_sample_fkey foreign key (user_id, sample_id)
        references app.samples (user_id, id) on delete cascade,
    constraint processing_jobs_user_id_fkey foreign key (user_id)
        references app.users (id) on delete cascade
);
create index processing_jobs_user_id_created_at_idx on app.processing_jobs (user_id, created_at desc);
create index processing_jobs_claim_idx on app.processing_jobs (priority desc, created_at)
    where status = 'queued';
create index processing_jobs_lease_idx on app.processing_jobs (lease_expires_at)
    where status = 'running';
