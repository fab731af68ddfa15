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
