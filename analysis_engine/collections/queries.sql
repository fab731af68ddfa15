-- name: collection_usage --
-- How many collections the caller has, and the plan's limit (NULL = unlimited).
select p.name as plan_name, p.collections as collection_limit,
       (select count(*) from app.collections) as used
from app.users u
join app.plans p on p.id = u.tier;

-- name: fetch_collection --
-- One of the caller's collections.
select id, parent_id, name, description, smart_rules, created_at, updated_at
from app.collections
where id = $1;

-- name: lock_collection --
-- One of the caller's collections, locked until commit (before changing it or its members).
select id, parent_id, name, description, smart_rules, created_at, updated_at
from app.collections
where id = $1
for update;

-- name: collection_path --
-- The chain from the top-level ancestor down to collection $1 itself (empty when not visible).
with recursive up as (
    select id, parent_id, name, 1 as distance
    from app.collections
    where id = $1
    union all
    select c.id, c.parent_id, c.name, up.distance + 1
    from app.collections c
    join up on c.id = up.parent_id
    where up.distance < 64
)
select id, name from up order by distance desc;

-- name: subtree_height --
-- Levels in the subtree rooted at collection $1 (1 when it has no children).
with recursive down as (
    select id, 1 as level
    from app.collections
    where id = $1
    union all
    select c.id, down.level + 1
    from app.collections c
    join down on c.parent_id = down.id
    where down.level < 64
)
select max(level) from down;

-- name: child_count --
-- How many collections sit directly under collection $1.
select count(*) from app.collections where parent_id = $1;

-- name: insert_collection --
-- A new collection of the caller.
insert into app.collections (user_id, parent_id, name, description, smart_rules)
values ($1, $2, $3, $4, $5)
returning id, parent_id, name, description, smart_rules, created_at, updated_at;

-- name: update_collection --
-- Replaces the editable fields of collection $1 with the values the service settled on.
update app.collections
   set name = $2, description = $3, parent_id = $4, smart_rules = $5, updated_at = now()
 where id = $1
returning id, parent_id, name, description, smart_rules, created_at, updated_at;

-- name: delete_collection --
-- Deletes collection $1; its sub-collections and memberships go by cascade, samples stay.
delete from app.collections where id = $1 returning id;

-- name: list_collections --
-- The caller's collections in tree order (parents before children, siblings by name), optionally
-- only the children of $1 or only the top level ($2), with counts; smart counts come separately.
with recursive tree as (
    select c.id, c.parent_id, c.name, c.description, c.smart_rules, c.created_at, c.updated_at,
           1 as depth, array[lower(c.name), c.id::text] as sort_path
    from app.collections c
    where c.parent_id is null
    union all
    select c.id, c.parent_id, c.name, c.description, c.smart_rules, c.created_at, c.updated_at,
           t.depth + 1, t.sort_path || array[lower(c.name), c.id::text]
    from app.collections c
    join tree t on c.parent_id = t.id
    where t.depth < 64
)
select t.id, t.parent_id, t.name, t.description, t.smart_rules, t.created_at, t.updated_at,
       t.depth,
       (select count(*) from app.collections k where k.parent_id = t.id) as child_count,
       case when t.smart_rules is null then
           (select count(*) from app.collection_samples cs where cs.collection_id = t.id)
       end as sample_count,
       count(*) over () as total
from tree t
where ($1::uuid is null or t.parent_id = $1)
  and (not $2::boolean or t.parent_id is null)
order by t.sort_path
limit $3 offset $4;

-- name: manual_members --
-- A page of the samples put into collection $1, in the order they were added.
select s.id, s.title, s.filename, s.format, s.duration_s, s.genre, s.tags, s.bpm, s.musical_key,
       s.is_loop, s.status, s.created_at, f.tempo_confidence, f.key_confidence, cs.added_at,
       count(*) over () as total
from app.collection_samples cs
join app.samples s on s.user_id = cs.user_id and s.id = cs.sample_id
left join app.audio_features f on f.user_id = s.user_id and f.sample_id = s.id
where cs.collection_id = $1
order by cs.position, cs.added_at, s.id
limit $2 offset $3;

-- name: smart_members --
-- A page of the caller's samples meeting every smart rule; each rule is NULL when unused.
-- $1 genres, $2/$3 lower/upper bounds of up to three tempo ranges (samples.filters: the range, and
-- at half and double time), $4 keys, $5 any of tags, $6 all of tags, $7/$8 least tempo/key
-- confidence, $9 loop, $10 text in title or tags (ILIKE-escaped); all lower-cased by the caller.
-- The halves and doubles are the caller's arithmetic, as in the library's list: PostgreSQL
-- refuses a double that halves to zero (5e-324 / 2) with an underflow error.
select s.id, s.title, s.filename, s.format, s.duration_s, s.genre, s.tags, s.bpm, s.musical_key,
       s.is_loop, s.status, s.created_at, f.tempo_confidence, f.key_confidence,
       null::timestamptz as added_at, count(*) over () as total
from app.samples s
left join app.audio_features f on f.user_id = s.user_id and f.sample_id = s.id
where ($1::text[] is null or lower(s.genre) = any($1))
  and ($2::double precision[] is null
       or s.bpm between ($2::double precision[])[1] and ($3::double precision[])[1]
       or s.bpm between ($2::double precision[])[2] and ($3::double precision[])[2]
       or s.bpm between ($2::double precision[])[3] and ($3::double precision[])[3])
  and ($4::text[] is null or lower(s.musical_key) = any($4))
  and ($5::text[] is null or s.tags && $5)
  and ($6::text[] is null or s.tags @> $6)
  and ($7::real is null or f.tempo_confidence >= $7)
  and ($8::real is null or f.key_confidence >= $8)
  and ($9::boolean is null or s.is_loop = $9)
  and ($10::text is null
       or s.title ilike '%' || $10 || '%' escape '\'
       or exists (select 1 from unnest(s.tags) t where t ilike '%' || $10 || '%' escape '\'))
order by s.created_at desc, s.id
limit $11 offset $12;

-- name: visible_samples --
-- Which of the given sample ids the caller owns.
select id from app.samples where id = any($1::uuid[]);

-- name: has_members --
-- Whether collection $1 holds any samples put there by hand.
select exists (select 1 from app.collection_samples where collection_id = $1);

-- name: add_members --
-- Appends samples ($3, in order) to collection $2; ones already there keep their place.
insert into app.collection_samples (user_id, collection_id, sample_id, position)
select $1, $2, n.sample_id,
       coalesce((select max(position) from app.collection_samples where collection_id = $2), 0)
       + n.ordinality::integer
from unnest($3::uuid[]) with ordinality as n(sample_id, ordinality)
on conflict on constraint collection_samples_pkey do nothing
returning sample_id;

-- name: remove_member --
-- Takes sample $2 out of collection $1 (the sample itself stays in the library).
delete from app.collection_samples where collection_id = $1 and sample_id = $2
returning sample_id;

-- name: sample_exists --
-- Whether the caller owns sample $1.
select exists (select 1 from app.samples where id = $1);
