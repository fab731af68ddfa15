"""Sign-up to sign-out, as a producer lives it."""

from __future__ import annotations

import asyncio
import time

import asyncpg
import httpx

from sp404.core.settings import Settings
from tests.stack import PASSWORD, Mailbox, link_token, new_email, register


def test_register_verify_login_use_refresh_logout(api: httpx.Client, mailbox: Mailbox) -> None:
    address = new_email()
    created = register(api, address)
    assert created.status_code == 201
    body = created.json()
    assert body["message"] == "Registration successful. Please verify your email."
    assert body["user"]["email"] == address
    assert set(body["user"]) >= {"id", "email", "first_name", "last_name"}

    mail = mailbox.wait_for(address, "confirm")
    assert "http://app.test/verify-email?token=" in mail.get_content()

    refused = api.post("/api/auth/login", json={"email": address, "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "email_not_verified"

    assert api.post("/api/auth/verify", json={"token": link_token(mail)}).status_code == 200

    login = api.post("/api/auth/login", json={"email": address, "password": PASSWORD})
    assert login.status_code == 200
    tokens = login.json()
    assert tokens["expires_in"] == 3600
    assert tokens["user"] == {"id": body["user"]["id"], "email": address, "tier": "free"}
    auth = {"Authorization": f"Bearer {tokens['token']}"}

    me = api.get("/api/account/profile", headers=auth)
    assert me.status_code == 200
    assert me.json()["email_verified"] is True

    refreshed = api.post("/api/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    new = refreshed.json()
    assert new["token"] != tokens["token"] and new["refresh_token"] != tokens["refresh_token"]
    new_auth = {"Authorization": f"Bearer {new['token']}"}

    out = api.post(
        "/api/auth/logout", headers=new_auth, json={"refresh_token": new["refresh_token"]}
    )
    assert out.json() == {"message": "Logged out successfully"}

    # Every token of the session is dead: the old and new access tokens, both refresh tokens.
    assert api.get("/api/account/profile", headers=new_auth).status_code == 401
    assert api.get("/api/account/profile", headers=auth).status_code == 401
    for refresh_token in (tokens["refresh_token"], new["refresh_token"]):
        again = api.post("/api/auth/refresh", json={"refresh_token": refresh_token})
        assert again.status_code == 401


def test_verification_links_work_once(api: httpx.Client, mailbox: Mailbox) -> None:
    address = new_email()
    register(api, address)
    token = link_token(mailbox.wait_for(address, "confirm"))
    assert api.post("/api/auth/verify", json={"token": token}).status_code == 200
    second = api.post("/api/auth/verify", json={"token": token})
    assert second.status_code == 400
    assert second.json()["error"]["code"] == "invalid_or_expired_token"


def test_the_verification_link_signs_in_the_device_that_opens_it(
    api: httpx.Client, mailbox: Mailbox
) -> None:
    address = new_email()
    user_id = register(api, address).json()["user"]["id"]
    verified = api.post(
        "/api/auth/verify", json={"token": link_token(mailbox.wait_for(address, "confirm"))}
    )
    assert verified.status_code == 200
    body = verified.json()
    assert body["message"] == "Email verified. You are signed in."
    assert body["user"] == {"id": user_id, "email": address, "tier": "free"}
    # The web app keeps the refresh token in an HttpOnly cookie, as after a sign-in.
    assert "sp404_refresh" in verified.headers["set-cookie"]
    assert "HttpOnly" in verified.headers["set-cookie"]

    me = api.get("/api/account/profile", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.json()["email_verified"] is True
    sessions = api.get("/api/auth/sessions", headers={"Authorization": f"Bearer {body['token']}"})
    assert sessions.status_code == 200 and len(sessions.json()["sessions"]) == 1
    # The session is a real one: its refresh token rotates like a sign-in's.
    refreshed = api.post("/api/auth/refresh", json={"refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200


def test_a_taken_email_gets_the_same_answer_and_its_owner_is_told(
    api: httpx.Client, mailbox: Mailbox
) -> None:
    address = new_email()
    first = register(api, address)
    second = register(api, address.upper())
    assert second.status_code == first.status_code == 201
    assert second.json()["message"] == first.json()["message"]
    assert set(second.json()["user"]) == set(first.json()["user"])
    assert second.json()["user"]["id"] != first.json()["user"]["id"]
    mailbox.wait_for(address, "tried to sign up")


def test_resend_sends_a_fresh_link_and_answers_the_same_for_strangers(
    api: httpx.Client, mailbox: Mailbox
) -> None:
    address = new_email()
    register(api, address)
    mailbox.wait_for(address, "confirm")
    resent = api.post("/api/auth/verify/resend", json={"email": address})
    stranger = api.post("/api/auth/verify/resend", json={"email": new_email()})
    assert resent.status_code == stranger.status_code == 202
    assert resent.json() == stranger.json()
    deadline_count = 2
    for _ in range(100):
        if mailbox.count(address) >= deadline_count:
            break
        time.sleep(0.1)
    assert mailbox.count(address) == 2


def test_wrong_password_and_unknown_email_are_the_same_401(
    api: httpx.Client, mailbox: Mailbox
) -> None:
    address = new_email()
    register(api, address)
    wrong = api.post("/api/auth/login", json={"email": address, "password": PASSWORD + "x"})
    unknown = api.post("/api/auth/login", json={"email": new_email(), "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]
    assert wrong.json()["error"]["code"] == "invalid_credentials"


def test_jwks_lists_the_signing_key(api: httpx.Client) -> None:
    jwks = api.get("/.well-known/jwks.json").json()
    assert jwks["keys"] and all(k["alg"] == "RS256" and k["use"] == "sig" for k in jwks["keys"])


def test_an_expired_verification_link_is_refused_and_a_resend_works(
    api: httpx.Client, mailbox: Mailbox, migrated_db: Settings
) -> None:
    address = new_email()
    user_id = register(api, address).json()["user"]["id"]
    token = link_token(mailbox.wait_for(address, "confirm"))
    asyncio.run(_expire_links(migrated_db, user_id))
    refused = api.post("/api/auth/verify", json={"token": token})
    assert refused.status_code == 400
    assert api.post("/api/auth/verify/resend", json={"email": address}).status_code == 202
    for _ in range(100):
        fresh = link_token(mailbox.wait_for(address, "confirm"))
        if fresh != token:
            break
        time.sleep(0.1)
    assert api.post("/api/auth/verify", json={"token": fresh}).status_code == 200


async def _expire_links(settings: Settings, user_id: str) -> None:
    conn = await asyncpg.connect(settings.database_url)
    try:
        async with conn.transaction():
            await conn.execute("select set_config('app.user_id', $1, true)", user_id)
            await conn.execute(
                "update app.email_tokens set expires_at = now() - interval '1 minute'"
            )
    finally:
        await conn.close()
