-- The words of a text array as one string, for the generated search documents. array_to_string
-- is only stable in general (other element types print by settings); for text it is immutable,
-- and a generated column may only call immutable functions.
create function app.search_words(words text[]) returns text
    language sql
    immutable
    parallel safe
as $$
    select coalesce(array_to_string(words, ' '), '')
$$;
