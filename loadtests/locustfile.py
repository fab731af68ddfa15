"""A producer's journey through the gateway: arrive (a returning producer resumes the session
their browser kept, with the refresh cookie; the others sign in with their password), then
browse, filter, open, search, poll jobs, check billing, refresh the session and, rarely, upload
a clip; 3-5 s between steps.

Run by loadtests/run.py (which seeds the producers and starts the stack). Environment:
LOAD_PRODUCERS (the credentials JSON), LOAD_LATENCIES (where per-category timings are written).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from locust import between, events, task
from locust.contrib.fasthttp import FastHttpUser

from loadtests.journey import (
    LOGIN_BACKOFF_MAX_S,
    LOGIN_BACKOFF_S,
    THINK_TIME_S,
    WEIGHTS,
    category,
    client_address,
    filter_params,
    multipart,
    search_query,
    wav_clip,
)

_PRODUCERS: list[dict[str, str]] = (
    json.loads(Path(os.environ["LOAD_PRODUCERS"]).read_text())
    if "LOAD_PRODUCERS" in os.environ
    else []
)
_NEXT = itertools.count()
_LOCK = threading.Lock()
# category -> [(milliseconds, failed, seconds since the first request)], written at the end.
_TIMINGS: dict[str, list[tuple[float, bool, float]]] = defaultdict(list)
_STARTED: list[float] = []
LOGIN = "auth: login"
SHED = "shed"  # the failure message of a sign-in the platform refused to protect itself


@events.request.add_listener  # type: ignore[untyped-decorator]
def _record(name: str, response_time: float, exception: BaseException | None, **_: Any) -> None:
    now = time.monotonic()
    if not _STARTED:
        _STARTED.append(now)
    entry = (response_time, exception is not None, now - _STARTED[0])
    _TIMINGS[category(name)].append(entry)
    # Password sign-ins on their own too: they are the CPU-heavy part of "auth".
    if name == LOGIN:
        _TIMINGS["login"].append(entry)


@events.test_stop.add_listener  # type: ignore[untyped-decorator]
def _write_timings(**_: Any) -> None:
    target = os.environ.get("LOAD_LATENCIES")
    if target:
        Path(target).write_text(json.dumps(_TIMINGS))


class Producer(FastHttpUser):
    """One signed-in producer working through their library."""

    wait_time = between(*THINK_TIME_S)
    # A slow answer is a result to record, not a reason to hang the run.
    connection_timeout = 10.0
    network_timeout = 30.0

    def on_start(self) -> None:
        with _LOCK:
            index = next(_NEXT)
        self.rnd = random.Random(index)
        self.me = _PRODUCERS[index % len(_PRODUCERS)]
        self.address = client_address(index)
        self.token = ""
        self.refresh_token = ""
        self.sample_ids: list[str] = []
        self.job_ids: list[str] = []
        self.failed_logins = 0
        self.next_login = 0.0
        # A returning producer's session belongs to one simulated user only: a second user
        # presenting the same refresh token would look like a stolen one and end the session.
        kept = self.me.get("refresh_token") if index < len(_PRODUCERS) else None
        if not (kept and self.resume(kept)):
            self.sign_in()

    def signed_in(self) -> bool:
        """True when there is a token; otherwise sign in again once the back-off allows (a real
        client backs off too: retrying every step would turn a slow sign-in into a storm)."""
        if not self.token and time.monotonic() >= self.next_login:
            self.sign_in()
        return bool(self.token)

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Forwarded-For": self.address}

    def resume(self, refresh_token: str) -> bool:
        """Come back with the session the browser kept (the web app's refresh cookie); False
        when it is gone and the producer has to sign in."""
        with self.client.post(
            "/api/auth/refresh",
            headers={"X-Forwarded-For": self.address, "Cookie": f"sp404_refresh={refresh_token}"},
            name="auth: resume",
            catch_response=True,
        ) as response:
            if response.status_code != 200:
                response.failure(f"resume {response.status_code}")
                return False
            body = response.json()
            self.token, self.refresh_token = body["token"], body["refresh_token"]
            return True

    def sign_in(self) -> None:
        with self.client.post(
            "/api/auth/login",
            json={"email": self.me["email"], "password": self.me["password"]},
            headers={"X-Forwarded-For": self.address},
            name=LOGIN,
            catch_response=True,
        ) as response:
            retry_after = response.headers.get("retry-after")
            if response.status_code == 503 and retry_after and retry_after.isdigit():
                # Shed to protect the platform: come back when it says (a person would too).
                response.failure(f"login 503 {SHED}")
                self.next_login = time.monotonic() + int(retry_after)
                return
            if response.status_code != 200:
                response.failure(f"login {response.status_code}")
                self.failed_logins += 1
                backoff = min(LOGIN_BACKOFF_MAX_S, LOGIN_BACKOFF_S * 2 ** (self.failed_logins - 1))
                self.next_login = time.monotonic() + backoff * self.rnd.uniform(0.5, 1.5)
                return
            body = response.json()
            self.token, self.refresh_token = body["token"], body["refresh_token"]
            self.failed_logins = 0

    @task(WEIGHTS["refresh"])
    def refresh(self) -> None:
        if not self.refresh_token:
            self.signed_in()
            return
        with self.client.post(
            "/api/auth/refresh",
            json={"refresh_token": self.refresh_token},
            headers={"X-Forwarded-For": self.address},
            name="auth: refresh",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                body = response.json()
                self.token, self.refresh_token = body["token"], body["refresh_token"]
            elif response.status_code == 401:
                # The session is gone: sign in again (with back-off).
                response.failure("refresh 401")
                self.token = self.refresh_token = ""
                self.signed_in()
            else:
                # The access token still works for its hour; try refreshing next time.
                response.failure(f"refresh {response.status_code}")

    @task(WEIGHTS["list_samples"])
    def list_samples(self) -> None:
        if not self.signed_in():
            return
        with self.client.get(
            "/api/samples?limit=50", headers=self.headers(), name="read: list samples",
            catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code == 200:
                self.sample_ids = [s["id"] for s in response.json()["samples"]] or self.sample_ids
            else:
                response.failure(f"list {response.status_code}")

    @task(WEIGHTS["filter_samples"])
    def filter_samples(self) -> None:
        if not self.signed_in():
            return
        params = filter_params(self.rnd)
        # urlencode: keys like "C# minor" must not turn into a URL fragment.
        query = urlencode(params)
        self.client.get(
            f"/api/samples?{query}", headers=self.headers(), name="read: filter samples"
        )

    @task(WEIGHTS["open_sample"])
    def open_sample(self) -> None:
        if not self.signed_in():
            return
        if self.sample_ids:
            sample = self.rnd.choice(self.sample_ids)
            self.client.get(
                f"/api/samples/{sample}", headers=self.headers(), name="read: open sample"
            )

    @task(WEIGHTS["similar"])
    def similar(self) -> None:
        if not self.signed_in():
            return
        if self.sample_ids:
            sample = self.rnd.choice(self.sample_ids)
            self.client.get(
                f"/api/samples/{sample}/similar?limit=20",
                headers=self.headers(),
                name="read: similar",
            )

    @task(WEIGHTS["search"])
    def search(self) -> None:
        if not self.signed_in():
            return
        query = urlencode({"q": search_query(self.rnd), "limit": 20})
        self.client.get(f"/api/search?{query}", headers=self.headers(), name="read: search")

    @task(WEIGHTS["poll_jobs"])
    def poll_jobs(self) -> None:
        if not self.signed_in():
            return
        if self.job_ids:
            job = self.job_ids[-1]
            with self.client.get(
                f"/api/jobs/{job}", headers=self.headers(), name="read: job",
                catch_response=True,
            ) as response:  # fmt: skip
                if response.status_code == 200 and response.json()["status"] in ("done", "dead"):
                    self.job_ids.pop()
        else:
            self.client.get("/api/jobs?limit=20", headers=self.headers(), name="read: jobs")

    @task(WEIGHTS["billing"])
    def billing(self) -> None:
        if not self.signed_in():
            return
        self.client.get("/api/billing/subscription", headers=self.headers(), name="read: billing")

    @task(WEIGHTS["upload"])
    def upload(self) -> None:
        if not self.signed_in():
            return
        body, content_type = multipart(wav_clip(self.rnd), "clip.wav", "load test clip")
        with self.client.post(
            "/api/samples",
            data=body,  # type: ignore[arg-type]  # geventhttpclient sends bytes as they are
            headers={**self.headers(), "Content-Type": content_type},
            name="upload: sample",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                created = response.json()
                if created.get("job_id"):
                    self.job_ids.append(created["job_id"])
            else:
                response.failure(f"upload {response.status_code}")
