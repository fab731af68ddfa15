-- Key and loop filters of the library list (issue 23). A key filter compared lower(musical_key)
-- with the spellings asked for, which under row-level security no index may answer (lower() is
-- not leakproof, so it may not run before the policy's check): a key-only filter read every index
-- entry of the producer to count its total (14-34 ms at 50,000 samples), a loop-only one too
-- (~9 ms: is_loop was only carried along). The key in lower case is now a stored generated column
-- (PostgreSQL keeps it, so no writer can forget it), compared with `=`, which is leakproof and
-- which an index can answer. Adding it rewrites app.samples once (~12 s at 300,000 rows).
alter table app.samples
    add column musical_key_lower text generated always as (lower(musical_key)) stored;

-- A key filter reads only that key's entries (every spelling of it, and its relative or Camelot
-- neighbours when asked), then sorts those ids by date; its total counts only them.
create index samples_user_id_musical_key_lower_idx
    on app.samples (user_id, musical_key_lower)
    include (created_at, id, bpm, is_loop, status);

-- A loop filter walks the loops (or the one-shots) newest first and stops after the page; its
-- total counts only their entries.
create index samples_user_id_is_loop_created_at_id_idx
    on app.samples (user_id, is_loop, created_at desc, id)
    include (bpm, musical_key_lower, status);

-- The list's walk and its tempo index (sql/0051) carry the lower-case key instead of the key, so
-- a key filter on them stays an index-only scan.
drop index app.samples_user_id_created_at_id_idx;
create index samples_user_id_created_at_id_idx
    on app.samples (user_id, created_at desc, id)
    include (bpm, musical_key_lower, is_loop, status);
drop index app.samples_user_id_bpm_created_at_idx;
create index samples_user_id_bpm_created_at_idx
    on app.samples (user_id, bpm)
    include (created_at, id, musical_key_lower, is_loop, status);
