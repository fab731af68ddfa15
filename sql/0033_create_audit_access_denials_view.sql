-- Admins' audit (psql as sp404_auditor): refused requests for someone else's data, per user and
-- day. security_invoker makes the reader's own rights apply: the auditor's BYPASSRLS shows every
-- tenant; the services' role holds no grant on it at all.
create view app.audit_access_denials with (security_invoker = true) as
select date_trunc('day', a.occurred_at) as day,
       a.user_id,
       u.email,
       count(*) as denials,
       array_agg(distinct a.target_type) filter (where a.target_type is not null) as target_types,
       max(a.occurred_at) as last_at
from app.audit_log a
left join app.users u on u.id = a.user_id
where a.action = 'access.denied'
group by 1, a.user_id, u.email;

revoke all on app.audit_access_denials from public, sp404_app;
grant select on app.audit_access_denials to sp404_auditor;
