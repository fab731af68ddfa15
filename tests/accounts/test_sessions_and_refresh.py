"""Staying signed in: refresh rotation, reuse detection, races, sessions."""

from __future__ import annotations

import concurrent.futures
import uuid

import httpx

from sp404.core.settings import Settings
from tests.stack import Mailbox, Producer, signed_up


def test_a_reused_refresh_token_revokes_its_whole_session(
    api: httpx.Client, account: Producer, migrated_db: Settings
) -> None:
    first = api.post("/api/auth/refresh", json={"refresh_token": account.refresh_token}).json()
    # Pretend the rotation happened long ago, so this is a replay rather than a tab race.
    import asyncio

    import asyncpg

    async def age_rotation() -> None:
        conn = await asyncpg.connect(migrated_db.database_url)
        try:
            async with conn.transaction():
                await conn.execute("select set_config('app.user_id', $1, true)", account.user_id)
                await conn.execute(
                    "update app.refresh_tokens set rotated_at = now() - interval"
                    " '1 hour' where rotated_at is not null"
                )
        finally:
            await conn.close()

    asyncio.run(age_rotation())
    replay = api.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})
    assert replay.status_code == 401
    # The thief's replay killed the session for everyone holding its tokens.
    legit = api.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert legit.status_code == 401
    assert (
        api.get(
            "/api/account/profile", headers={"Authorization": f"Bearer {first['token']}"}
        ).status_code
        == 401
    )


def test_two_concurrent_refreshes_one_wins_and_the_session_survives(
    api: httpx.Client, account: Producer
) -> None:
    def refresh() -> httpx.Response:
        return api.post("/api/auth/refresh", json={"refresh_token": account.refresh_token})

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: refresh(), range(2)))
    statuses = sorted(r.status_code for r in results)
    assert statuses == [200, 401]
    winner = next(r for r in results if r.status_code == 200).json()
    again = api.post("/api/auth/refresh", json={"refresh_token": winner["refresh_token"]})
    assert again.status_code == 200


def test_refresh_accepts_the_http_only_cookie(api: httpx.Client, mailbox: Mailbox) -> None:
    account = signed_up(api, mailbox)
    assert "sp404_refresh" in api.cookies
    response = api.post("/api/auth/refresh")
    assert response.status_code == 200
    assert response.json()["refresh_token"] != account.refresh_token


def test_sessions_are_listed_and_one_can_be_signed_out(
    api: httpx.Client, mailbox: Mailbox, account: Producer
) -> None:
    second = api.post(
        "/api/auth/login", json={"email": account.email, "password": account.password}
    ).json()
    listed = api.get("/api/auth/sessions", headers=account.auth).json()["sessions"]
    assert len(listed) == 2
    assert sum(s["current"] for s in listed) == 1
    other = next(s for s in listed if not s["current"])
    assert api.delete(f"/api/auth/sessions/{other['id']}", headers=account.auth).status_code == 204
    # The signed-out session's access token dies at once, its refresh token too.
    assert (
        api.get(
            "/api/account/profile", headers={"Authorization": f"Bearer {second['token']}"}
        ).status_code
        == 401
    )
    assert (
        api.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]}).status_code
        == 401
    )
    assert api.get("/api/account/profile", headers=account.auth).status_code == 200


def test_revoke_others_keeps_only_the_current_session(api: httpx.Client, account: Producer) -> None:
    others = [
        api.post(
            "/api/auth/login", json={"email": account.email, "password": account.password}
        ).json()
        for _ in range(2)
    ]
    done = api.post("/api/auth/sessions/revoke-others", headers=account.auth)
    assert done.status_code == 200
    for other in others:
        assert (
            api.get(
                "/api/account/profile", headers={"Authorization": f"Bearer {other['token']}"}
            ).status_code
            == 401
        )
    assert api.get("/api/account/profile", headers=account.auth).status_code == 200


def test_another_users_session_id_answers_404(
    api: httpx.Client, mailbox: Mailbox, account: Producer
) -> None:
    victim = signed_up(api, mailbox)
    [victim_session] = api.get("/api/auth/sessions", headers=victim.auth).json()["sessions"]
    attempt = api.delete(f"/api/auth/sessions/{victim_session['id']}", headers=account.auth)
    assert attempt.status_code == 404
    missing = api.delete(f"/api/auth/sessions/{uuid.uuid4()}", headers=account.auth)
    assert missing.status_code == 404
    assert attempt.json()["error"]["message"] == missing.json()["error"]["message"]
    assert api.get("/api/account/profile", headers=victim.auth).status_code == 200
