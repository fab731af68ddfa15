-- The gateway's usage writer: one batch of API calls from many users (a jsonb array of
-- {user_id, endpoint, method, status_code, response_time_ms, created_at, via_token}; via_token
-- marks a personal-access-token request, the only kind the daily quota counts). Rows of users that no
-- longer exist are skipped so one deleted account cannot fail the batch. Returns rows written.
create or replace function app.record_api_usage(p_rows jsonb)
returns integer
language sql volatile security definer set search_path = pg_catalog, app
as $$
    with inserted as (
        insert into app.api_usage (user_id, endpoint, method, status_code, response_time_ms,
                                   created_at, via_token)
        select r.user_id, left(r.endpoint, 200), left(r.method, 10), r.status_code,
               r.response_time_ms, coalesce(r.created_at, now()), coalesce(r.via_token, false)
          from jsonb_to_recordset(p_rows) as r(user_id uuid, endpoint text, method text,
                                               status_code integer, response_time_ms integer,
                                               created_at timestamptz, via_token boolean)
         where r.user_id is not null and r.endpoint is not null and r.method is not null
           and exists (select 1 from app.users u where u.id = r.user_id)
        returning 1
    )
    select count(*)::integer from inserted
$$;

alter function app.record_api_usage(jsonb) owner to sp404_definer;
revoke all on function app.record_api_usage(jsonb) from public;
grant execute on function app.record_api_usage(jsonb) to sp404_app;
