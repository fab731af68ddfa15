-- name: release_expired_reservations --
-- Frees the caller's reservations whose upload died without settling (the lazy sweeper). Only
-- streamed uploads hold an upload slot; a direct upload (blob_key set) holds bytes alone.
with expired as (
    delete from app.upload_reservations where expires_at < now() returning bytes, blob_key
)
update app.usage_counters
   set reserved_bytes = reserved_bytes - (select coalesce(sum(bytes), 0) from expired),
       active_uploads = greatest(
           0, active_uploads - (select count(*) from expired where blob_key is null)::integer),
       updated_at = now()
 where exists (select 1 from expired);

-- name: lock_usage --
-- The caller's counters and plan limits, with the counter row locked until commit: concurrent
-- uploads of one user queue here, so what they reserve together can never pass the limit.
select c.storage_bytes, c.reserved_bytes, c.active_uploads, p.id as plan, p.name as plan_name,
       p.storage_bytes as storage_limit, p.concurrent_uploads, p.queue_priority
from app.usage_counters c
join app.users u on u.id = c.user_id
join app.plans p on p.id = u.tier
for update of c;

-- name: add_reservation --
-- Holds bytes and, for a streamed upload, one upload slot ($2 is 1 or 0), after lock_usage
-- decided they are free.
update app.usage_counters
   set reserved_bytes = reserved_bytes + $1, active_uploads = active_uploads + $2,
       updated_at = now();

-- name: insert_reservation --
-- Records a reservation so a dead upload's bytes come back when it expires.
-- A direct upload also records where the browser puts the file and what it is called.
-- The id comes from the caller: a direct upload's staging key is named after it.
insert into app.upload_reservations (id, user_id, bytes, expires_at, blob_key, filename, fields)
values ($1, $2, $3, now() + make_interval(secs => $4), $5, $6, $7)
returning id;

-- name: settle_reservation --
-- Turns a reservation into used storage ($2 bytes; 0 on failure) and frees its upload slot (only
-- streamed uploads hold one).
with r as (
    delete from app.upload_reservations where id = $1 returning bytes, blob_key
)
update app.usage_counters
   set reserved_bytes = greatest(0, reserved_bytes - (select bytes from r)),
       active_uploads = greatest(
           0, active_uploads - (select case when blob_key is null then 1 else 0 end from r)),
       storage_bytes = storage_bytes + $2,
       updated_at = now()
 where exists (select 1 from r)
returning storage_bytes;

-- name: release_storage --
-- Gives back the storage of a deleted sample.
update app.usage_counters
   set storage_bytes = greatest(0, storage_bytes - $1), updated_at = now()
returning storage_bytes;

-- name: storage_usage --
-- The caller's storage figures and plan limits.
select c.storage_bytes, c.reserved_bytes, c.active_uploads, p.id as plan, p.name as plan_name,
       p.storage_bytes as storage_limit, p.concurrent_uploads, p.queue_priority
from app.usage_counters c
join app.users u on u.id = c.user_id
join app.plans p on p.id = u.tier;

-- name: fetch_direct_upload --
-- A pending direct upload of the caller.
select id, bytes, blob_key, filename, fields, expires_at
from app.upload_reservations
where id = $1 and blob_key is not null and expires_at > now();

-- name: direct_upload_is_open --
-- Whether a direct upload may still receive its file: it exists, has not expired and owns the key.
select exists (
    select 1 from app.upload_reservations
     where id = $1 and blob_key = $2 and expires_at > now()
);

-- name: open_staging_keys --
-- Which of the given staging keys belong to the caller's open direct uploads.
select blob_key
from app.upload_reservations
where blob_key = any($1::text[]) and expires_at > now();
