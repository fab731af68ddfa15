-- Admins' audit: what each tier uses: accounts, storage, this period's analyses and exports, and
-- API calls in the last 24 hours.
create view app.audit_usage_by_tier with (security_invoker = true) as
select u.tier,
       count(*) as accounts,
       count(*) filter (where u.email_verified_at is not null) as verified_accounts,
       coalesce(sum(c.storage_bytes), 0)::bigint as storage_bytes,
       coalesce(sum(c.analyses_used), 0)::bigint as analyses_this_period,
       coalesce(sum(c.exports_count), 0)::bigint as exports_this_period,
       coalesce(sum(calls.last_day), 0)::bigint as api_calls_last_day
from app.users u
left join app.usage_counters c on c.user_id = u.id
left join lateral (
    select count(*) as last_day
    from app.api_usage a
    where a.user_id = u.id and a.created_at > now() - interval '1 day'
) calls on true
group by u.tier;

revoke all on app.audit_usage_by_tier from public, sp404_app;
grant select on app.audit_usage_by_tier to sp404_auditor;
