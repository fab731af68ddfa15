-- What text search matches a sample by: title and tags weigh most, then genre. Stored, because
-- under row-level security a GIN index cannot serve `@@` (the operator is not leakproof, so the
-- planner may not run it before the policy), every search scans the caller's rows, and parsing
-- text again for each of them would cost tens of milliseconds per search.
alter table app.samples
    add column search_document tsvector generated always as (
        setweight(to_tsvector('english'::regconfig, title || ' ' || app.search_words(tags)), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(genre, '')), 'B')
    ) stored;
