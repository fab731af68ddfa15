-- name: insert_kit --
-- A new kit of the caller's.
insert into app.kits (user_id, name, bpm, musical_key, description)
values ($1, $2, $3, $4, $5)
returning id, name, bpm, musical_key, description, created_at, updated_at;

-- name: list_kits --
-- A page of the caller's kits, most recently changed first, with how many pads each uses.
select k.id, k.name, k.bpm, k.musical_key, k.description, k.created_at, k.updated_at,
       (select count(*) from app.kit_pads p where p.user_id = k.user_id and p.kit_id = k.id)
           as pad_count,
       count(*) over () as total
from app.kits k
order by k.updated_at desc, k.id
limit $1 offset $2;

-- name: fetch_kit --
-- One of the caller's kits.
select id, name, bpm, musical_key, description, created_at, updated_at
from app.kits
where id = $1;

-- name: lock_kit --
-- One of the caller's kits, locked until commit so pad changes of one kit go one at a time.
select id, name, bpm, musical_key, description, created_at, updated_at
from app.kits
where id = $1
for update;

-- name: update_kit --
-- Writes a kit's editable fields (the service merges the changes first).
update app.kits
   set name = $2, bpm = $3, musical_key = $4, description = $5, updated_at = now()
 where id = $1
returning id, name, bpm, musical_key, description, created_at, updated_at;

-- name: touch_kit --
-- Marks a kit as changed after a pad edit.
update app.kits set updated_at = now() where id = $1;

-- name: delete_kit --
-- Deletes a kit; its pads cascade, the samples stay in the library.
delete from app.kits where id = $1 returning id;

-- name: kit_pads --
-- Every assigned pad of a kit with its sample, in grid order (A1 .. J16).
select p.bank, p.pad, p.sample_id, p.volume, p.pitch, p.gate, p.loop, p.one_shot, p.mute_group,
       p.trim_start, p.trim_end, s.title, s.bpm, s.musical_key, s.duration_s, s.sample_rate,
       round(s.duration_s * s.sample_rate)::bigint as frames, s.is_loop, s.status
from app.kit_pads p
join app.samples s on s.user_id = p.user_id and s.id = p.sample_id
where p.kit_id = $1
order by p.bank, p.pad;

-- name: fetch_pad --
-- One assigned pad of a kit.
select bank, pad, sample_id, volume, pitch, gate, loop, one_shot, mute_group, trim_start, trim_end
from app.kit_pads
where kit_id = $1 and bank = $2 and pad = $3;

-- name: upsert_pad --
-- Puts a sample on a pad with its settings, replacing whatever was there.
insert into app.kit_pads (user_id, kit_id, bank, pad, sample_id, volume, pitch, gate, loop,
                          one_shot, mute_group, trim_start, trim_end)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
on conflict on constraint kit_pads_pkey do update
   set sample_id = excluded.sample_id, volume = excluded.volume, pitch = excluded.pitch,
       gate = excluded.gate, loop = excluded.loop, one_shot = excluded.one_shot,
       mute_group = excluded.mute_group, trim_start = excluded.trim_start,
       trim_end = excluded.trim_end, updated_at = now();

-- name: move_pad --
-- Moves a pad's sample and settings to an empty pad.
update app.kit_pads
   set bank = $4, pad = $5, updated_at = now()
 where kit_id = $1 and bank = $2 and pad = $3;

-- name: swap_pads --
-- Exchanges the samples and settings of two assigned pads. The keys stay put (a non-deferrable
-- primary key would refuse two rows trading places in one statement); the contents move.
update app.kit_pads p
   set sample_id = o.sample_id, volume = o.volume, pitch = o.pitch, gate = o.gate,
       loop = o.loop, one_shot = o.one_shot, mute_group = o.mute_group,
       trim_start = o.trim_start, trim_end = o.trim_end, updated_at = now()
  from app.kit_pads o
 where p.kit_id = $1 and o.kit_id = $1
   and ((p.bank = $2 and p.pad = $3 and o.bank = $4 and o.pad = $5)
        or (p.bank = $4 and p.pad = $5 and o.bank = $2 and o.pad = $3));

-- name: delete_pad --
-- Clears one pad.
delete from app.kit_pads where kit_id = $1 and bank = $2 and pad = $3 returning pad;

-- name: clear_pads --
-- Clears the listed pads ($2 banks and $3 pads, pairwise).
delete from app.kit_pads p
 using unnest($2::text[], $3::smallint[]) as wanted(bank, pad)
 where p.kit_id = $1 and p.bank = wanted.bank and p.pad = wanted.pad
returning p.pad;

-- name: clear_bank --
-- Clears every pad of one bank.
delete from app.kit_pads where kit_id = $1 and bank = $2 returning pad;

-- name: clear_kit --
-- Clears every pad of a kit.
delete from app.kit_pads where kit_id = $1 returning pad;

-- name: visible_samples --
-- Which of the given ids are the caller's samples.
select id from app.samples where id = any($1::uuid[]);

-- name: sample_frames --
-- A sample's length in its own frames (null when unknown), what a pad's trim is checked against.
select round(duration_s * sample_rate)::bigint from app.samples where id = $1;

