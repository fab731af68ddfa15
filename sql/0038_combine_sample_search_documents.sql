-- Text search matched a sample by two stored documents, its own words (0029) and its vibe's
-- (0030), so every search joined samples to vibe_analyses for each of the caller's rows: under
-- row-level security no index can answer `@@` (the operator is not leakproof), a search scans the
-- caller's library, and the join, the wide rows it read and the per-row concatenation of the two
-- documents cost about 25 ms of database CPU at 10,000 samples. From here on
-- samples.search_document holds both, kept current by the triggers below, and a search reads one
-- column of one table: about a third of that (benchmarks/bench_search.py measures it).
-- A covering btree index holding the document would skip the heap too, but a sample with many
-- tags has a document past the 2,704-byte limit of an index entry, and its upload would fail.

-- A sample's own words: title and tags weigh most, then genre (exactly as 0029 defined them).
create function app.sample_words_document(title text, tags text[], genre text) returns tsvector
    language sql
    immutable
    parallel safe
as $$
    select setweight(to_tsvector('english'::regconfig, title || ' ' || app.search_words(tags)), 'A')
           || setweight(to_tsvector('english'::regconfig, coalesce(genre, '')), 'B')
$$;

-- The generated column becomes a plain one and keeps its values (a sample's own words).
alter table app.samples alter column search_document drop expression;

-- A new or edited sample: its own words, then its vibe's (none yet for a new sample).
create function app.fill_sample_search_document() returns trigger
    language plpgsql
as $$
begin
    new.search_document := app.sample_words_document(new.title, new.tags, new.genre)
        || coalesce((select v.search_document
                       from app.vibe_analyses v
                      where v.user_id = new.user_id and v.sample_id = new.id), ''::tsvector);
    return new;
end
$$;

create trigger samples_fill_search_document
    before insert or update of title, tags, genre on app.samples
    for each row execute function app.fill_sample_search_document();

-- A vibe written, rewritten or removed: its sample's document follows. (When the sample itself
-- is being deleted the update finds no row, which is what it should do.)
create function app.copy_vibe_search_document() returns trigger
    language plpgsql
as $$
begin
    if tg_op = 'DELETE' then
        update app.samples s
           set search_document = app.sample_words_document(s.title, s.tags, s.genre)
         where s.user_id = old.user_id and s.id = old.sample_id;
    else
        update app.samples s
           set search_document = app.sample_words_document(s.title, s.tags, s.genre)
                                 || new.search_document
         where s.user_id = new.user_id and s.id = new.sample_id;
    end if;
    return null;
end
$$;

create trigger vibe_analyses_copy_search_document
    after insert or update or delete on app.vibe_analyses
    for each row execute function app.copy_vibe_search_document();

-- Samples analysed before this migration get their vibe's words. Row-level security hides every
-- tenant row from the owner that runs migrations, so forcing is lifted inside this transaction
-- only (nobody else sees the tables until it commits, forced again).
alter table app.samples no force row level security;
alter table app.vibe_analyses no force row level security;
update app.samples s
   set search_document = app.sample_words_document(s.title, s.tags, s.genre) || v.search_document
  from app.vibe_analyses v
 where v.user_id = s.user_id and v.sample_id = s.id;
alter table app.samples force row level security;
alter table app.vibe_analyses force row level security;

alter table app.samples alter column search_document set not null;
