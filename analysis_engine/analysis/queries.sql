-- name: sample_for_analysis --
-- What the worker needs of a sample (the caller's transaction is bound to its owner).
select s.id, s.blob_key, s.title, s.tags, s.status, s.extra_metadata,
       coalesce(p.selected_model, 'qwen/qwen3-7b-it') as model
from app.samples s
left join app.user_preferences p on p.user_id = s.user_id
where s.id = $1;

-- name: mark_processing --
-- The sample is being analysed.
update app.samples set status = 'processing', updated_at = now() where id = $1;

-- name: mark_deferred --
-- The sample waits with its deferred job for the next period (or an upgrade).
update app.samples set status = 'deferred', updated_at = now() where id = $1;

-- name: store_features --
-- Exactly one set of features per sample: a retried job overwrites, never duplicates.
insert into app.audio_features (user_id, sample_id, features, embedding, tempo_confidence,
                                key_confidence, engine_version, waveform)
values ($1, $2, $3, $4, $5, $6, $7, $8)
on conflict on constraint audio_features_pkey do update
   set features = excluded.features, embedding = excluded.embedding,
       tempo_confidence = excluded.tempo_confidence, key_confidence = excluded.key_confidence,
       engine_version = excluded.engine_version, waveform = excluded.waveform, created_at = now();

-- name: store_vibe --
-- The sample's description (one per sample).
insert into app.vibe_analyses (user_id, sample_id, model, description, moods, era, genre, energy,
                               descriptors, compatibility_tags, best_use, tokens_used, cost_usd)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
on conflict on constraint vibe_analyses_pkey do update
   set model = excluded.model, description = excluded.description, moods = excluded.moods,
       era = excluded.era, genre = excluded.genre, energy = excluded.energy,
       descriptors = excluded.descriptors, compatibility_tags = excluded.compatibility_tags,
       best_use = excluded.best_use, tokens_used = excluded.tokens_used,
       cost_usd = excluded.cost_usd, created_at = now();

-- name: record_model_usage --
-- Tokens and cost of a vibe request, with the user's other API usage.
insert into app.api_usage (user_id, endpoint, method, status_code, response_time_ms, tokens_used,
                           cost_usd)
values ($1, 'openrouter:chat/completions', 'POST', 200, $2, $3, $4);

-- name: mark_analysed --
-- The sample's measured facts; tempo, key and loop flag only where the producer has not
-- corrected them (sql/0047; "bpm_corrected"/"key_corrected" flag older corrections).
update app.samples
   set duration_s = $2, sample_rate = $3, channels = $4,
       is_loop = case when 'is_loop' = any(corrections) then is_loop else $5 end,
       bpm = case when 'bpm' = any(corrections) or extra_metadata ? 'bpm_corrected' then bpm
                  else $6 end,
       musical_key = case when 'musical_key' = any(corrections) or extra_metadata ? 'key_corrected'
                          then musical_key else $7 end,
       status = 'ready', analysed_at = now(), updated_at = now()
 where id = $1;

-- name: mark_failed --
-- The analysis gave up for good.
update app.samples set status = 'failed', updated_at = now() where id = $1;

-- name: samples_without_waveform --
-- Analysed samples whose peaks were never drawn, of one producer ($2) or of every producer ($2
-- null; read as the auditor), oldest analysis first.
select f.user_id, f.sample_id, s.blob_key
from app.audio_features f
join app.samples s on s.user_id = f.user_id and s.id = f.sample_id
where f.waveform is null and ($2::uuid is null or f.user_id = $2)
order by f.created_at, f.sample_id
limit $1;

-- name: store_waveform --
-- A backfilled sample's peaks, unless an analysis stored some meanwhile (true when written).
update app.audio_features set waveform = $2
 where sample_id = $1 and waveform is null
returning true;
