"""The whole stack behind a real gateway serving the built web app, and headless Chromium.

Reuses tests/stack.py (platform, engine, SMTP mailbox); adds the gateway with `web/dist` and a
Playwright browser. The SPA is built once per session when `web/dist` is missing or older than
its sources, with the Node.js that scripts/ensure_node.sh picks (or installs into the venv).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from sp404.core.settings import Settings
from tests.services.conftest import service_env
from tests.support import free_port, stop
from tests.support.chromium import AUDIO_ARGS, CHROMIUM

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "web"
# SP404_TEST_WEB_DIST builds into another folder, so two suites can build side by side.
DIST = Path(os.environ.get("SP404_TEST_WEB_DIST", str(WEB / "dist")))
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# The audition tests play sound, so every page gets the audio flags.
CHROMIUM_ARGS = AUDIO_ARGS
ENSURE_NODE = ROOT / "scripts" / "ensure_node.sh"
BUILD_INPUTS = ("src", "index.html", "package.json", "package-lock.json", "vite.config.ts")


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in BUILD_INPUTS:
        path = WEB / name
        files = path.rglob("*") if path.is_dir() else [path]
        newest = max([newest, *(f.stat().st_mtime for f in files if f.is_file())])
    return newest


def node_env(path: str | None = None) -> dict[str, str]:
    """The environment with scripts/ensure_node.sh's Node.js first on PATH (installed if needed)."""
    env = dict(os.environ, PATH=os.environ["PATH"] if path is None else path)
    result = subprocess.run(
        ["bash", str(ENSURE_NODE)], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        # Never a skip: a machine without Node.js must not pass with the web tests left out.
        pytest.fail(f"no Node.js for the web app:\n{result.stderr}", pytrace=False)
    env["PATH"] = os.pathsep.join([result.stdout.strip(), env["PATH"]])
    return env


def web_npm() -> tuple[str, dict[str, str]]:
    """npm and its environment, with the lock file's packages installed in `web/`."""
    env = node_env()
    npm = shutil.which("npm", path=env["PATH"])
    assert npm is not None, "scripts/ensure_node.sh answered a directory without npm"
    if not (WEB / "node_modules").is_dir():
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=WEB, env=env, check=True)
    return npm, env


@pytest.fixture(scope="session")
def web_dist() -> Path:
    """`web/dist`, rebuilt when a source file is newer than the last build."""
    index = DIST / "index.html"
    if not index.is_file() or index.stat().st_mtime < _newest_source_mtime():
        npm, env = web_npm()
        subprocess.run(
            [npm, "run", "build", "--", "--outDir", str(DIST), "--emptyOutDir"],
            cwd=WEB,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return DIST


@pytest.fixture(scope="session")
def web_url(
    migrated_db: Settings, platform_url: str, engine_url: str, web_dist: Path
) -> Iterator[str]:
    """A gateway in front of the test platform and engine, serving the built web app."""
    port = free_port()
    env = service_env(
        migrated_db,
        SP404_PLATFORM_URLS=json.dumps([platform_url]),
        SP404_ENGINE_URLS=json.dumps([engine_url]),
        SP404_GATEWAY_WEB_DIST=str(web_dist),
        # Each browser context plays a producer at an address of its own (see `page`), sent
        # the way a load balancer would: per-address sign-in limits then stay per producer.
        SP404_GATEWAY_TRUSTED_PROXY_HOPS="1",
        PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "sp404.cli.main", "serve", "gateway", "--port", str(port)],
        env=env,
        cwd=ROOT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"the gateway exited with {process.returncode}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError("the gateway did not come up")
        time.sleep(0.1)
    yield url
    stop(process)


@pytest.fixture(scope="session")
def playwright(web_url: str) -> Iterator[Playwright]:
    """Playwright's driver, started after the stack: from here on its event loop counts as
    running in this thread, so pytest-asyncio's session fixtures must already be set up."""
    if not CHROMIUM.is_file():
        pytest.fail(
            f"no Chromium at {CHROMIUM}: apt-get install chromium (make test does), or point "
            "SP404_CHROMIUM at one",
            pytrace=False,
        )
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium (never a downloaded browser)."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


class PageProblems:
    """What the browser console said was wrong: script errors and CSP violations."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.messages.append(message.text)

    def on_page_error(self, error: Exception) -> None:
        self.messages.append(str(error))


def producer_address() -> str:
    """An address of its own for one browser context."""
    octets = uuid.uuid4().bytes[:3]
    return f"10.{octets[0]}.{octets[1]}.{octets[2]}"


@pytest.fixture
def page(browser: Browser, web_url: str) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the web app; fails on script or CSP errors."""
    context = browser.new_context(
        base_url=web_url,
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"X-Forwarded-For": producer_address()},
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    problems = PageProblems()
    page.on("console", problems.on_console)
    page.on("pageerror", problems.on_page_error)
    yield page
    context.close()
    assert problems.messages == []


def screenshot(page: Page, name: str) -> None:
    """Save the page as tests/web/artifacts/<name>.png for people to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def run_async(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine on a loop of its own thread, out of the way of Playwright's loop."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as exc:  # re-raised in the test's thread
            errors.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result[0] if result else None


def set_usage(settings: Settings, user_id: str, *, storage_bytes: int) -> None:
    """Set a producer's stored bytes as the quota sees them (inside their tenant transaction)."""

    async def update() -> None:
        conn = await asyncpg.connect(settings.database_url)
        try:
            async with conn.transaction():
                await conn.execute("select set_config('app.user_id', $1, true)", user_id)
                await conn.execute(
                    "update app.usage_counters set storage_bytes = $1", storage_bytes
                )
        finally:
            await conn.close()

    run_async(update())
