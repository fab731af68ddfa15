-- What text search matches a sample's vibe by: moods, descriptors and genre, then the free text
-- (description, compatibility tags, era, best use). Stored for the reason given in 0029.
alter table app.vibe_analyses
    add column search_document tsvector generated always as (
        setweight(to_tsvector('english'::regconfig,
                              app.search_words(moods) || ' ' || app.search_words(descriptors)
                              || ' ' || coalesce(genre, '')), 'B')
        || setweight(to_tsvector('english'::regconfig,
                                 description || ' ' || app.search_words(compatibility_tags)
                                 || ' ' || coalesce(era, '') || ' ' || coalesce(best_use, '')), 'C')
    ) stored;
