"""One row in every tenant table for a given user, for the isolation tests."""

from __future__ import annotations

import uuid

import asyncpg

from sp404.core.db import tenant_tx

# Tenant tables and the statements that give `user_id` ($1) one row in each. Order matters:
# parents first. The catalog test fails when a tenant table is missing here.
SEED: dict[str, str] = {
    "users": "",  # created by the create_user fixture
    "user_preferences": "insert into app.user_preferences (user_id) values ($1)",
    "email_tokens": "insert into app.email_tokens (user_id, purpose, token_hash, expires_at)"
    " values ($1, 'verify', md5(random()::text), now() + interval '1 day')",
    "refresh_token_families": "insert into app.refresh_token_families (id, user_id)"
    " values ($1, $1)",
    "refresh_tokens": "insert into app.refresh_tokens (user_id, family_id, token_hash, expires_at)"
    " values ($1, $1, md5(random()::text), now() + interval '7 days')",
    "personal_access_tokens": "insert into app.personal_access_tokens (user_id, name, prefix,"
    " token_hash, scopes) values ($1, 'sync', 'sp404_pat_abcd', md5(random()::text),"
    " '{library:read}')",
    "subscriptions": "insert into app.subscriptions (user_id) values ($1)",
    "invoices": "insert into app.invoices (user_id, stripe_invoice_id, status)"
    " values ($1, 'in_' || md5(random()::text), 'paid')",
    "usage_counters": "insert into app.usage_counters (user_id) values ($1)"
    " on conflict (user_id) do nothing",
    "upload_reservations": "insert into app.upload_reservations (user_id, bytes, expires_at)"
    " values ($1, 10, now() + interval '1 hour')",
    "api_usage": "insert into app.api_usage (user_id, endpoint, method) values ($1, '/x', 'GET')",
    "samples": "insert into app.samples (id, user_id, title, filename, format, size_bytes, sha256,"
    " blob_key) values ($1, $1, 'Kick', 'kick.wav', 'wav', 10, 'abc', 'users/k')",
    "audio_features": "insert into app.audio_features (user_id, sample_id, features, embedding,"
    " engine_version) values ($1, $1, '{}', '{0.1}', 'test')",
    "vibe_analyses": "insert into app.vibe_analyses (user_id, sample_id, model, description)"
    " values ($1, $1, 'local', 'dusty')",
    # Moved by the samples, features and vibes triggers (sql/0053); already there by now.
    "library_versions": "insert into app.library_versions (user_id, version)"
    " values ($1, nextval('app.library_version_seq')) on conflict (user_id) do nothing",
    "collections": "insert into app.collections (id, user_id, name) values ($1, $1, 'Drums')",
    "collection_samples": "insert into app.collection_samples (user_id, collection_id, sample_id)"
    " values ($1, $1, $1)",
    "kits": "insert into app.kits (id, user_id, name) values ($1, $1, 'Kit 1')",
    "kit_pads": "insert into app.kit_pads (user_id, kit_id, bank, pad, sample_id)"
    " values ($1, $1, 'A', 1, $1)",
    "processing_jobs": "insert into app.processing_jobs (user_id, sample_id, kind)"
    " values ($1, $1, 'analyze')",
    "exports": "insert into app.exports (user_id, kind) values ($1, 'import_pack')",
    "sample_imports": "insert into app.sample_imports (user_id, archive_key, archive_filename,"
    " archive_bytes) values ($1, 'users/x/imports/x.zip', 'x.zip', 10)",
    "email_outbox": "insert into app.email_outbox (user_id, kind, to_address, subject, body_text)"
    " values ($1, 'verify', 'a@example.com', 's', 'b')",
}

# The column that holds the tenant key (users is keyed by its own id).
TENANT_COLUMN = {name: ("id" if name == "users" else "user_id") for name in SEED}


async def seed_every_table(pool: asyncpg.Pool, user_id: uuid.UUID) -> None:
    """Give `user_id` one row in every tenant table (the user row must exist)."""
    async with tenant_tx(pool, user_id) as conn:
        for sql in SEED.values():
            if sql:
                await conn.execute(sql, user_id)
