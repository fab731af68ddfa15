"""Profile, avatar, preferences, data export and account deletion."""

from __future__ import annotations

import asyncio
import io
import re
import time
import uuid
import zipfile
from pathlib import Path

import asyncpg
import httpx
from PIL import Image

from sp404.accounts import data_rights
from sp404.accounts.data_rights import EXPORT_PARTS, NOT_EXPORTED
from sp404.core.queries import load_queries
from sp404.core.settings import Settings
from tests.stack import Mailbox, Producer, signed_up
from tests.tenancy.seed import SEED, seed_every_table


def _png(size: tuple[int, int] = (32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_profile_names_can_be_changed(api: httpx.Client, account: Producer) -> None:
    changed = api.patch(
        "/api/account/profile",
        headers=account.auth,
        json={"first_name": "Madlib", "last_name": "Quasimoto"},
    )
    assert changed.status_code == 200
    assert (changed.json()["first_name"], changed.json()["last_name"]) == ("Madlib", "Quasimoto")
    bad = api.patch("/api/account/profile", headers=account.auth, json={"first_name": ""})
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "validation_error"


def test_an_avatar_is_stored_served_and_replaced(api: httpx.Client, account: Producer) -> None:
    put = api.put(
        "/api/account/avatar",
        headers=account.auth,
        files={"avatar": ("me.png", _png(), "image/png")},
    )
    assert put.status_code == 200, put.text
    assert put.json()["avatar_url"].endswith("/api/account/avatar")
    got = api.get("/api/account/avatar", headers=account.auth)
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/png"
    assert got.content == _png()
    assert api.delete("/api/account/avatar", headers=account.auth).status_code == 204
    assert api.get("/api/account/avatar", headers=account.auth).status_code == 404


def test_avatars_are_judged_by_content_and_size(api: httpx.Client, account: Producer) -> None:
    text = api.put(
        "/api/account/avatar",
        headers=account.auth,
        files={"avatar": ("me.png", b"<script>alert(1)</script>", "image/png")},
    )
    assert text.status_code == 422
    assert text.json()["error"]["code"] == "invalid_image"
    huge = api.put(
        "/api/account/avatar",
        headers=account.auth,
        files={"avatar": ("big.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024 + 10), "image/png")},
    )
    assert huge.status_code == 413
    empty = api.put(
        "/api/account/avatar", headers=account.auth, files={"avatar": ("e.png", b"", "image/png")}
    )
    assert empty.status_code == 422


def test_preferences_are_per_user(api: httpx.Client, mailbox: Mailbox, account: Producer) -> None:
    other = signed_up(api, mailbox)
    changed = api.patch(
        "/api/account/preferences",
        headers=account.auth,
        json={"auto_analyze_enabled": False, "selected_model": "openai/gpt-4o-mini"},
    )
    assert changed.json() == {
        "auto_analyze_enabled": False,
        "selected_model": "openai/gpt-4o-mini",
        "notification_email_enabled": True,
    }
    assert (
        api.get("/api/account/preferences", headers=other.auth).json()["auto_analyze_enabled"]
        is True
    )
    bad = api.patch(
        "/api/account/preferences",
        headers=account.auth,
        json={"selected_model": "x; drop table users"},
    )
    assert bad.status_code == 422


def _wait_ready(api: httpx.Client, account: Producer, export_id: str) -> dict[str, object]:
    for _ in range(200):
        state = api.get(f"/api/account/exports/{export_id}", headers=account.auth).json()
        if state["status"] in ("ready", "failed"):
            return state
        time.sleep(0.1)
    raise TimeoutError("export never finished")


def test_the_data_export_holds_everything_of_the_user_and_nothing_of_others(
    api: httpx.Client, mailbox: Mailbox, account: Producer, pool: asyncpg.Pool
) -> None:
    other = signed_up(api, mailbox)
    api.patch("/api/account/profile", headers=account.auth, json={"first_name": "Export"})
    started = api.post("/api/account/export", headers=account.auth)
    assert started.status_code == 202
    state = _wait_ready(api, account, started.json()["id"])
    assert state["status"] == "ready", state
    mailbox.wait_for(account.email, "export is ready")
    # Someone else's export id is a plain 404.
    assert (
        api.get(f"/api/account/exports/{started.json()['id']}", headers=other.auth).status_code
        == 404
    )
    download = api.get(
        f"/api/account/exports/{started.json()['id']}/download", headers=account.auth
    )
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    names = set(archive.namelist())
    assert {
        "profile.json",
        "preferences.json",
        "samples.json",
        "collections.json",
        "kits.json",
        "invoices.json",
        "usage.json",
        "audit_log.json",
        "sessions.json",
        "session_tokens.json",
        "email_links.json",
        "emails.json",
    } <= names
    assert names >= {name for name, _ in EXPORT_PARTS}
    everything = b"".join(archive.read(n) for n in names)
    assert account.user_id.encode() in everything
    assert b"Export" in archive.read("profile.json")
    assert b"verify" in archive.read("email_links.json")
    assert account.email.encode() in archive.read("emails.json")
    for secret in (b"password_hash", b"token_hash", b"body_text"):
        assert secret not in everything
    assert other.user_id.encode() not in everything
    assert other.email.encode() not in everything
    assert b"signup" in archive.read("audit_log.json")


def test_deleting_the_account_needs_the_password_and_leaves_nothing_behind(
    api: httpx.Client, account: Producer, pool: asyncpg.Pool, migrated_db: Settings
) -> None:
    user_id = uuid.UUID(account.user_id)
    asyncio.run(_seed(migrated_db, user_id))
    wrong = api.request(
        "DELETE", "/api/account", headers=account.auth, json={"password": "nope nope"}
    )
    assert wrong.status_code == 401
    gone = api.request(
        "DELETE", "/api/account", headers=account.auth, json={"password": account.password}
    )
    assert gone.status_code == 200
    assert api.get("/api/account/profile", headers=account.auth).status_code == 401
    assert (
        api.post(
            "/api/auth/login", json={"email": account.email, "password": account.password}
        ).status_code
        == 401
    )
    leftovers = asyncio.run(_count_rows(migrated_db, user_id))
    assert leftovers == {table: 0 for table in SEED}


async def _seed(settings: Settings, user_id: uuid.UUID) -> None:
    pool = await asyncpg.create_pool(settings.database_url, min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("select set_config('app.user_id', $1, true)", str(user_id))
            await conn.execute("delete from app.user_preferences")
            await conn.execute("delete from app.subscriptions")
        await seed_every_table(pool, user_id)
    finally:
        await pool.close()


async def _count_rows(settings: Settings, user_id: uuid.UUID) -> dict[str, int]:
    conn = await asyncpg.connect(settings.database_auditor_url)
    try:
        counts = {}
        for table in SEED:
            column = "id" if table == "users" else "user_id"
            counts[table] = await conn.fetchval(
                f"select count(*) from app.{table} where {column} = $1", user_id
            )
        return counts
    finally:
        await conn.close()


def test_every_tenant_table_is_exported_or_left_out_with_a_reason() -> None:
    queries = load_queries(Path(data_rights.__file__).with_name("queries.sql"))
    read = {
        table for _, query in EXPORT_PARTS for table in re.findall(r"\bapp\.(\w+)", queries[query])
    }
    assert set(SEED) - read - set(NOT_EXPORTED) == set()
    assert set(NOT_EXPORTED) <= set(SEED) - read
    assert all(reason.strip() for reason in NOT_EXPORTED.values())
