"""A PgBouncer in transaction mode on a free loopback port, in front of the local PostgreSQL.

Used by the tests (the RLS families run through it), the PgBouncer benchmark and
`loadtests.run --pgbouncer`. Debian's package: `scripts/ensure_pgbouncer.sh` installs it when it
is missing. PgBouncer 1.18 (Debian 12) has no `max_prepared_statements` (that arrived in 1.21),
so clients behind it turn asyncpg's statement cache off (`statement_cache_size=0`).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from tests.support.ports import free_port

ROOT = Path(__file__).resolve().parents[2]
# The alias every test and benchmark may use for a pool of exactly one server connection.
SINGLE = "single"


class PgBouncerMissing(RuntimeError):
    """PgBouncer is not installed and could not be installed here."""


def pgbouncer_binary() -> str:
    """The pgbouncer executable, installed with apt when missing (PgBouncerMissing otherwise)."""
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None
    )
    if found:
        return found
    script = ROOT / "scripts" / "ensure_pgbouncer.sh"
    done = subprocess.run(["bash", str(script)], capture_output=True, text=True, check=False)
    found = shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None
    )
    if done.returncode != 0 or not found:
        raise PgBouncerMissing(
            f"pgbouncer is not installed and scripts/ensure_pgbouncer.sh could not install it: "
            f"{(done.stderr or done.stdout).strip()[-300:]}"
        )
    return found


@dataclass(frozen=True)
class PgBouncer:
    """A running PgBouncer: rewrite a PostgreSQL URL to go through it with `url()`."""

    port: int
    directory: Path
    pid: int

    def cpu_seconds(self) -> float:
        """User + system CPU this PgBouncer has used so far (Linux /proc)."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def url(self, dsn: str, *, database: str | None = None) -> str:
        """`dsn` with host and port replaced by this PgBouncer's (and optionally the database)."""
        parts = urlsplit(dsn)
        userinfo = parts.netloc.rsplit("@", 1)[0]
        path = parts.path if database is None else f"/{database}"
        return urlunsplit(
            (parts.scheme, f"{userinfo}@127.0.0.1:{self.port}", path, parts.query, "")
        )


def _credentials(dsns: list[str]) -> dict[str, str]:
    users: dict[str, str] = {}
    for dsn in dsns:
        parts = urlsplit(dsn)
        if parts.username:
            users[parts.username] = parts.password or ""
    return users


def _wait_port(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pgbouncer exited: {log.read_text()[-1000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"pgbouncer did not listen on {port}: {log.read_text()[-1000:]}")


@contextmanager
def running_pgbouncer(
    dsns: list[str],
    *,
    single_database: str | None = None,
    pool_size: int = 20,
    extra: Mapping[str, str] | None = None,
) -> Iterator[PgBouncer]:
    """Start PgBouncer (transaction pooling) for the users in `dsns`; stop it on exit.

    Every database of the server is reachable under its own name; `single_database`, when
    given, is also reachable as `single` with a pool of ONE server connection per user, so two
    clients are forced to share it.
    """
    binary = pgbouncer_binary()
    server = urlsplit(dsns[0])
    host, pg_port = server.hostname or "127.0.0.1", server.port or 5432
    directory = Path(tempfile.mkdtemp(prefix="sp404-pgbouncer-"))
    port = free_port()
    users = _credentials(dsns)
    userlist = directory / "userlist.txt"
    userlist.write_text("".join(f'"{u}" "{p}"\n' for u, p in users.items()))
    databases = [f"* = host={host} port={pg_port}"]
    if single_database:
        databases.insert(
            0, f"{SINGLE} = host={host} port={pg_port} dbname={single_database} pool_size=1"
        )
    settings = {
        "listen_addr": "127.0.0.1",
        "listen_port": str(port),
        "unix_socket_dir": "",
        "auth_type": "scram-sha-256",
        "auth_file": str(userlist),
        "pool_mode": "transaction",
        "default_pool_size": str(pool_size),
        "max_client_conn": "500",
        "server_reset_query": "",
        "ignore_startup_parameters": "extra_float_digits,options",
        "logfile": str(directory / "pgbouncer.log"),
        "pidfile": str(directory / "pgbouncer.pid"),
        "admin_users": ",".join(users),
        "stats_users": ",".join(users),
        **(extra or {}),
    }
    config = directory / "pgbouncer.ini"
    config.write_text(
        "[databases]\n"
        + "\n".join(databases)
        + "\n\n[pgbouncer]\n"
        + "".join(f"{k} = {v}\n" for k, v in settings.items())
    )
    log = directory / "pgbouncer.log"
    log.touch()
    command = [binary, "-q", str(config)]
    if os.geteuid() == 0:
        # PgBouncer refuses to run as root: it drops to `postgres`, who then owns its files.
        command[1:1] = ["-u", "postgres"]
        owner = pwd.getpwnam("postgres")
        for path in (directory, userlist, config, log):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, process, log)
        yield PgBouncer(port=port, directory=directory, pid=process.pid)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)
