-- Admins' audit: sign-ins per day and account, successes and failures. A NULL user_id gathers
-- the failures for e-mail addresses that have no account (guessing and stuffing).
create view app.audit_logins_daily with (security_invoker = true) as
select date_trunc('day', a.occurred_at) as day,
       a.user_id,
       u.email,
       count(*) filter (where a.action = 'login.success') as successes,
       count(*) filter (where a.action = 'login.failure') as failures,
       count(distinct a.ip) as addresses,
       max(a.occurred_at) as last_at
from app.audit_log a
left join app.users u on u.id = a.user_id
where a.action in ('login.success', 'login.failure')
group by 1, a.user_id, u.email;

revoke all on app.audit_logins_daily from public, sp404_app;
grant select on app.audit_logins_daily to sp404_auditor;
