-- Text search's matches among the caller's samples (issue 23): id, rank and what the search's
-- filters and order read, for every sample of app.current_user_id() whose words match `query`.
-- It runs as sp404_definer so that the GIN index (user_id, search_document) can answer `@@`
-- (under the runtime role's policy it cannot: the operator is not leakproof); the definer's
-- policy on samples (sql/policies/samples.sql) checks nothing, so THIS function's `where` is what
-- keeps every other producer's rows out: the user comes from the transaction's setting, never
-- from an argument, and no setting means no rows. Callers read the matches' rows under their
-- own policy (search_library), so a row could not show even if this were wrong.
create or replace function app.matching_samples(query tsquery)
returns table (id uuid, rank real, created_at timestamptz, bpm double precision,
               musical_key text, is_loop boolean)
language sql stable security definer set search_path = pg_catalog, app
as $$
    select s.id, ts_rank(s.search_document, query), s.created_at, s.bpm, s.musical_key,
           s.is_loop
      from app.samples s
     where s.user_id = app.current_user_id()
       and app.current_user_id() is not null
       and s.search_document @@ query
$$;

alter function app.matching_samples(tsquery) owner to sp404_definer;
revoke all on function app.matching_samples(tsquery) from public;
grant execute on function app.matching_samples(tsquery) to sp404_app;
