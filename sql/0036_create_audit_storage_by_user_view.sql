-- Admins' audit: storage per account against its plan (NULL limit: unlimited). Accounts over
-- their limit after a downgrade show a share above 1.
create view app.audit_storage_by_user with (security_invoker = true) as
select u.id as user_id,
       u.email,
       u.tier,
       coalesce(c.storage_bytes, 0) as storage_bytes,
       coalesce(c.reserved_bytes, 0) as reserved_bytes,
       p.storage_bytes as plan_storage_bytes,
       coalesce(c.storage_bytes, 0)::double precision / nullif(p.storage_bytes, 0) as share_used,
       (select count(*) from app.samples s where s.user_id = u.id) as samples
from app.users u
left join app.usage_counters c on c.user_id = u.id
left join app.plans p on p.id = u.tier;

revoke all on app.audit_storage_by_user from public, sp404_app;
grant select on app.audit_storage_by_user to sp404_auditor;
