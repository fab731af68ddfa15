-- A user's data export includes the audit entries about them, and only those.
create or replace function app.audit_entries_for_current_user()
returns table (action text, target_type text, target_id text, ip inet, details jsonb,
               occurred_at timestamptz)
language sql stable security definer set search_path = pg_catalog, app
as $$
    select a.action, a.target_type, a.target_id, a.ip, a.details, a.occurred_at
      from app.audit_log a
     where a.user_id = app.current_user_id()
       and app.current_user_id() is not null
     order by a.occurred_at
$$;

alter function app.audit_entries_for_current_user() owner to sp404_definer;
revoke all on function app.audit_entries_for_current_user() from public;
grant execute on function app.audit_entries_for_current_user() to sp404_app;
