"""The running stack for end-to-end tests: a platform process, an SMTP server catching its mail,
and producers who sign up through the real API."""

from __future__ import annotations

import email
import email.policy
import random
import re
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import httpx
import pytest
import redis
from aiosmtpd.controller import Controller

from sp404.core.settings import Settings
from tests.gateway_signing import as_gateway
from tests.services.conftest import service_env, wait_until_ready
from tests.support import free_port, stop

PASSWORD = "correct horse battery staple"


@dataclass
class Mailbox:
    """Everything the platform sent over SMTP, in order."""

    messages: list[EmailMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)  # type: ignore[arg-type]
        return "250 OK"

    def wait_for(self, to: str, subject_part: str, timeout: float = 15.0) -> EmailMessage:
        """The newest message to `to` whose subject contains `subject_part`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [
                    m
                    for m in self.messages
                    if m["To"] == to and subject_part.lower() in m["Subject"].lower()
                ]
            if found:
                return found[-1]
            time.sleep(0.05)
        raise TimeoutError(f"no mail to {to} about {subject_part!r}")

    def count(self, to: str) -> int:
        with self.lock:
            return sum(1 for m in self.messages if m["To"] == to)


def link_token(message: EmailMessage) -> str:
    """The token of the link in a mail."""
    body = message.get_content()
    match = re.search(r"token=([A-Za-z0-9_\-]+)", body)
    assert match, body
    return match.group(1)


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    box.port = controller.port  # type: ignore[attr-defined]
    yield box
    controller.stop()


def start_service(name: str, settings: Settings, **env: str) -> tuple[str, subprocess.Popen[bytes]]:
    """`sp404 serve NAME` on a free port against the test database; returns (url, process)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "sp404.cli.main", "serve", name, "--port", str(port)],
        env=service_env(settings, SP404_PUBLIC_URL="http://app.test", **env),
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_ready(url, process)
    return url, process


def start_platform(
    settings: Settings, mailbox: Mailbox, **extra: str
) -> tuple[str, subprocess.Popen[bytes]]:
    """The platform, sending its mail to `mailbox`."""
    return start_service(
        "platform",
        settings,
        SP404_SMTP_HOST="127.0.0.1",
        SP404_SMTP_PORT=str(mailbox.port),  # type: ignore[attr-defined]
        SP404_SMTP_STARTTLS="false",
        **extra,
    )


@pytest.fixture(scope="session")
def platform_url(migrated_db: Settings, mailbox: Mailbox) -> Iterator[str]:
    """The platform service, running as its own process against the test database."""
    redis.Redis.from_url(migrated_db.redis_url).flushdb()
    url, process = start_platform(migrated_db, mailbox)
    yield url
    stop(process)


@pytest.fixture
def api(platform_url: str) -> Iterator[httpx.Client]:
    """An HTTP client from an address of its own, so per-IP throttles do not cross tests."""
    ip = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    with httpx.Client(
        base_url=platform_url, auth=as_gateway(), headers={"X-Client-IP": ip}, timeout=20
    ) as client:
        yield client


@dataclass
class Producer:
    email: str
    password: str
    user_id: str
    token: str = ""
    refresh_token: str = ""

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def new_email() -> str:
    return f"producer-{uuid.uuid4().hex[:10]}@example.com"


def register(api: httpx.Client, address: str, password: str = PASSWORD) -> httpx.Response:
    return api.post(
        "/api/auth/register",
        json={"email": address, "password": password, "first_name": "Dee", "last_name": "Lay"},
    )


def signed_up(api: httpx.Client, mailbox: Mailbox, password: str = PASSWORD) -> Producer:
    """A registered, verified and signed-in producer."""
    address = new_email()
    created = register(api, address, password)
    assert created.status_code == 201, created.text
    token = link_token(mailbox.wait_for(address, "confirm"))
    # The link signs the producer in (one session), as it does in the browser.
    verified = api.post("/api/auth/verify", json={"token": token})
    assert verified.status_code == 200, verified.text
    body = verified.json()
    return Producer(address, password, body["user"]["id"], body["token"], body["refresh_token"])


@pytest.fixture
def account(api: httpx.Client, mailbox: Mailbox) -> Producer:
    return signed_up(api, mailbox)


def new_producer(platform_url: str, mailbox: Mailbox) -> Producer:
    """A producer signed up from an address of its own (for fixtures wider than one test)."""
    ip = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    with httpx.Client(
        base_url=platform_url, auth=as_gateway(), headers={"X-Client-IP": ip}, timeout=20
    ) as api:
        return signed_up(api, mailbox)


def engine_as(engine_url: str, producer: Producer) -> httpx.Client:
    """An HTTP client for the engine, signed in as `producer` (use it as a context manager)."""
    return httpx.Client(base_url=engine_url, auth=as_gateway(), headers=producer.auth, timeout=30)


@pytest.fixture(scope="module")
def shared_producer(platform_url: str, mailbox: Mailbox) -> Producer:
    """A Free producer shared by one module's tests, each of which leaves no trace."""
    return new_producer(platform_url, mailbox)


@pytest.fixture(scope="module")
def shared_client(engine_url: str, shared_producer: Producer) -> Iterator[httpx.Client]:
    """The engine, signed in as `shared_producer`."""
    with engine_as(engine_url, shared_producer) as http:
        yield http


@pytest.fixture(scope="session")
def engine_url(migrated_db: Settings, platform_url: str) -> Iterator[str]:
    """The engine service as its own process, trusting the test platform's JWKS."""
    url, process = start_service("engine", migrated_db, SP404_PLATFORM_URLS=f'["{platform_url}"]')
    yield url
    stop(process)


@pytest.fixture
def engine(engine_url: str) -> Iterator[httpx.Client]:
    """An HTTP client for the engine."""
    with httpx.Client(base_url=engine_url, auth=as_gateway(), timeout=30) as client:
        yield client


@pytest.fixture(scope="session")
def gateway_url(migrated_db: Settings, platform_url: str, engine_url: str) -> Iterator[str]:
    """The gateway as its own process in front of the test platform and engine."""
    url, process = start_service(
        "gateway",
        migrated_db,
        SP404_PLATFORM_URLS=f'["{platform_url}"]',
        SP404_ENGINE_URLS=f'["{engine_url}"]',
        # The tests stand where a load balancer would: their X-Forwarded-For is believed.
        SP404_GATEWAY_TRUSTED_PROXY_HOPS="1",
    )
    yield url
    stop(process)
