-- name: insert_user --
-- A new account (inside a transaction bound to the new user's id).
insert into app.users (id, email, email_normalized, password_hash, first_name, last_name)
values ($1, $2, $3, $4, $5, $6);

-- name: insert_defaults --
-- Preferences, usage counters and the Free subscription every account starts with.
with p as (insert into app.user_preferences (user_id) values ($1)),
     c as (insert into app.usage_counters (user_id) values ($1))
insert into app.subscriptions (user_id, tier, status) values ($1, 'free', 'active');

-- name: insert_email_token --
-- A single-use link token (stored hashed).
insert into app.email_tokens (user_id, purpose, token_hash, expires_at)
values ($1, $2, $3, now() + make_interval(secs => $4));

-- name: consume_email_token --
-- The user of an unused, unexpired link token, marking it used (SECURITY DEFINER).
select app.consume_email_token($1, $2);

-- name: discard_email_tokens --
-- Kills outstanding link tokens of a purpose (a reset link dies when the password changes).
delete from app.email_tokens where purpose = $1 and used_at is null;

-- name: mark_verified --
-- Sets the verification time once (SECURITY DEFINER: the runtime role cannot write the column).
select app.mark_email_verified();

-- name: find_user_for_login --
-- The row needed to check a sign-in (SECURITY DEFINER; before anyone is signed in).
select id, password_hash, email_verified_at, tier from app.find_user_for_login($1);

-- name: user_id_for_email --
-- The account owning an e-mail, if any (SECURITY DEFINER).
select app.user_id_for_email($1);

-- name: fetch_me --
-- The signed-in user's account.
select id, email, first_name, last_name, avatar_key, tier, email_verified_at, tokens_valid_after,
       password_hash, created_at
from app.users;

-- name: update_password_hash --
-- Stores a new hash; optionally moves tokens_valid_after forward (SECURITY DEFINER).
select app.set_password_hash($1, $2);

-- name: insert_family --
-- A new signed-in session.
insert into app.refresh_token_families (user_id, user_agent, ip)
values ($1, $2, $3::inet)
returning id;

-- name: insert_refresh_token --
-- A refresh token of a session (stored hashed).
insert into app.refresh_tokens (user_id, family_id, token_hash, expires_at)
values ($1, $2, $3, now() + make_interval(secs => $4));

-- name: find_refresh_token --
-- State of a presented refresh token and its session (SECURITY DEFINER).
select id, user_id, family_id, expires_at, rotated_at, family_revoked_at
from app.find_refresh_token($1);

-- name: rotate_refresh_token --
-- Marks a refresh token used; only the first of concurrent refreshes gets a row back.
update app.refresh_tokens set rotated_at = now()
 where id = $1 and rotated_at is null
returning id;

-- name: touch_family --
-- Records session activity.
update app.refresh_token_families set last_used_at = now() where id = $1;

-- name: revoke_family --
-- Ends one session.
update app.refresh_token_families
   set revoked_at = coalesce(revoked_at, now()), revoked_reason = coalesce(revoked_reason, $2)
 where id = $1;

-- name: revoke_all_families --
-- Ends every session of the user except, optionally, one.
update app.refresh_token_families
   set revoked_at = now(), revoked_reason = $2
 where revoked_at is null and id is distinct from $1
returning id;

-- name: list_sessions --
-- The user's live sessions, newest first.
select id, created_at, last_used_at, user_agent, host(ip) as ip
from app.refresh_token_families
where revoked_at is null
order by last_used_at desc
limit 100;

-- name: fetch_preferences --
-- The user's preferences.
select auto_analyze_enabled, selected_model, notification_email_enabled, updated_at
from app.user_preferences;

-- name: update_preferences --
-- Changes the given preferences (NULL keeps the current value).
update app.user_preferences
   set auto_analyze_enabled = coalesce($1, auto_analyze_enabled),
       selected_model = coalesce($2, selected_model),
       notification_email_enabled = coalesce($3, notification_email_enabled),
       updated_at = now()
returning auto_analyze_enabled, selected_model, notification_email_enabled, updated_at;

-- name: update_profile --
-- Changes the given names (NULL keeps the current value).
update app.users
   set first_name = coalesce($1, first_name),
       last_name = coalesce($2, last_name),
       updated_at = now()
returning id, email, first_name, last_name, avatar_key, tier, email_verified_at, created_at;

-- name: set_avatar_key --
-- Points the profile at a new avatar blob (or none).
update app.users set avatar_key = $1, updated_at = now();

-- name: delete_me --
-- Deletes the signed-in account; every tenant table cascades from users. The explicit id is a
-- second lock on a statement that must never touch more than one row.
delete from app.users where id = $1 returning id;

-- name: enqueue_mail --
-- A message for the outbox, delivered after this transaction commits.
insert into app.email_outbox (user_id, kind, to_address, subject, body_text)
values ($1, $2, $3, $4, $5)
returning id;

-- name: claim_outbox --
-- Due messages of every user (SECURITY DEFINER).
select id, user_id, kind, to_address, subject, body_text, attempts
from app.claim_outbox($1, $2);

-- name: finish_outbox --
-- Records a delivery outcome (SECURITY DEFINER).
select app.finish_outbox($1, $2, $3, $4);

-- name: create_account_export --
-- A data export request, as an export row and its background job.
insert into app.exports (user_id, kind, status, expires_at)
values ($1, 'account_data', 'queued', now() + interval '7 days')
returning id, status, progress, created_at, expires_at, size_bytes, error;

-- name: fetch_account_export --
-- One of the caller's data exports.
select id, status, progress, created_at, expires_at, size_bytes, error, blob_key
from app.exports
where id = $1 and kind = 'account_data';

-- name: start_account_export --
-- Marks an export as being built.
update app.exports set status = 'running', progress = 0.05 where id = $1;

-- name: finish_account_export --
-- Records a built export.
update app.exports
   set status = 'ready', progress = 1, blob_key = $2, size_bytes = $3, finished_at = now(),
       expires_at = now() + interval '7 days'
 where id = $1;

-- name: fail_account_export --
-- Records a failed export.
update app.exports set status = 'failed', error = $2, finished_at = now() where id = $1;

-- name: export_profile --
-- Everything about the account except the password hash, which is not the user's data but a
-- secret derived from it. to_jsonb(row) keeps the export complete when columns are added.
select to_jsonb(u) - 'password_hash' from app.users u;

-- name: export_preferences --
-- The user's preferences.
select to_jsonb(p) from app.user_preferences p;

-- name: export_samples --
-- Sample metadata (the audio files are added separately), without what the database derives
-- from it for searching and filtering.
select to_jsonb(s) - 'search_document' - 'musical_key_lower'
from app.samples s
order by s.created_at;

-- name: export_audio_features --
-- Analysis results.
select to_jsonb(f) from app.audio_features f;

-- name: export_vibe_analyses --
-- AI descriptions.
select to_jsonb(v) - 'search_document' from app.vibe_analyses v;

-- name: export_collections --
-- Collections with their rules.
select to_jsonb(c) from app.collections c order by c.created_at;

-- name: export_collection_samples --
-- Collection membership.
select to_jsonb(cs) from app.collection_samples cs;

-- name: export_kits --
-- Kits.
select to_jsonb(k) from app.kits k order by k.created_at;

-- name: export_kit_pads --
-- Pad assignments.
select to_jsonb(p) from app.kit_pads p order by p.kit_id, p.bank, p.pad;

-- name: export_usage_counters --
-- Quota usage.
select to_jsonb(c) from app.usage_counters c;

-- name: export_api_usage --
-- API calls recorded for the account.
select to_jsonb(a) from app.api_usage a order by a.created_at;

-- name: export_subscriptions --
-- The subscription record.
select to_jsonb(s) from app.subscriptions s;

-- name: export_invoices --
-- Invoices.
select to_jsonb(i) from app.invoices i order by i.created_at;

-- name: export_sessions --
-- Sign-in sessions (without token hashes).
select to_jsonb(f) from app.refresh_token_families f order by f.created_at;

-- name: export_exports --
-- Earlier exports.
select to_jsonb(e) - 'blob_key' from app.exports e order by e.created_at;

-- name: export_audit_entries --
-- Audit entries about the user (SECURITY DEFINER; the runtime role cannot read the log).
select to_jsonb(a) from app.audit_entries_for_current_user() a;

-- name: export_refresh_tokens --
-- Each session's refresh-token rotations; columns listed so a hash can never slip in.
select to_jsonb(r)
from (select id, family_id, expires_at, rotated_at, created_at from app.refresh_tokens) r
order by r.created_at;

-- name: export_email_tokens --
-- Verification and reset links issued; columns listed so a hash can never slip in.
select to_jsonb(t)
from (select id, purpose, expires_at, used_at, created_at from app.email_tokens) t
order by t.created_at;

-- name: export_emails --
-- E-mail sent to the user, without bodies: they carry one-time links, secrets while valid.
select to_jsonb(m)
from (
    select id, kind, to_address, subject, status, attempts, sent_at, created_at
    from app.email_outbox
) m
order by m.created_at;

-- name: export_processing_jobs --
-- Background jobs run for the user (analyses, imports, exports).
select to_jsonb(j) from app.processing_jobs j order by j.created_at;

-- name: export_sample_imports --
-- Batch and legacy imports, without the archive's storage key.
select to_jsonb(i) - 'archive_key' from app.sample_imports i order by i.created_at;

-- name: export_sample_files --
-- Which blobs hold the user's audio.
select id, filename, blob_key from app.samples order by created_at;

-- name: export_personal_tokens --
-- Personal access tokens (without their hashes).
select to_jsonb(t) - 'token_hash' from app.personal_access_tokens t order by t.created_at;

-- name: count_live_personal_tokens --
-- Tokens that still work or could: not revoked (expired ones still count until revoked).
select count(*) from app.personal_access_tokens where revoked_at is null;

-- name: insert_personal_token --
-- A new personal access token; only its hash is stored.
insert into app.personal_access_tokens (user_id, name, prefix, token_hash, scopes, expires_at)
values ($1, $2, $3, $4, $5, $6)
returning id, name, prefix, scopes, created_at, expires_at, last_used_at;

-- name: list_personal_tokens --
-- The caller's tokens that are not revoked, newest first.
select id, name, prefix, scopes, created_at, expires_at, last_used_at
from app.personal_access_tokens
where revoked_at is null
order by created_at desc, id;

-- name: revoke_personal_token --
-- Revoke one of the caller's tokens; nothing for another user's (RLS) or a revoked one.
update app.personal_access_tokens set revoked_at = now()
where id = $1 and revoked_at is null
returning id, expires_at;
