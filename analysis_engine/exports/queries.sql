-- name: plan_priority --
-- The caller's queue priority (from their plan), so paid plans' exports start first.
select p.queue_priority from app.users u join app.plans p on p.id = u.tier;

-- name: insert_export --
-- A requested export, waiting for its job.
insert into app.exports (user_id, kind, options)
values ($1, $2, $3)
returning id;

-- name: fetch_export --
-- One of the caller's sampler exports; a ready one past its expiry reads as expired.
select id, kind, case when status = 'ready' and expires_at <= now() then 'expired' else status end
           as status,
       progress, options, blob_key, size_bytes, error, expires_at, created_at, finished_at
from app.exports
where id = $1 and kind in ('import_pack', 'samples', 'native_project');

-- name: list_exports --
-- A page of the caller's sampler exports, newest first.
select id, kind, case when status = 'ready' and expires_at <= now() then 'expired' else status end
           as status,
       progress, options, size_bytes, error, expires_at, created_at, finished_at,
       count(*) over () as total
from app.exports
where kind in ('import_pack', 'samples', 'native_project')
order by created_at desc, id
limit $1 offset $2;

-- name: delete_export --
-- Removes one of the caller's sampler exports; returns its blob to delete after the commit.
delete from app.exports
 where id = $1 and kind in ('import_pack', 'samples', 'native_project')
returning blob_key;

-- name: start_export --
-- Marks an export as being built (a retried job finds it running already).
update app.exports set status = 'running', error = null
 where id = $1 and status in ('queued', 'running')
returning id, kind, options;

-- name: record_progress --
-- The running export's progress (0..1).
update app.exports set progress = $2 where id = $1 and status = 'running';

-- name: finish_export --
-- A built export: stored, downloadable until it expires ($4 seconds from now).
update app.exports
   set status = 'ready', progress = 1, blob_key = $2, size_bytes = $3, error = null,
       expires_at = now() + make_interval(secs => $4), finished_at = now(),
       options = options || $5::jsonb
 where id = $1 and status = 'running'
returning expires_at;

-- name: fail_export --
-- An export that cannot be built, with the reason a producer reads.
update app.exports
   set status = 'failed', error = $2, finished_at = now(), options = options || $3::jsonb
 where id = $1 and status in ('queued', 'running');

-- name: lock_expired --
-- One of the caller's exports due to expire, locked while its blob is removed.
select id, blob_key
from app.exports
where id = $1 and status = 'ready' and expires_at <= now()
for update;

-- name: overdue_exports --
-- The caller's ready exports past their expiry (the sweep also runs before each new export).
select id from app.exports
where status = 'ready' and expires_at <= now() and kind in ('import_pack', 'samples', 'native_project')
limit 100;

-- name: mark_expired --
-- An expired export whose blob is gone.
update app.exports set status = 'expired', blob_key = null where id = $1;

-- name: fetch_kit --
-- The kit an export packs.
select id, name, bpm, musical_key from app.kits where id = $1;

-- name: count_kit_pads --
-- How many pads of a kit hold a sample.
select count(*) from app.kit_pads where kit_id = $1;

-- name: kit_sources --
-- Every assigned pad of a kit with the sample's stored audio, in grid order.
select p.bank, p.pad, p.volume, p.pitch, p.gate, p.loop, p.one_shot, p.mute_group,
       p.trim_start, p.trim_end, s.id, s.title, s.blob_key, s.bpm, s.musical_key, s.genre
from app.kit_pads p
join app.samples s on s.user_id = p.user_id and s.id = p.sample_id
where p.kit_id = $1
order by p.bank, p.pad;

-- name: sample_sources --
-- The caller's samples among the given ids with their stored audio.
select s.id, s.title, s.blob_key, s.bpm, s.musical_key, s.genre
from app.samples s
where s.id = any($1::uuid[]);

-- name: visible_samples --
-- Which of the given ids are the caller's samples.
select id from app.samples where id = any($1::uuid[]);