-- name: candidates --
-- The caller's samples among the ids $1 (the picks and shortlists the role index chose, a
-- collection's members, a seed), with the analysis figures the pad roles look at, newest first.
select s.id, s.title, s.filename, s.format, s.size_bytes, s.duration_s, s.sample_rate, s.channels,
       s.genre, s.tags, s.bpm, s.musical_key, s.is_loop, s.status, s.created_at, s.updated_at,
       (f.features ->> 'spectral_centroid_hz')::double precision as centroid_hz,
       (f.features ->> 'harmonic_percussive_ratio')::double precision as harmonic_share,
       (f.features ->> 'duration_s')::double precision as analysed_duration_s,
       (f.features ->> 'is_loop')::boolean as analysed_loop,
       v.descriptors, v.best_use, v.moods, v.compatibility_tags, v.genre as vibe_genre,
       v.description as vibe_description
from app.samples s
left join app.audio_features f on f.user_id = s.user_id and f.sample_id = s.id
left join app.vibe_analyses v on v.user_id = s.user_id and v.sample_id = s.id
where s.id = any($1::uuid[])
order by s.created_at desc, s.id;

-- name: library_version --
-- The number every write to the caller's library moves (sql/0053); NULL (no row) means unknown.
select (select version from app.library_versions) as version;

-- name: candidate_versions --
-- Count and summed write times (microseconds, exact) of the caller's samples and feature rows
-- (index-only scans): any edit, analysis or vibe moves a sum, so the role index is refreshed then.
select f.features_count, f.features_stamp, s.samples_count, s.samples_stamp
from (select count(*) as features_count,
             coalesce(sum((extract(epoch from created_at) * 1000000)::bigint), 0) as features_stamp
      from app.audio_features) f,
     (select count(*) as samples_count,
             coalesce(sum((extract(epoch from updated_at) * 1000000)::bigint), 0) as samples_stamp
      from app.samples) s;

-- name: candidate_facts --
-- Every sample of the caller (or, with $1, those written or analysed since then) with only what
-- the pad roles, tempo and key rules read, and its write times in microseconds. Each features
-- document (~2 KB, compressed) is decompressed once (jsonb_to_record), not once per field; the
-- `where` names the producer as the policy does, in a form the planner can estimate (the
-- policy's InitPlan made it guess ~30 rows, and size its hashes and pick its scans for that).
select s.id, s.title, s.filename, s.tags, s.bpm, s.musical_key, s.is_loop, s.duration_s,
       d.spectral_centroid_hz as centroid_hz, d.harmonic_percussive_ratio as harmonic_share,
       d.duration_s as analysed_duration_s, d.is_loop as analysed_loop,
       v.descriptors, v.best_use,
       (extract(epoch from s.created_at) * 1000000)::bigint as created_us,
       (extract(epoch from s.updated_at) * 1000000)::bigint as updated_us,
       (extract(epoch from f.created_at) * 1000000)::bigint as features_us
from app.samples s
left join app.audio_features f on f.user_id = s.user_id and f.sample_id = s.id
left join lateral jsonb_to_record(f.features)
    as d(spectral_centroid_hz double precision, harmonic_percussive_ratio double precision,
         duration_s double precision, is_loop boolean) on true
left join app.vibe_analyses v on v.user_id = s.user_id and v.sample_id = s.id
where s.user_id = app.current_user_id()
  and ($1::timestamptz is null
       or s.id in (select c.id from app.samples c where c.updated_at >= $1
                   union all
                   select a.sample_id from app.audio_features a where a.created_at >= $1));

-- name: candidate_ids --
-- The ids of the caller's samples (to drop deleted ones from the role index).
select id from app.samples;

-- name: kit_sample_ids --
-- The samples already on a kit's pads.
select distinct sample_id from app.kit_pads where kit_id = $1;

-- name: sentence_matches --
-- The caller's samples that the library's text search finds for some of a sentence's words ($1
-- each word's web-style query, $2 its prefix query or NULL, pairwise, as search_library takes
-- them), with which words (1-based), and the words `prompt.words_in` confirms them by: title,
-- file name, genre, tags and the vibe's genre, description, descriptors, moods and
-- compatibility tags (not its best use), joined by spaces (which no word spans), one string
-- per row since a pool can hold most of a library. The matches come from app.matching_samples,
-- answered by the per-producer word index (sql/0055) over the whole library; their rows are
-- read by id under the caller's policy.
with matched as (
    select m.id, array_agg(w.n order by w.n) as words
    from unnest($1::text[], $2::text[]) with ordinality as w(text, prefix_all, n)
    cross join lateral app.matching_samples(
        websearch_to_tsquery('english', w.text)
        || coalesce(to_tsquery('simple', w.prefix_all), ''::tsquery)) m
    group by m.id
)
select s.id, matched.words,
       concat_ws(' ', s.title, s.filename, s.genre, v.genre, v.description,
                 array_to_string(s.tags, ' '), array_to_string(v.descriptors, ' '),
                 array_to_string(v.moods, ' '), array_to_string(v.compatibility_tags, ' '))
           as texts
from matched
join app.samples s on s.id = matched.id
left join app.vibe_analyses v on v.user_id = s.user_id and v.sample_id = s.id;
