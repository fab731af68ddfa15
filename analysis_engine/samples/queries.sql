-- name: insert_sample --
-- A stored upload.
insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256, blob_key, genre,
                         tags, duration_s, sample_rate, channels, status, extra_metadata)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
returning id, created_at;

-- name: auto_analyze_enabled --
-- Whether new uploads are analysed without being asked.
select auto_analyze_enabled from app.user_preferences;

-- name: queue_stats --
-- Jobs ahead of a new one and recent throughput (SECURITY DEFINER, numbers only).
select ahead, done_recently from app.queue_stats($1, $2);

-- name: list_samples --
-- The caller's samples with filters (each NULL when unused) and a whitelisted sort.
select s.id, s.title, s.filename, s.format, s.size_bytes, s.duration_s, s.sample_rate, s.channels,
       s.genre, s.tags, s.bpm, s.musical_key, s.is_loop, s.status, s.created_at, s.updated_at,
       v.description as vibe, count(*) over () as total
from app.samples s
left join app.vibe_analyses v on v.user_id = s.user_id and v.sample_id = s.id
where ($1::text is null
       or s.title ilike '%' || $1 || '%' escape '\'
       or s.filename ilike '%' || $1 || '%' escape '\'
       or v.description ilike '%' || $1 || '%' escape '\'
       or exists (select 1 from unnest(s.tags) t where t ilike '%' || $1 || '%' escape '\'))
  and ($2::double precision is null or s.bpm >= $2)
  and ($3::double precision is null or s.bpm <= $3)
  and ($4::text is null or lower(s.musical_key) = lower($4))
  and ($5::text is null or lower(s.genre) = lower($5))
  and ($6::boolean is null or s.is_loop = $6)
  and ($7::text[] is null or s.tags @> $7)
  and ($8::boolean is null or ($8 = (s.status = 'ready')))
  and ($9::text is null or s.status = $9)
order by
  case when $10 = 'created_desc' then s.created_at end desc,
  case when $10 = 'created_asc' then s.created_at end asc,
  case when $10 = 'title' then lower(s.title) end asc,
  case when $10 = 'bpm' then s.bpm end asc nulls last,
  case when $10 = 'duration' then s.duration_s end asc nulls last,
  s.created_at desc, s.id
limit $11 offset $12;

-- name: fetch_sample --
-- One of the caller's samples.
select s.id, s.title, s.filename, s.format, s.size_bytes, s.sha256, s.blob_key, s.duration_s,
       s.sample_rate, s.channels, s.genre, s.tags, s.bpm, s.musical_key, s.is_loop, s.status,
       s.analysed_at, s.extra_metadata, s.created_at, s.updated_at
from app.samples s
where s.id = $1;

-- name: fetch_sample_analysis --
-- Features and vibe of one sample, when ready.
select f.features, f.tempo_confidence, f.key_confidence, f.engine_version,
       to_jsonb(v) - 'user_id' - 'sample_id' - 'search_document' as vibe
from app.samples s
left join app.audio_features f on f.user_id = s.user_id and f.sample_id = s.id
left join app.vibe_analyses v on v.user_id = s.user_id and v.sample_id = s.id
where s.id = $1;

-- name: latest_job_for_sample --
-- The newest job of a sample.
select id, status, progress, attempts, last_error, created_at, started_at, finished_at
from app.processing_jobs
where sample_id = $1
order by created_at desc
limit 1;

-- name: update_sample --
-- Edits the given fields (NULL keeps the value; $7/$8 clear bpm/key when true).
update app.samples
   set title = coalesce($2, title),
       genre = case when $9 then null else coalesce($3, genre) end,
       tags = coalesce($4, tags),
       bpm = case when $7 then null else coalesce($5, bpm) end,
       musical_key = case when $8 then null else coalesce($6, musical_key) end,
       -- A producer's BPM or key correction outlives later re-analyses.
       extra_metadata = extra_metadata
           || case when $5 is not null or $7 then '{"bpm_corrected": true}'::jsonb else '{}' end
           || case when $6 is not null or $8 then '{"key_corrected": true}'::jsonb else '{}' end,
       updated_at = now()
 where id = $1
returning id;

-- name: delete_sample --
-- Removes one sample (features, vibe, memberships and pads cascade).
delete from app.samples where id = $1 returning blob_key, size_bytes;

-- name: owned_sample_ids --
-- Which of the given ids are the caller's samples.
select id from app.samples where id = any($1::uuid[]);

-- name: mark_pending --
-- A sample waits for a new analysis.
update app.samples set status = 'pending', updated_at = now() where id = $1;
