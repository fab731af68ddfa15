-- Duplicate uploads (issue 19): an upload whose sha256 the producer already has answers 409
-- with that sample, so the check looks a producer's hashes up. Not unique: libraries from
-- before the check may hold duplicates, and the check serialises on an advisory lock instead.
create index samples_user_id_sha256_idx on app.samples (user_id, sha256);
