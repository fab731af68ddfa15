-- Admins' audit: jobs parked as dead after their last attempt, newest first, with the reason.
create view app.audit_dead_jobs with (security_invoker = true) as
select j.id as job_id,
       j.user_id,
       u.email,
       j.kind,
       j.sample_id,
       j.attempts,
       j.max_attempts,
       j.last_error,
       j.worker_id,
       j.created_at,
       j.finished_at
from app.processing_jobs j
left join app.users u on u.id = j.user_id
where j.status = 'dead'
order by j.finished_at desc nulls last;

revoke all on app.audit_dead_jobs from public, sp404_app;
grant select on app.audit_dead_jobs to sp404_auditor;
