-- Text search's matches among the caller's samples (issue 23): id, rank and what the search's
-- filters and order read, for every sample of app.current_user_id() whose words match `query`.
-- It runs as sp404_definer so that a GIN index can answer the match (under the runtime role's
-- policy none can: `@@` is not leakproof); the definer's policy on samples
-- (sql/policies/samples.sql) checks nothing, so THIS function's `where` is what keeps every other
-- producer's rows out: the user comes from the transaction's setting, never from an argument, and
-- no setting means no rows. Callers read the matches' rows under their own policy
-- (search_library), so a row could not show even if this were wrong.
--
-- Two branches, exactly one of which runs (app.producer_query is NULL or not for the whole call):
-- most queries look their words up among the caller's own (sql/0055's index of producer-keyed
-- words, which reads one producer's postings however large the database), then match the real
-- document, so phrases, weights and ranks are as before; a query with a NOT keeps the
-- (user_id, search_document) index of sql/0052. The real document's match is written
-- ts_match_vq(...) in the first branch so that the planner cannot answer it with that older
-- index instead (an index answers operators only), and its producer `is not distinct from` (the
-- same as `=` once the user is known not to be NULL) so that no index on user_id is read beside
-- the words' (at 50,000 samples that added a 50,000-entry bitmap: 21.6 -> 24.9 ms); the producer
-- is read once, in an InitPlan, rather than once per match (current_setting, nullif and a uuid
-- cast on each of a common word's ~12,000 matches: ~4 ms). The real document is checked only
-- when the query holds a followed-by (<->, <N>): that is the one operator the words' index cannot
-- check (it keeps no positions), and without it a match of the prefixed words is a match of the
-- document (same words, no NOT, no weights in this branch). The test reads the query's text form,
-- where an operator is never inside a quoted word's quotes unless a word itself holds `<->`,
-- which only makes the check run when it was not needed. Without a
-- producer it can estimate, the planner expects a default share of all samples to match and at
-- 5,000,000 samples started two parallel workers for an 11-row answer (~10 ms of start-up); one
-- producer's matches never need them.
create or replace function app.matching_samples(query tsquery)
returns table (id uuid, rank real, created_at timestamptz, bpm double precision,
               musical_key text, is_loop boolean)
language sql stable security definer set search_path = pg_catalog, app
    set max_parallel_workers_per_gather = 0
as $$
    select s.id, ts_rank(s.search_document, query), s.created_at, s.bpm, s.musical_key,
           s.is_loop
      from app.samples s
     where app.producer_words(s.user_id, s.search_document)
               @@ app.producer_query(app.current_user_id(), query)
       and s.user_id is not distinct from (select app.current_user_id())
       and (select app.current_user_id()) is not null
       and ((select query::text !~ '<(?:-|[0-9]+)>') or ts_match_vq(s.search_document, query))
    union all
    select s.id, ts_rank(s.search_document, query), s.created_at, s.bpm, s.musical_key,
           s.is_loop
      from app.samples s
     where app.producer_query(app.current_user_id(), query) is null
       and s.user_id = app.current_user_id()
       and app.current_user_id() is not null
       and s.search_document @@ query
$$;

alter function app.matching_samples(tsquery) owner to sp404_definer;
revoke all on function app.matching_samples(tsquery) from public;
grant execute on function app.matching_samples(tsquery) to sp404_app;
