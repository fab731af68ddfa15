-- name: similar_target --
-- The sample to find neighbours of, with its embedding when it has been analysed.
select s.id, s.title, s.filename, s.format, s.size_bytes, s.duration_s, s.sample_rate, s.channels,
       s.genre, s.tags, s.bpm, s.musical_key, s.is_loop, s.status, s.created_at, s.updated_at,
       f.embedding
from app.samples s
left join app.audio_features f on f.user_id = s.user_id and f.sample_id = s.id
where s.id = $1;

-- name: library_version --
-- The number every write to the caller's library moves (sql/0053); NULL (no row) means unknown.
select (select version from app.library_versions) as version;

-- name: library_versions --
-- Count and summed write times of the caller's feature and sample rows (index-only scans). The
-- analysis worker stamps audio_features.created_at on every (re)write and every edit or analysis
-- stamps samples.updated_at, so any change to an embedding, tempo, key or loop flag moves a sum.
-- Seconds as numeric, not intervals: a sum of intervals overflows the client's timedelta
-- (999,999,999 days) from about 48,700 rows (benchmarks/bench_scale.py found it).
select f.features_count, f.features_stamp, s.samples_count, s.samples_stamp
from (select count(*) as features_count,
             sum(extract(epoch from created_at)) as features_stamp
      from app.audio_features) f,
     (select count(*) as samples_count,
             sum(extract(epoch from updated_at)) as samples_stamp
      from app.samples) s;

-- name: library_embeddings --
-- Every embedding of the caller's library in Postgres's binary array format (numpy parses it
-- at once, where decoding 640,000 floats one Python object at a time would not). The `where`
-- names the producer as the policy does, in a form the planner can estimate: under the policy's
-- InitPlan alone it guessed ~30 rows and visited them in index order, one heap page per row
-- (~120 ms at 50,000 samples, against ~35 ms for a bitmap scan that reads each page once).
select f.sample_id, array_send(f.embedding) as embedding
from app.audio_features f
where f.user_id = app.current_user_id();

-- name: library_facts --
-- What the similarity filters look at, for every sample of the caller's.
select s.id, s.bpm, s.musical_key, s.is_loop
from app.samples s;

-- name: samples_by_id --
-- The caller's samples among the given ids, in the API's fields.
select s.id, s.title, s.filename, s.format, s.size_bytes, s.duration_s, s.sample_rate, s.channels,
       s.genre, s.tags, s.bpm, s.musical_key, s.is_loop, s.status, s.created_at, s.updated_at
from app.samples s
where s.id = any($1::uuid[]);

-- name: search_library --
-- A page of the caller's samples whose words (title, tags, genre and vibe, in one stored document:
-- sql/0038) match the web-style query $1, or'ed with the prefix query $2, and that pass the
-- filters ($3/$4 pairwise bpm ranges, $5 key spellings in lower case, $6 loop; each NULL when
-- unused); best first, with the number of matches. The matches come from app.matching_samples,
-- which a GIN index answers (under the runtime role's policy none could: `@@` is not leakproof);
-- only ids and ranks come back: the page's rows are read by the library list's own query
-- (samples.service.page_views), under the caller's policy.
with query as (
    select websearch_to_tsquery('english', $1)
               || coalesce(to_tsquery('simple', $2), ''::tsquery) as q
),
matches as (
    select m.id, m.created_at, m.rank
    from query
    cross join app.matching_samples(query.q) m
    where ($3::double precision[] is null
           or exists (select 1
                      from unnest($3::double precision[], $4::double precision[]) r(lo, hi)
                      where m.bpm between r.lo and r.hi))
      and ($5::text[] is null or lower(m.musical_key) = any($5))
      and ($6::boolean is null or m.is_loop = $6)
),
page as (
    select m.id, m.rank, m.created_at
    from matches m
    order by m.rank desc, m.created_at desc, m.id
    limit $7 offset $8
)
select t.total, p.rank, p.id
from (select count(*) as total from matches) t
left join page p on true
order by p.rank desc, p.created_at desc, p.id;
