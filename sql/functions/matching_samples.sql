-- Text search's matches among the caller's samples (issue 23): id, rank and what the search's
-- filters and order read, for every sample of app.current_user_id() whose words match `query`.
-- It runs as sp404_definer so that an index can answer the match (under the runtime role's
-- policy none can: `@@` is not leakproof); the definer's policy on samples
-- (sql/policies/samples.sql) checks nothing, so THIS function's `where` is what keeps every other
-- producer's rows out: the user comes from the transaction's setting, never from an argument, and
-- no setting means no rows. Callers read the matches' rows under their own policy
-- (search_library), so a row could not show even if this were wrong.
--
-- It walks the caller's entries of sql/0056's covering index (one producer's entries lie
-- together) and matches and ranks the real document of each, index-only: every query (words,
-- prefixes, phrases, OR, NOT, weights) is checked exactly as `@@` and ts_rank check it, and costs
-- the same, ~0.4 us per sample of the library. The words' indexes (sql/0052, sql/0055) found a
-- rare word's few matches faster, but a common one's (a quarter of a 50,000-sample library) cost
-- ~10,000 heap pages, which at 5,000,000 samples seldom stay in shared buffers. The match is
-- written ts_match_vq(...) so that the planner cannot answer it with a GIN index instead (an
-- index answers operators only), and the partial indexes' predicate is spelt as they spell it
-- so that the planner knows which rows each holds: the first branch reads the documents small
-- enough for an index entry, the second the rare larger ones, from the heap. Without a
-- producer it can estimate, the planner would expect a default share of all samples and might
-- start parallel workers (~10 ms of start-up at 5,000,000 samples); one producer's rows never
-- need them.
create or replace function app.matching_samples(query tsquery)
returns table (id uuid, rank real, created_at timestamptz, bpm double precision,
               musical_key text, is_loop boolean)
language sql stable security definer set search_path = pg_catalog, app
    set max_parallel_workers_per_gather = 0
as $$
    select s.id, ts_rank(s.search_document, query), s.created_at, s.bpm, s.musical_key,
           s.is_loop
      from app.samples s
     where s.user_id = app.current_user_id()
       and app.search_index_fits(s.search_document, s.musical_key)
       and ts_match_vq(s.search_document, query)
    union all
    select s.id, ts_rank(s.search_document, query), s.created_at, s.bpm, s.musical_key,
           s.is_loop
      from app.samples s
     where s.user_id = app.current_user_id()
       and not app.search_index_fits(s.search_document, s.musical_key)
       and ts_match_vq(s.search_document, query)
$$;

alter function app.matching_samples(tsquery) owner to sp404_definer;
revoke all on function app.matching_samples(tsquery) from public;
grant execute on function app.matching_samples(tsquery) to sp404_app;
