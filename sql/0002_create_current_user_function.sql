-- The single reader of the tenant setting. Every policy calls it as (select app.current_user_id())
-- so Postgres evaluates it once per query. Unset or '' (what a finished transaction-local
-- set_config leaves behind) both read as NULL, and NULL never equals a user_id: isolation fails closed.
create or replace function app.current_user_id() returns uuid
    language sql
    stable
    parallel safe
as $$
    select nullif(current_setting('app.user_id', true), '')::uuid
$$;
