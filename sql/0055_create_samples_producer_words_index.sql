-- Text search per producer (issue 23, second round): the (user_id, search_document) GIN index of
-- sql/0052 keys each posting by word alone, so looking up a common word reads that word's
-- posting tree across every producer (~620 buffers for a 50-sample library at 5,000,000 samples)
-- and the cost grows with the whole database. This index keys each word by its producer
-- instead: app.producer_words turns a sample's document into words prefixed with its owner's id
-- (positions and weights dropped: GIN never stored them), and app.producer_query prefixes a
-- query's words the same way, so a lookup reads one producer's postings, including a prefix
-- search ('<owner>dus':* stays inside the owner's words). app.matching_samples (sql/functions)
-- uses it as a pre-filter and still checks and ranks the real document, so results are the same.

-- The owner's id as 22 base64 characters (16 bytes): one distinct prefix per producer, shorter
-- than the 36-character text form in every key of the index.
create function app.producer_word_prefix(owner uuid) returns text
    language sql
    immutable
    strict
    parallel safe
as $$
    select rtrim(encode(uuid_send(owner), 'base64'), '=')
$$;

create function app.producer_words(owner uuid, document tsvector) returns tsvector
    language sql
    immutable
    strict
    parallel safe
as $$
    select array_to_tsvector(array(
        select app.producer_word_prefix(owner) || word
          from unnest(tsvector_to_array(document)) word))
$$;

-- The query for app.producer_words: every word prefixed as the documents' are, and followed-by
-- (<->, <N>) made "and" (the index keeps no positions; matching_samples checks the phrase on the
-- real document). Read from the query's text form, where each word is quoted ('' inside) and
-- everything between words is an operator, a parenthesis, `:*` or a weight. NULL where the
-- rewrite would not find a superset of the matches: a NOT (under a phrase, `a <-> !b` is not
-- `a & !b`) or a weight (the words here carry none); such a query keeps the old index.
create function app.producer_query(owner uuid, query tsquery) returns tsquery
    language sql
    immutable
    strict
    parallel safe
as $$
    with pieces as (
        select m.piece[1] as word, m.piece[2] as phrase, m.piece[3] as other, m.n
          from regexp_matches(query::text, '(''(?:[^'']|'''')*'')|(<(?:-|[0-9]+)>)|([^''<]+|<)', 'g')
               with ordinality m(piece, n)
    )
    select case
        when numnode(query) = 0 then query
        when exists (select from pieces where other ~ '[!A-D]') then null
        else (select string_agg(case when word is not null
                                     then '''' || app.producer_word_prefix(owner) || substr(word, 2)
                                     when phrase is not null then '&'
                                     else other end, '' order by n)
                from pieces)::tsquery
    end
$$;

create index samples_producer_words_idx
    on app.samples using gin (app.producer_words(user_id, search_document));
