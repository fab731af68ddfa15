-- Schema-wide privileges. Applied before the per-table files on every `sp404 db migrate`.
-- sp404_app:      the services' runtime role (NOBYPASSRLS, owns nothing).
-- sp404_definer:  owns the SECURITY DEFINER functions (no login, no BYPASSRLS); reaches rows only
--                 through the narrow *_definer policies in this folder.
-- sp404_auditor:  admins' psql audits (BYPASSRLS, SELECT only, read-only transactions).
revoke all on schema app from public;
grant usage on schema app to sp404_app, sp404_auditor;
grant usage, create on schema app to sp404_definer;
grant select on all tables in schema app to sp404_auditor;
alter default privileges in schema app grant select on tables to sp404_auditor;

-- Audits need no secret: the auditor reads every column except password and token hashes (any
-- column named password_hash or *token_hash, in every table, so a new token table is covered the
-- day it is created). A column grant means nothing next to a table-wide SELECT, so those tables'
-- SELECT is swapped for a grant on their other columns; the re-application above on every
-- migrate is undone again here, in the same transaction.
do $$
declare
    secret record;
begin
    for secret in
        select c.oid::regclass as tbl,
               string_agg(quote_ident(a.attname), ', ' order by a.attnum)
                   filter (where not (a.attname = 'password_hash' or a.attname like '%token_hash'))
                   as readable
        from pg_class c
        join pg_namespace n on n.oid = c.relnamespace and n.nspname = 'app'
        join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped
        where c.relkind in ('r', 'p')
        group by c.oid
        having bool_or(a.attname = 'password_hash' or a.attname like '%token_hash')
    loop
        execute format('revoke select on %s from sp404_auditor', secret.tbl);
        execute format('grant select (%s) on %s to sp404_auditor', secret.readable, secret.tbl);
    end loop;
end
$$;
