-- name: insert_sample --
-- A stored upload.
insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256, blob_key, genre,
                         tags, duration_s, sample_rate, channels, status, extra_metadata)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
returning id, created_at;

-- name: lock_sample_hash --
-- Serialises the duplicate check of one producer's file ($1: user id and sha256) until commit.
select pg_advisory_xact_lock(hashtextextended($1, 0));

-- name: sample_with_sha256 --
-- The caller's sample holding exactly this audio, if any (the oldest).
select id from app.samples where sha256 = $1 order by created_at, id limit 1;

-- name: auto_analyze_enabled --
-- Whether new uploads are analysed without being asked.
select auto_analyze_enabled from app.user_preferences;

-- name: queue_stats --
-- Jobs ahead of a new one and recent throughput (SECURITY DEFINER, numbers only).
select ahead, done_recently from app.queue_stats($1, $2);

-- name: list_sample_ids_newest --
-- One page of the ids of the caller's samples that pass the filters, newest first (the default
-- sort). Each filter is NULL when unused; $2/$3 hold the low and high ends of up to three tempo
-- ranges (the range and its half and double time), spelt out so that the tempo index can serve
-- them; $4 key spellings in lower case, compared with musical_key_lower (sql/0054), which an
-- index can answer. The first condition repeats what the policy enforces, for the planner (see
-- list_samples_page). Only ids: the ordered walk of samples_user_id_created_at_id_idx (or of the
-- loop index) stops after the page, and the page's rows come from list_samples_page.
select s.id
from app.samples s
where s.user_id = app.current_user_id()
  and ($1::text is null
       or s.title ilike '%' || $1 || '%' escape '\'
       or s.filename ilike '%' || $1 || '%' escape '\'
       or exists (select 1 from app.vibe_analyses v
                  where v.user_id = s.user_id and v.sample_id = s.id
                    and v.description ilike '%' || $1 || '%' escape '\')
       or exists (select 1 from unnest(s.tags) t where t ilike '%' || $1 || '%' escape '\'))
  and ($2::double precision[] is null
       or s.bpm between ($2::double precision[])[1]
                     and ($3::double precision[])[1]
       or s.bpm between ($2::double precision[])[2]
                     and ($3::double precision[])[2]
       or s.bpm between ($2::double precision[])[3]
                     and ($3::double precision[])[3])
  and ($4::text[] is null or s.musical_key_lower = any($4))
  and ($5::text is null or lower(s.genre) = lower($5))
  and ($6::boolean is null or s.is_loop = $6)
  and ($7::text[] is null or s.tags @> $7)
  and ($8::boolean is null or ($8 = (s.status = 'ready')))
  and ($9::text is null or s.status = $9)
order by s.created_at desc, s.id
limit $10 offset $11;

-- name: list_sample_ids --
-- The same page of ids in any whitelisted sort ($10); sorts only ids and their sort keys.
select s.id
from app.samples s
where s.user_id = app.current_user_id()
  and ($1::text is null
       or s.title ilike '%' || $1 || '%' escape '\'
       or s.filename ilike '%' || $1 || '%' escape '\'
       or exists (select 1 from app.vibe_analyses v
                  where v.user_id = s.user_id and v.sample_id = s.id
                    and v.description ilike '%' || $1 || '%' escape '\')
       or exists (select 1 from unnest(s.tags) t where t ilike '%' || $1 || '%' escape '\'))
  and ($2::double precision[] is null
       or s.bpm between ($2::double precision[])[1]
                     and ($3::double precision[])[1]
       or s.bpm between ($2::double precision[])[2]
                     and ($3::double precision[])[2]
       or s.bpm between ($2::double precision[])[3]
                     and ($3::double precision[])[3])
  and ($4::text[] is null or s.musical_key_lower = any($4))
  and ($5::text is null or lower(s.genre) = lower($5))
  and ($6::boolean is null or s.is_loop = $6)
  and ($7::text[] is null or s.tags @> $7)
  and ($8::boolean is null or ($8 = (s.status = 'ready')))
  and ($9::text is null or s.status = $9)
order by
  case when $10 = 'created_asc' then s.created_at end asc,
  case when $10 = 'title' then lower(s.title) end asc,
  case when $10 = 'bpm' then s.bpm end asc nulls last,
  case when $10 = 'duration' then s.duration_s end asc nulls last,
  s.created_at desc, s.id
limit $11 offset $12;

-- name: count_samples --
-- How many of the caller's samples pass the same filters (what the library shows as its total).
select count(*)
from app.samples s
where s.user_id = app.current_user_id()
  and ($1::text is null
       or s.title ilike '%' || $1 || '%' escape '\'
       or s.filename ilike '%' || $1 || '%' escape '\'
       or exists (select 1 from app.vibe_analyses v
                  where v.user_id = s.user_id and v.sample_id = s.id
                    and v.description ilike '%' || $1 || '%' escape '\')
       or exists (select 1 from unnest(s.tags) t where t ilike '%' || $1 || '%' escape '\'))
  and ($2::double precision[] is null
       or s.bpm between ($2::double precision[])[1]
                     and ($3::double precision[])[1]
       or s.bpm between ($2::double precision[])[2]
                     and ($3::double precision[])[2]
       or s.bpm between ($2::double precision[])[3]
                     and ($3::double precision[])[3])
  and ($4::text[] is null or s.musical_key_lower = any($4))
  and ($5::text is null or lower(s.genre) = lower($5))
  and ($6::boolean is null or s.is_loop = $6)
  and ($7::text[] is null or s.tags @> $7)
  and ($8::boolean is null or ($8 = (s.status = 'ready')))
  and ($9::text is null or s.status = $9);

-- name: library_samples_count --
-- How many samples the caller has, as the samples trigger keeps it (sql/0053); NULL without a row.
select (select samples_count from app.library_versions) as samples_count;

-- name: list_samples_page --
-- The list's fields of the given samples ($1, in the page's order), with analysis and vibe.
-- The `where` repeats what the policy already enforces, for the planner: the policy compares
-- user_id with an InitPlan's value, which it cannot see, so it guessed ~30 rows for any producer
-- and hash-joined the page against every index entry of the producer (8-20 ms at 50,000
-- samples); with the producer named by an expression it can estimate, it looks up the page's
-- rows one by one (under 1 ms).
select s.id, s.title, s.filename, s.format, s.size_bytes, s.duration_s, s.sample_rate, s.channels,
       s.genre, s.tags, s.bpm, s.musical_key, s.is_loop, s.status, s.created_at, s.updated_at,
       s.corrections || case when s.extra_metadata ? 'bpm_corrected' then array['bpm'] else '{}' end
           || case when s.extra_metadata ? 'key_corrected' then array['musical_key'] else '{}' end
           as corrected,
       f.sample_id is not null as analysed, d.tempo_bpm as detected_bpm,
       d.key || ' ' || d.mode as detected_key, d.is_loop as detected_loop, f.tempo_confidence,
       f.key_confidence, v.description as vibe, f.waveform
from unnest($1::uuid[]) with ordinality as page(id, n)
join app.samples s on s.id = page.id
left join app.vibe_analyses v on v.user_id = s.user_id and v.sample_id = s.id
left join app.audio_features f on f.user_id = s.user_id and f.sample_id = s.id
-- One decompression of each (~2 KB, compressed) features document instead of one per field.
left join lateral jsonb_to_record(f.features)
    as d(tempo_bpm double precision, key text, mode text, is_loop boolean) on true
where s.user_id = app.current_user_id()
order by page.n;

-- name: fetch_sample --
-- One of the caller's samples.
select s.id, s.title, s.filename, s.format, s.size_bytes, s.sha256, s.blob_key, s.duration_s,
       s.sample_rate, s.channels, s.genre, s.tags, s.bpm, s.musical_key, s.is_loop, s.status,
       s.analysed_at, s.extra_metadata, s.created_at, s.updated_at,
       s.corrections || case when s.extra_metadata ? 'bpm_corrected' then array['bpm'] else '{}' end
           || case when s.extra_metadata ? 'key_corrected' then array['musical_key'] else '{}' end
           as corrected,
       f.sample_id is not null as analysed, (f.features ->> 'tempo_bpm')::double precision
           as detected_bpm, (f.features ->> 'key') || ' ' || (f.features ->> 'mode') as detected_key,
       (f.features ->> 'is_loop')::boolean as detected_loop, f.tempo_confidence, f.key_confidence
from app.samples s
left join app.audio_features f on f.user_id = s.user_id and f.sample_id = s.id
where s.id = $1;

-- name: fetch_sample_analysis --
-- Features and vibe of one sample, when ready.
select f.features, f.tempo_confidence, f.key_confidence, f.engine_version, f.waveform,
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
-- Edits the given fields (NULL keeps title, genre and tags; $5 clears genre). The fields in $6
-- take the producer's value ($7 bpm, $8 key, $9 loop; a NULL bpm or key means "none") and are
-- recorded as corrections; the fields in $10 drop their correction and take the analysis' value
-- again (as the worker stores it). Samples corrected before `corrections` carry legacy flags.
with detected as (
    select round((f.features ->> 'tempo_bpm')::numeric, 2)::double precision as bpm,
           (f.features ->> 'key') || ' ' || (f.features ->> 'mode') as musical_key,
           (f.features ->> 'is_loop')::boolean as is_loop
    from app.audio_features f
    where f.sample_id = $1
)
update app.samples s
   set title = coalesce($2, s.title),
       genre = case when $5 then null else coalesce($3, s.genre) end,
       tags = coalesce($4, s.tags),
       bpm = case when 'bpm' = any($6) then $7
                  when 'bpm' = any($10) then (select bpm from detected)
                  else s.bpm end,
       musical_key = case when 'musical_key' = any($6) then $8
                          when 'musical_key' = any($10) then (select musical_key from detected)
                          else s.musical_key end,
       is_loop = case when 'is_loop' = any($6) then $9
                      when 'is_loop' = any($10) then (select is_loop from detected)
                      else s.is_loop end,
       corrections = array(select field
                           from unnest(array['bpm', 'musical_key', 'is_loop']) as field
                           where (field = any(s.corrections) or field = any($6))
                             and not field = any($10)),
       corrected_at = case when cardinality($6) > 0 then now() else s.corrected_at end,
       extra_metadata = s.extra_metadata
           - array_remove(array[case when 'bpm' = any($10) then 'bpm_corrected' end,
                                case when 'musical_key' = any($10) then 'key_corrected' end],
                          null),
       updated_at = now()
 where s.id = $1
returning s.id;

-- name: delete_sample --
-- Removes one sample (features, vibe, memberships and pads cascade).
delete from app.samples where id = $1 returning blob_key, size_bytes;

-- name: owned_sample_ids --
-- Which of the given ids are the caller's samples.
select id from app.samples where id = any($1::uuid[]);

-- name: mark_pending --
-- A sample waits for a new analysis.
update app.samples set status = 'pending', updated_at = now() where id = $1;
