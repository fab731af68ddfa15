"""What every drill shares: a verdict with figures, bounded background traffic that records every
answer with its time, and the counts that prove nothing was lost."""

from __future__ import annotations

import asyncio
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "platform") not in sys.path:
    sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

import aiohttp  # noqa: E402
import asyncpg  # noqa: E402

from loadtests.journey import client_address  # noqa: E402
from loadtests.seed import PASSWORD, Producer  # noqa: E402
from sp404.core.settings import Settings  # noqa: E402

# Answers that mean "the client got nothing": a transport error or a client-side timeout.
NO_ANSWER = 0


@dataclass
class Verdict:
    """A drill's outcome: PASS only when every check holds; figures explain either way."""

    name: str
    checks: dict[str, bool] = field(default_factory=dict)
    figures: dict[str, str] = field(default_factory=dict)
    skipped: str | None = None

    @property
    def passed(self) -> bool:
        return self.skipped is None and bool(self.checks) and all(self.checks.values())

    @property
    def status(self) -> str:
        return "SKIP" if self.skipped is not None else "PASS" if self.passed else "FAIL"

    def check(self, label: str, holds: bool) -> None:
        self.checks[label] = holds

    def figure(self, label: str, value: object) -> None:
        self.figures[label] = str(value)

    def report(self) -> str:
        """The multi-line printout: status, each check, each figure."""
        lines = [f"{self.status}  {self.name}" + (f" ({self.skipped})" if self.skipped else "")]
        lines += [f"  [{'ok' if ok else 'XX'}] {label}" for label, ok in self.checks.items()]
        lines += [f"  {label}: {value}" for label, value in self.figures.items()]
        return "\n".join(lines)


@dataclass(frozen=True)
class Answer:
    """One request of the background traffic."""

    path: str
    sent: float  # monotonic seconds
    elapsed: float
    status: int  # NO_ANSWER when nothing came back


async def sign_in(
    session: aiohttp.ClientSession, base: str, producer: Producer, index: int = 0
) -> tuple[str, str]:
    """(access token, refresh token) for a seeded producer, through the gateway."""
    async with session.post(
        f"{base}/api/auth/login",
        json={"email": producer.email, "password": PASSWORD},
        headers={"X-Forwarded-For": client_address(index)},
    ) as response:
        body = await response.json()
        if response.status != 200:
            raise RuntimeError(f"sign-in failed: {response.status} {body}")
        return body["token"], body["refresh_token"]


async def traffic(
    base: str,
    token: str,
    paths: list[str],
    *,
    seconds: float,
    concurrency: int = 8,
    timeout_s: float = 15.0,
    answers: list[Answer],
) -> None:
    """Closed-loop GETs of `paths` in turn for `seconds`; every answer lands in `answers`."""
    deadline = time.monotonic() + seconds
    client_timeout = aiohttp.ClientTimeout(total=timeout_s)
    headers = {"Authorization": f"Bearer {token}"}

    async def loop(offset: int) -> None:
        n = offset
        async with aiohttp.ClientSession(timeout=client_timeout) as session:
            while time.monotonic() < deadline:
                path = paths[n % len(paths)]
                n += 1
                sent = time.monotonic()
                try:
                    async with session.get(f"{base}{path}", headers=headers) as response:
                        await response.read()
                        status = response.status
                except (aiohttp.ClientError, TimeoutError):
                    status = NO_ANSWER
                answers.append(Answer(path, sent, time.monotonic() - sent, status))
                if status == NO_ANSWER:
                    await asyncio.sleep(0.05)  # a refused connection returns at once

    await asyncio.gather(*(loop(i) for i in range(concurrency)))


def histogram(answers: list[Answer]) -> str:
    """Answers by status, e.g. "200x812, 503x40" (0 = no answer)."""
    counts: dict[int, int] = {}
    for answer in answers:
        counts[answer.status] = counts.get(answer.status, 0) + 1
    return ", ".join(f"{status}x{n}" for status, n in sorted(counts.items())) or "none"


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank); 0 when empty."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


async def count_rows(settings: Settings, sql: str, *args: object) -> int:
    """One number, read as the auditor (sees every tenant, can change nothing)."""
    conn = await asyncpg.connect(settings.database_auditor_url)
    try:
        return int(await conn.fetchval(sql, *args))
    finally:
        await conn.close()


def count_blobs(settings: Settings, user_id: uuid.UUID | None = None) -> int:
    """Blobs in the stack's local store (one user's, or everyone's); dotfiles are content-type
    sidecars and unfinished `.part` uploads, not blobs."""
    root = settings.blobs_dir / "users"
    if user_id is not None:
        root = root / str(user_id)
    if not root.exists():
        return 0
    return sum(1 for path in root.rglob("*") if path.is_file() and not path.name.startswith("."))


def count_partial_uploads(settings: Settings) -> int:
    """Unfinished upload files left in the blob store (a crash mid-upload leaves these)."""
    root = settings.blobs_dir
    return sum(1 for _ in root.rglob(".*.part")) if root.exists() else 0
