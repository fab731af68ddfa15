"""A throwaway multi-process stack for load tests and drills: its own database, its own Redis
database (or a private redis-server), and gateway, platform, engine and worker processes on free
loopback ports that a drill can kill and restart."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import httpx

from sp404.core.settings import Settings, get_settings
from tests.support import free_port
from tests.support.pgbouncer import running_pgbouncer

ROOT = Path(__file__).resolve().parents[1]
# Limits that would otherwise measure the limiter instead of the stack.
UNLIMITED_GATEWAY = {
    "SP404_GATEWAY_RATE_PER_MINUTE": str(10**9),
    "SP404_GATEWAY_ANONYMOUS_RATE_PER_MINUTE": str(10**9),
    "SP404_GATEWAY_MAX_IN_FLIGHT": "4096",
    # Locust users stand behind the load generator as behind a load balancer: each sends the
    # address it plays in X-Forwarded-For, believed through this one hop (the default is none).
    "SP404_GATEWAY_TRUSTED_PROXY_HOPS": "1",
}


def with_database(dsn: str, name: str) -> str:
    """The same server and credentials, another database."""
    return f"{dsn.rsplit('/', 1)[0]}/{name}"


def stack_settings(database: str, redis_url: str | None = None) -> Settings:
    """Settings for a stack on database `database` with its own var/ folder."""
    base = get_settings()
    return base.model_copy(
        update={
            "environment": "test",
            "database_url": with_database(base.database_url, database),
            "database_owner_url": with_database(base.database_owner_url, database),
            "database_auditor_url": with_database(base.database_auditor_url, database),
            # Database 12 of the shared Redis: never the dev (0) or test databases.
            "redis_url": redis_url or base.redis_url.rsplit("/", 1)[0] + "/12",
            "var_dir": Path(tempfile.mkdtemp(prefix=f"{database}-")),
            "log_level": "WARNING",
        }
    )


@dataclass
class Process:
    """One running child: a service (with a URL) or a worker (without)."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    port: int | None = None
    popen: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.popen is not None
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None


@dataclass
class Stack:
    """Child processes of one stack; `close()` (or the `running_stack` block) stops them all."""

    settings: Settings
    log_dir: Path
    processes: list[Process] = field(default_factory=list)

    def env(self, **extra: str) -> dict[str, str]:
        environ = os.environ.copy()
        environ.update(
            SP404_ENVIRONMENT="test",
            SP404_DATABASE_URL=self.settings.database_url,
            SP404_DATABASE_OWNER_URL=self.settings.database_owner_url,
            SP404_DATABASE_AUDITOR_URL=self.settings.database_auditor_url,
            SP404_REDIS_URL=self.settings.redis_url,
            SP404_VAR_DIR=str(self.settings.var_dir),
            SP404_LOG_LEVEL="WARNING",
            PYTHONPATH=os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        )
        environ.update(extra)
        return environ

    def service(self, name: str, **extra: str) -> Process:
        """Start `sp404 serve NAME` on a free port and wait until /healthz answers."""
        port = free_port()
        index = sum(1 for p in self.processes if p.name.startswith(name))
        process = Process(
            name=f"{name}{index + 1}",
            command=[sys.executable, "-m", "sp404.cli.main", "serve", name, "--port", str(port)],
            env=self.env(**extra),
            log=self.log_dir / f"{name}{index + 1}.log",
            port=port,
        )
        self.processes.append(process)
        self.start(process)
        return process

    def worker(self, batch_size: int = 16, **extra: str) -> Process:
        """Start `sp404 worker` (no port; it is up once its process runs)."""
        index = sum(1 for p in self.processes if p.name.startswith("worker"))
        process = Process(
            name=f"worker{index + 1}",
            command=[
                sys.executable,
                "-m",
                "sp404.cli.main",
                "worker",
                "--batch-size",
                str(batch_size),
            ],
            env=self.env(**extra),
            log=self.log_dir / f"worker{index + 1}.log",
        )
        self.processes.append(process)
        self.start(process)
        return process

    def start(self, process: Process, timeout: float = 60) -> None:
        """(Re)start a process with its command, environment and port, and wait for it."""
        with process.log.open("ab") as log:
            # Our interpreter and fixed arguments: nothing here comes from a request.
            process.popen = subprocess.Popen(
                process.command, env=process.env, cwd=ROOT, stdout=log, stderr=log
            )
        if process.port is not None:
            wait_healthy(process, timeout)

    def kill(self, process: Process, sig: int = signal.SIGKILL) -> None:
        """Send `sig` (a crash by default) and reap the process."""
        if process.alive():
            assert process.popen is not None
            process.popen.send_signal(sig)
            try:
                process.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(timeout=5)

    def close(self) -> None:
        """Stop every process: SIGTERM, then SIGKILL after 10 s."""
        for process in self.processes:
            if process.alive():
                assert process.popen is not None
                process.popen.terminate()
        deadline = time.monotonic() + 10
        for process in self.processes:
            if process.popen is None:
                continue
            try:
                process.popen.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.popen.kill()
                process.popen.wait(timeout=5)


