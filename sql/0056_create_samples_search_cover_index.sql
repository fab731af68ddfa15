-- Text search at 50,000 samples (issue 23, fourth pass). A word that matches a quarter of a
-- library ("dusty": ~12,300 of 50,000) made app.matching_samples visit ~10,000 heap pages of
-- app.samples through the producer-keyed word index (sql/0055) to rank its matches; at 5,000,000
-- samples those pages seldom stay in shared buffers, so the first searches after other work read
-- them again (50-85 ms over HTTP). This index holds, next to each producer's id, what text
-- search reads of a sample: its document and the columns its filters and order need. One
-- producer's entries lie together (~3,300 pages at 50,000 samples, for every word), so the
-- function matches and ranks them with an index-only scan: it costs the same for every query,
-- about 0.4 us per sample of the library.
--
-- A btree entry holds at most 2,704 bytes (8 kB pages), and a document has no fixed bound (32
-- tags of 40 characters, a long vibe), so the index keeps only the rows that surely fit:
-- app.search_index_fits is an upper bound of the entry's size, computed from the document's
-- words and positions as PostgreSQL stores them (8 bytes of header, per word 4 bytes of entry,
-- its bytes and one of padding, 2 + 2 per position) plus the key's text, against 2,400 bytes
-- (2,704 less the entry's header, null bitmap, ids, date, tempo, loop flag, varlena headers and
-- padding, ~80 bytes, with room to spare). The rows that do not fit go to a second, small
-- partial index on user_id alone, and the function reads them from the heap.
--
-- Built here inside the migration's transaction. On a production database the two indexes are
-- built beforehand with CREATE INDEX CONCURRENTLY, outside a transaction, with the same names
-- and definitions (a plain build locks app.samples against writes: ~2 minutes for the larger
-- at 5,000,000 samples with maintenance_work_mem 1 GB), and this migration is then recorded
-- with `if not exists` finding them.

create function app.search_index_fits(document tsvector, musical_key text) returns boolean
    language sql
    immutable
    parallel safe
as $$
    select 8 + coalesce((select sum(4 + octet_length(w.lexeme) + 1
                                    + coalesce(2 + 2 * cardinality(w.positions), 0))
                           from unnest(document) w), 0)
             + coalesce(octet_length(musical_key), 0) <= 2400
$$;

create index if not exists samples_user_id_search_cover_idx
    on app.samples (user_id)
    include (id, created_at, bpm, musical_key, is_loop, search_document)
    where app.search_index_fits(search_document, musical_key);

create index if not exists samples_user_id_search_wide_idx
    on app.samples (user_id)
    where not app.search_index_fits(search_document, musical_key);
