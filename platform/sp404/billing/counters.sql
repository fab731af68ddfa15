-- name: count_export --
-- Counts an export towards this period's usage (never limited by the analyses quota).
insert into app.usage_counters (user_id, exports_count) values ($1, 1)
on conflict on constraint usage_counters_pkey do update
   set exports_count = app.usage_counters.exports_count + 1, updated_at = now();

-- name: refund_analysis --
-- Gives back an analysis counted for an attempt that failed.
update app.usage_counters set analyses_used = greatest(0, analyses_used - 1), updated_at = now();

-- name: ensure_usage_row --
-- Gives the caller a usage counter row if sign-up did not.
insert into app.usage_counters (user_id) values ($1)
on conflict on constraint usage_counters_pkey do nothing;

-- name: lock_usage_row --
-- Locks the caller's usage counter row until commit.
select user_id from app.usage_counters for update;