def wait_healthy(process: Process, timeout: float = 60) -> None:
    """Block until the service answers /healthz with 200; raise if it dies or stays silent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited; see {process.log}")
        try:
            if httpx.get(f"{process.url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{process.name} did not come up in {timeout:.0f} s; see {process.log}")


@dataclass(frozen=True)
class Topology:
    """How many of each process a stack runs."""

    platforms: int = 2
    engines: int = 2
    workers: int = 1
    worker_batch: int = 16
    gateway_env: dict[str, str] = field(default_factory=dict)
    platform_env: dict[str, str] = field(default_factory=dict)
    worker_env: dict[str, str] = field(default_factory=dict)


@contextmanager
def running_stack(settings: Settings, log_dir: Path, topology: Topology) -> Iterator[Stack]:
    """Platforms (the first creates the signing key), engines, workers, then the gateway."""
    log_dir.mkdir(parents=True, exist_ok=True)
    stack = Stack(settings, log_dir)
    try:
        platforms = [
            stack.service("platform", **topology.platform_env) for _ in range(topology.platforms)
        ]
        platform_urls = _json_list([p.url for p in platforms])
        engines = [
            stack.service("engine", SP404_PLATFORM_URLS=platform_urls)
            for _ in range(topology.engines)
        ]
        for _ in range(topology.workers):
            stack.worker(topology.worker_batch, **topology.worker_env)
        stack.service(
            "gateway",
            SP404_PLATFORM_URLS=platform_urls,
            SP404_ENGINE_URLS=_json_list([e.url for e in engines]),
            **{**UNLIMITED_GATEWAY, **topology.gateway_env},
        )
        yield stack
    finally:
        stack.close()
        shutil.rmtree(settings.var_dir, ignore_errors=True)


def find(stack: Stack, name: str) -> Process:
    """The process called `name` (e.g. "engine1", "gateway1")."""
    for process in stack.processes:
        if process.name == name:
            return process
    raise LookupError(name)


def _json_list(urls: list[str]) -> str:
    return "[" + ",".join(f'"{u}"' for u in urls) + "]"


@contextmanager
def private_redis() -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server of our own on a free port, without persistence, until the block ends."""
    port = free_port()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}/0", process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=5)


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU a live process has used so far (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def through_pgbouncer(
    exits: ExitStack, settings: Settings, topology: Topology, *, platforms: int, engines: int
) -> tuple[Settings, Topology]:
    """Settings whose services reach PostgreSQL through a PgBouncer (transaction pooling, a
    quarter as many server connections as their pools hold, statement cache off), started on
    `exits`; the topology's workers keep a direct URL."""
    servers = max(2, (platforms + engines) * settings.db_pool_max // 4)
    bouncer = exits.enter_context(running_pgbouncer([settings.database_url], pool_size=servers))
    print(f"through PgBouncer on :{bouncer.port} ({servers} server connections)", flush=True)
    # Workers keep a direct URL: they wake on LISTEN/NOTIFY, which needs a session.
    topology = replace(
        topology, worker_env={**topology.worker_env, "SP404_DATABASE_URL": settings.database_url}
    )
    through = settings.model_copy(
        update={"database_url": bouncer.url(settings.database_url), "db_statement_cache_size": 0}
    )
    os.environ["SP404_DB_STATEMENT_CACHE_SIZE"] = "0"
    return through, topology
