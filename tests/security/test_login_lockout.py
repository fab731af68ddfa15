"""Wrong passwords keep a guesser out without locking the owner out.

Failures are counted per (account, client address) and per account. Ten from one address lock
that address out of that account; the account as a whole locks only after many more, spread over
addresses, and even then a device that holds a live session of the account (its refresh cookie)
still signs in.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import pytest

from sp404.accounts.throttle import LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_ACCOUNT_ADDRESS
from tests.gateway_signing import as_gateway
from tests.stack import Mailbox, Producer, link_token, signed_up

WRONG = "wrong guess!"
Login = Callable[..., int]


def _address() -> str:
    octets = uuid.uuid4().bytes[:3]
    return f"10.{octets[0]}.{octets[1]}.{octets[2]}"


@pytest.fixture
def login(platform_url: str) -> Login:
    """Sign in from an address, with or without a device's refresh cookie (no cookie jar)."""

    def attempt(email: str, password: str, address: str, cookie: str | None = None) -> int:
        headers = {"X-Client-IP": address}
        if cookie is not None:
            headers["Cookie"] = f"sp404_refresh={cookie}"
        response = httpx.post(
            f"{platform_url}/api/auth/login",
            auth=as_gateway(),
            json={"email": email, "password": password},
            headers=headers,
            timeout=20,
        )
        if response.status_code == 429:
            assert response.json()["error"]["code"] == "too_many_attempts"
            assert int(response.headers["retry-after"]) > 0
        return response.status_code

    return attempt


def test_an_attacker_failing_from_one_address_does_not_lock_the_owner_out(
    login: Login, account: Producer
) -> None:
    attacker = _address()
    allowed = LOGIN_FAILURES_PER_ACCOUNT_ADDRESS.attempts
    statuses = [login(account.email, WRONG, attacker) for _ in range(allowed + 5)]
    assert statuses[:allowed] == [401] * allowed
    assert set(statuses[allowed:]) == {429}
    # The attacker's address stays locked out of the account, even with the right password...
    assert login(account.email, account.password, attacker) == 429
    # ...while the owner, from anywhere else, signs in.
    assert login(account.email, account.password, _address()) == 200


def test_a_spread_out_attack_locks_the_account_but_not_a_device_with_a_session(
    login: Login, api: httpx.Client, mailbox: Mailbox, account: Producer
) -> None:
    per_address = LOGIN_FAILURES_PER_ACCOUNT_ADDRESS.attempts // 2
    failures = 0
    while failures < LOGIN_FAILURES_PER_ACCOUNT.attempts:
        address = _address()
        for _ in range(min(per_address, LOGIN_FAILURES_PER_ACCOUNT.attempts - failures)):
            assert login(account.email, WRONG, address) == 401
            failures += 1
    # Now the account is locked for a new device, right password or not...
    assert login(account.email, WRONG, _address()) == 429
    assert login(account.email, account.password, _address()) == 429
    # ...and another account's session does not open it...
    other = signed_up(api, mailbox)
    assert login(account.email, account.password, _address(), other.refresh_token) == 429
    # ...but the owner's signed-in device still gets in, with the right password only.
    assert login(account.email, WRONG, _address(), account.refresh_token) == 401
    assert login(account.email, account.password, _address(), account.refresh_token) == 200


def test_a_password_reset_reopens_an_account_a_spread_out_attack_locked(
    login: Login, api: httpx.Client, mailbox: Mailbox, account: Producer
) -> None:
    per_address = LOGIN_FAILURES_PER_ACCOUNT_ADDRESS.attempts // 2
    attackers = [_address() for _ in range(LOGIN_FAILURES_PER_ACCOUNT.attempts // per_address)]
    for address in attackers:
        for _ in range(per_address):
            assert login(account.email, WRONG, address) == 401
    assert login(account.email, account.password, _address()) == 429
    # The owner resets by mail (which ends every session that could have let them past)...
    assert api.post("/api/auth/password/forgot", json={"email": account.email}).status_code < 300
    token = link_token(mailbox.wait_for(account.email, "reset your"))
    new_password = "back in after the attack"
    reset = api.post("/api/auth/password/reset", json={"token": token, "password": new_password})
    assert reset.status_code < 300
    # ...and the new password opens the account at once, from a new device...
    assert login(account.email, new_password, _address()) == 200
    # ...while an address that hammered it alone stays locked out.
    hammer = _address()
    for _ in range(LOGIN_FAILURES_PER_ACCOUNT_ADDRESS.attempts):
        login(account.email, WRONG, hammer)
    assert login(account.email, new_password, hammer) == 429
