-- name: count_active_imports --
-- The caller's imports still waiting or running (one whose job died no longer counts).
select count(*)
from app.sample_imports i
left join app.processing_jobs j on j.id = i.job_id
where i.status in ('queued', 'running') and j.status in ('queued', 'running');

-- name: insert_import --
-- A received archive waiting for its job.
insert into app.sample_imports (id, user_id, job_id, archive_key, archive_filename, archive_bytes,
                                fields)
values ($1, $2, $3, $4, $5, $6, $7);

-- name: fetch_import --
-- One of the caller's imports with its job's progress.
select i.id, i.job_id, i.status, i.archive_key, i.archive_filename, i.archive_bytes, i.fields,
       i.entries_total, i.stored_count, i.skipped_count, i.failed_count, i.stored_bytes, i.reason,
       i.report, i.created_at, i.started_at, i.finished_at,
       j.status as job_status, j.progress, j.attempts, j.max_attempts, j.last_error
from app.sample_imports i
left join app.processing_jobs j on j.id = i.job_id
where i.id = $1;

-- name: list_imports --
-- The caller's recent imports, newest first (without the per-file reports).
select i.id, i.job_id, i.status, i.archive_filename, i.archive_bytes, i.entries_total,
       i.stored_count, i.skipped_count, i.failed_count, i.stored_bytes, i.reason, i.created_at,
       i.started_at, i.finished_at, j.status as job_status, j.progress,
       count(*) over () as total
from app.sample_imports i
left join app.processing_jobs j on j.id = i.job_id
order by i.created_at desc
limit $1 offset $2;

-- name: start_import --
-- Marks an import as running (a retried job finds it running already).
update app.sample_imports
   set status = 'running', started_at = coalesce(started_at, now())
 where id = $1 and status in ('queued', 'running')
returning id;

-- name: samples_of_import --
-- Samples an earlier attempt of this import already stored, so a retry never stores twice.
select id, size_bytes, (extra_metadata ->> 'import_entry')::integer as entry
from app.samples
where extra_metadata ->> 'import_id' = $1::text;

-- name: record_import_progress --
-- The running import's counters and per-file report.
update app.sample_imports
   set entries_total = $2, stored_count = $3, skipped_count = $4, failed_count = $5,
       stored_bytes = $6, report = $7
 where id = $1 and status = 'running';

-- name: finish_import --
-- The import's final state and report.
update app.sample_imports
   set status = $2, entries_total = $3, stored_count = $4, skipped_count = $5, failed_count = $6,
       stored_bytes = $7, report = $8, reason = $9, finished_at = now()
 where id = $1;

-- name: fetch_blob_key --
-- Where a sample's audio is stored.
select blob_key from app.samples where id = $1;

-- name: set_starting_values --
-- A migrated sample's BPM and key from the old app, as the producer's starting values.
update app.samples set bpm = $2, musical_key = $3, updated_at = now() where id = $1;

-- name: user_id_for_email --
-- Which account owns an e-mail address (SECURITY DEFINER; the id only).
select app.user_id_for_email($1);

-- name: user_exists --
-- Whether the transaction's user has an account.
select exists (select 1 from app.users where id = $1);

-- name: set_device_bpm --
-- A sample imported from an SP-404MK2 project: its pad's tempo as the producer's starting BPM.
update app.samples set bpm = $2, updated_at = now() where id = $1;
