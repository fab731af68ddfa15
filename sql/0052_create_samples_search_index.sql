-- Text search (issue 23): under row-level security no index can answer `@@` (the operator is not
-- leakproof, so it may not run before the policy's check), and a search read every row of the
-- producer. app.matching_samples (sql/functions) reads as sp404_definer, whose policy on samples
-- adds no check of its own, and names the producer itself (`user_id = app.current_user_id()`):
-- this index then answers both conditions at once. btree_gin (a trusted extension) lets a GIN
-- index hold the uuid beside the document.
create extension if not exists btree_gin with schema public;
create index samples_user_id_search_document_idx
    on app.samples using gin (user_id, search_document);
