-- The library list (issue 23): a page of ids comes from an ordered walk of one producer's index
-- entries that stops after the page, and the total from the same entries, without visiting the
-- table: the columns the tempo, key, loop and status filters read ride along (INCLUDE), so both
-- are index-only scans. Replaces the (user_id, created_at) and (user_id, bpm) indexes, which these
-- extend.
create index samples_user_id_created_at_id_idx
    on app.samples (user_id, created_at desc, id)
    include (bpm, musical_key, is_loop, status);
drop index app.samples_user_id_created_at_idx;

-- A tempo filter reads only the tempo range's entries (the SQL spells out up to three ranges so
-- that this index can serve them), then sorts that page's ids.
create index samples_user_id_bpm_created_at_idx
    on app.samples (user_id, bpm)
    include (created_at, id, musical_key, is_loop, status);
drop index app.samples_user_id_bpm_idx;
