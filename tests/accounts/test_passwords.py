"""Password rules, hashing, change and reset."""

from __future__ import annotations

import asyncio

import bcrypt
import httpx
import pytest

from sp404.accounts.errors import WeakPassword
from sp404.accounts.passwords import (
    check_password_rules,
    hash_password,
    needs_rehash,
    verify_password,
)
from sp404.accounts.throttle import LOGIN_FAILURES_PER_ACCOUNT
from tests.stack import Mailbox, Producer, link_token, new_email, register, signed_up


def test_sixty_four_emoji_make_a_valid_password_that_signs_in(
    api: httpx.Client, mailbox: Mailbox
) -> None:
    password = "🎛️🥁" * 32
    account = signed_up(api, mailbox, password=password)
    assert account.token


@pytest.mark.parametrize("password", ["short", "password1", "qwertyuiop", "iloveyou123"])
def test_short_and_common_passwords_are_refused_with_a_reason(
    api: httpx.Client, password: str
) -> None:
    response = register(api, new_email(), password)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "weak_password"


def test_a_password_is_compared_in_full_not_truncated() -> None:
    long_password = "a-long-passphrase-" * 8  # 144 characters, past bcrypt's 72 bytes
    stored = asyncio.run(hash_password(long_password))
    assert asyncio.run(verify_password(stored, long_password))
    assert not asyncio.run(verify_password(stored, long_password + "x"))
    assert not asyncio.run(verify_password(stored, long_password[:72]))
    check_password_rules(long_password)
    with pytest.raises(WeakPassword):
        check_password_rules("x" * 5000)


def test_legacy_bcrypt_hashes_verify_and_are_marked_for_rehash() -> None:
    legacy = bcrypt.hashpw(b"old-app-password", bcrypt.gensalt(rounds=4)).decode()
    assert asyncio.run(verify_password(legacy, "old-app-password"))
    assert not asyncio.run(verify_password(legacy, "old-app-password!"))
    assert needs_rehash(legacy)
    assert not needs_rehash(asyncio.run(hash_password("fresh-argon2-password")))


def test_changing_the_password_ends_every_other_token(
    api: httpx.Client, mailbox: Mailbox, account: Producer
) -> None:
    other = api.post(
        "/api/auth/login", json={"email": account.email, "password": account.password}
    ).json()
    changed = api.post(
        "/api/account/password",
        headers=account.auth,
        json={"current_password": account.password, "new_password": "a brand new passphrase"},
    )
    assert changed.status_code == 200, changed.text
    fresh = {"Authorization": f"Bearer {changed.json()['token']}"}
    assert api.get("/api/account/profile", headers=fresh).status_code == 200
    for stale in (account.token, other["token"]):
        assert (
            api.get(
                "/api/account/profile", headers={"Authorization": f"Bearer {stale}"}
            ).status_code
            == 401
        )
    assert (
        api.post("/api/auth/refresh", json={"refresh_token": other["refresh_token"]}).status_code
        == 401
    )
    old_login = api.post(
        "/api/auth/login", json={"email": account.email, "password": account.password}
    )
    assert old_login.status_code == 401
    mailbox.wait_for(account.email, "password was changed")


def test_a_wrong_current_password_changes_nothing(api: httpx.Client, account: Producer) -> None:
    response = api.post(
        "/api/account/password",
        headers=account.auth,
        json={"current_password": "not my password", "new_password": "a brand new passphrase"},
    )
    assert response.status_code == 401
    assert api.get("/api/account/profile", headers=account.auth).status_code == 200


def test_reset_by_mail_sets_a_new_password_signs_everyone_out_and_works_once(
    api: httpx.Client, mailbox: Mailbox, account: Producer
) -> None:
    asked = api.post("/api/auth/password/forgot", json={"email": account.email})
    stranger = api.post("/api/auth/password/forgot", json={"email": new_email()})
    assert asked.status_code == stranger.status_code == 202
    assert asked.json() == stranger.json()
    token = link_token(mailbox.wait_for(account.email, "reset your"))
    weak = api.post("/api/auth/password/reset", json={"token": token, "password": "short"})
    assert weak.status_code == 422  # and the link still works:
    done = api.post(
        "/api/auth/password/reset", json={"token": token, "password": "reset passphrase ok"}
    )
    assert done.status_code == 200
    assert "token" not in done.json()  # no auto-login
    again = api.post(
        "/api/auth/password/reset", json={"token": token, "password": "another passphrase"}
    )
    assert again.status_code == 400
    assert api.get("/api/account/profile", headers=account.auth).status_code == 401
    assert (
        api.post("/api/auth/refresh", json={"refresh_token": account.refresh_token}).status_code
        == 401
    )
    login = api.post(
        "/api/auth/login", json={"email": account.email, "password": "reset passphrase ok"}
    )
    assert login.status_code == 200


def test_a_reset_link_dies_when_the_password_changes_another_way(
    api: httpx.Client, mailbox: Mailbox, account: Producer
) -> None:
    api.post("/api/auth/password/forgot", json={"email": account.email})
    token = link_token(mailbox.wait_for(account.email, "reset your"))
    api.post(
        "/api/account/password",
        headers=account.auth,
        json={"current_password": account.password, "new_password": "changed in settings"},
    )
    late = api.post(
        "/api/auth/password/reset", json={"token": token, "password": "from the old link"}
    )
    assert late.status_code == 400


def test_login_is_throttled_per_account_without_revealing_whether_it_exists(
    api: httpx.Client, mailbox: Mailbox, account: Producer
) -> None:
    ghost = new_email()
    allowed = LOGIN_FAILURES_PER_ACCOUNT.attempts
    # As a new device: without the session's refresh cookie (tests/security/test_login_lockout.py
    # shows that a device holding one still gets in).
    api.cookies.clear()
    for target in (account.email, ghost):
        statuses = [
            api.post(
                "/api/auth/login",
                json={"email": target, "password": "wrong guess!"},
                headers={"X-Client-IP": f"10.9.{i}.{len(target)}"},
            ).status_code
            for i in range(allowed + 1)
        ]
        assert statuses[:allowed] == [401] * allowed
        assert statuses[allowed] == 429
    blocked = api.post(
        "/api/auth/login", json={"email": account.email, "password": account.password}
    )
    assert blocked.status_code == 429
    assert int(blocked.headers["retry-after"]) > 0


def test_signing_in_right_after_a_reset_gives_a_token_that_works(
    api: httpx.Client, mailbox: Mailbox, account: Producer
) -> None:
    api.post("/api/auth/password/forgot", json={"email": account.email})
    token = link_token(mailbox.wait_for(account.email, "reset your"))
    api.post("/api/auth/password/reset", json={"token": token, "password": "fresh after reset"})
    login = api.post(
        "/api/auth/login", json={"email": account.email, "password": "fresh after reset"}
    )
    fresh = {"Authorization": f"Bearer {login.json()['token']}"}
    assert api.get("/api/account/profile", headers=fresh).status_code == 200
