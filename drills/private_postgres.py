"""A throwaway PostgreSQL cluster of the drill's own: initdb into a temporary folder with the
same major version's binaries as the shared server, listening on 127.0.0.1 and a free port with
trust authentication, and bootstrapped by the project's own scripts/bootstrap_db.sh. A drill may
restart or crash it; nobody else's database goes with it."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from loadtests.stack import ROOT
from sp404.core.settings import Settings
from tests.support import free_port

PG_ROOT = Path("/usr/lib/postgresql")
BOOTSTRAP = ROOT / "scripts" / "bootstrap_db.sh"
# Small: a few databases for one drill, and it must start in a second or two.
CONF = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
shared_buffers = 64MB
max_connections = 100
fsync = on
logging_collector = off
log_min_messages = warning
"""
# Trust on loopback and the private socket only: the cluster lives for one drill and listens on
# 127.0.0.1, so the passwords the services send are accepted without a check.
HBA = """
local all all trust
host  all all 127.0.0.1/32 trust
"""


def major_version(settings: Settings) -> str:
    """The shared server's major version: the binaries every other test runs on."""
    # pg_lsclusters (postgresql-common) names the shared cluster's version without connecting.
    found = subprocess.run(
        ["/usr/bin/pg_lsclusters", "--no-header"], capture_output=True, text=True, check=False
    )
    port = str(urlsplit(settings.database_owner_url).port or 5432)
    for line in found.stdout.splitlines():
        fields = line.split()
        if len(fields) >= 3 and fields[2] == port:
            return fields[0]
    installed = sorted((p.name for p in PG_ROOT.iterdir() if p.name.isdigit()), key=int)
    if not installed:
        raise RuntimeError(f"no PostgreSQL binaries under {PG_ROOT}")
    return installed[-1]


def on_port(url: str, port: int) -> str:
    """The same role, password and database on 127.0.0.1:`port`."""
    parts = urlsplit(url)
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit(parts._replace(netloc=f"{userinfo}127.0.0.1:{port}"))


def pointed_at(settings: Settings, port: int) -> Settings:
    """`settings` with every database URL moved to the private cluster on `port`."""
    return settings.model_copy(
        update={
            "database_url": on_port(settings.database_url, port),
            "database_owner_url": on_port(settings.database_owner_url, port),
            "database_auditor_url": on_port(settings.database_auditor_url, port),
        }
    )


@dataclass
class Cluster:
    """A running private cluster: its binaries, data folder, port, and how to restart it."""

    bin_dir: Path
    data_dir: Path
    log: Path
    port: int
    version: str

    def _as_owner(self) -> list[str]:
        # initdb and postgres refuse to run as root; the Debian packages' `postgres` user will do.
        return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def pg_ctl(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        """Run pg_ctl on this cluster (fixed arguments; nothing comes from a request)."""
        command = [*self._as_owner(), str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir)]
        return subprocess.run(  # noqa: S603 - our binaries and folders, fixed flags
            [*command, "-l", str(self.log), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        done = self.pg_ctl("-w", "-t", "60", "start")
        if done.returncode != 0:
            raise RuntimeError(f"pg_ctl start failed: {done.stderr.strip()}; see {self.log}")

    def stop(self, mode: str = "fast") -> None:
        """Stop it: `fast` ends sessions cleanly, `immediate` is a crash (recovery on start)."""
        self.pg_ctl("-w", "-t", "60", "-m", mode, "stop")


def _initdb(bin_dir: Path, data_dir: Path, owner: list[str]) -> None:
    done = subprocess.run(  # noqa: S603 - our binaries and folders, fixed flags
        [*owner, str(bin_dir / "initdb"), "-D", str(data_dir), "-U", "postgres",
         "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise RuntimeError(f"initdb failed: {done.stderr.strip()}")


def _bootstrap(port: int) -> None:
    """Roles and databases exactly as for development: the project's script, on our port."""
    if not (ROOT / ".env").exists():
        # Without .env the script would write one pointing at this throwaway cluster.
        raise RuntimeError(".env is missing: run `make setup` first")
    done = subprocess.run(  # noqa: S603 - the project's own script
        ["/bin/bash", str(BOOTSTRAP)],
        env={**os.environ, "SP404_PG_PORT": str(port), "PGCONNECT_TIMEOUT": "5"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bootstrap_db.sh failed: {done.stderr.strip() or done.stdout}")


@contextmanager
def private_cluster(settings: Settings) -> Iterator[Cluster]:
    """initdb, start and bootstrap a cluster of our own; stop and delete it when the block ends."""
    version = major_version(settings)
    bin_dir = PG_ROOT / version / "bin"
    home = Path(tempfile.mkdtemp(prefix="sp404-drill-pg-"))
    owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
        owner = ["runuser", "-u", "postgres", "--"]
    cluster = Cluster(bin_dir, home / "data", home / "postgres.log", free_port(), version)
    try:
        _initdb(bin_dir, cluster.data_dir, owner)
        with (cluster.data_dir / "postgresql.conf").open("a") as conf:
            conf.write(CONF.format(port=cluster.port, sockets=home))
        (cluster.data_dir / "pg_hba.conf").write_text(HBA)
        cluster.start()
        _bootstrap(cluster.port)
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(home, ignore_errors=True)
