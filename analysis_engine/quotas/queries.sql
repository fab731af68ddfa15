-- name: reconcile_accounts --
-- Every account's counted storage (run as the auditor, whose BYPASSRLS sees every tenant).
select u.id as user_id, u.email, coalesce(c.storage_bytes, 0) as counted_bytes,
       coalesce(c.reserved_bytes, 0) as reserved_bytes, p.storage_bytes as limit_bytes
from app.users u
left join app.usage_counters c on c.user_id = u.id
left join app.plans p on p.id = u.tier
order by u.id;

-- name: reconcile_samples --
-- One account's samples: the keys they own and the sizes their rows count (as the auditor).
select blob_key, size_bytes from app.samples where user_id = $1;

-- name: reconcile_other_keys --
-- One account's other blobs rows own: exports, import archives, the avatar and open direct
-- uploads' staged files (as the auditor).
select blob_key as key from app.exports where user_id = $1 and blob_key is not null
union all
select archive_key from app.sample_imports where user_id = $1
union all
select avatar_key from app.users where id = $1 and avatar_key is not null
union all
select blob_key from app.upload_reservations
 where user_id = $1 and blob_key is not null and expires_at > now();
