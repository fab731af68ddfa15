-- The mail sender: record the outcome. On failure retry with exponential backoff until
-- p_max_attempts, then mark failed for good.
create or replace function app.finish_outbox(
    p_id uuid, p_error text, p_max_attempts integer, p_base_delay_seconds integer)
returns void
language sql volatile security definer set search_path = pg_catalog, app
as $$
    update app.email_outbox o
       set status = case
                        when p_error is null then 'sent'
                        when o.attempts >= p_max_attempts then 'failed'
                        else 'pending'
                    end,
           sent_at = case when p_error is null then now() end,
           last_error = p_error,
           next_attempt_at = now() + make_interval(
               secs => p_base_delay_seconds * power(2, greatest(o.attempts - 1, 0)))
     where o.id = p_id
$$;

alter function app.finish_outbox(uuid, text, integer, integer) owner to sp404_definer;
revoke all on function app.finish_outbox(uuid, text, integer, integer) from public;
grant execute on function app.finish_outbox(uuid, text, integer, integer) to sp404_app;
