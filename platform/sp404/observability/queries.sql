-- name: queue_depth_by_tier --
-- The job queue per tier and status across tenants, as counts only (SECURITY DEFINER).
select tier, status, jobs, oldest_wait_s from app.queue_depth_by_tier();
