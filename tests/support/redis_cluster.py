"""A local Redis Cluster: N masters (and optionally one replica each) on free loopback ports.

`redis-server --cluster-enabled yes` per node, joined with `redis-cli --cluster create`. Used by
the cluster tests (three masters) and `drills/redis_cluster_kill.py` (three masters, three
replicas). Nodes keep their `nodes.conf` in a temporary folder, so a killed node restarted with
`restart()` rejoins with its old identity.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.ports import free_port


class RedisClusterMissing(RuntimeError):
    """redis-server or redis-cli is not installed."""


@dataclass
class Node:
    port: int
    bus_port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--cluster-port",
                str(self.bus_port),
                "--bind",
                "127.0.0.1",
                "--cluster-enabled",
                "yes",
                "--cluster-config-file",
                "nodes.conf",
                # Fast failure detection for tests and drills (production: 15 s by default).
                "--cluster-node-timeout",
                "1500",
                # A lost master costs its own slots only; the others keep serving.
                "--cluster-require-full-coverage",
                "no",
                # A replica always stands for election, however long its master has been gone.
                "--cluster-replica-validity-factor",
                "0",
                "--repl-diskless-sync-delay",
                "0",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
                "--logfile",
                str(self.directory / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def cli(self, *args: str, timeout: float = 5) -> str:
        done = subprocess.run(
            ["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        return done.stdout

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@dataclass
class Cluster:
    nodes: list[Node]
    masters: int
    directory: Path
    killed: list[Node] = field(default_factory=list)

    @property
    def url(self) -> str:
        """A URL naming the first node (the client learns the rest from it)."""
        return f"redis://{self.nodes[0].address}/0"

    def urls(self) -> list[str]:
        return [f"redis://{n.address}/0" for n in self.nodes]

    def node_serving(self, key: str) -> Node:
        """The node that is master for `key`'s slot now."""
        for node in self.nodes:
            if node in self.killed:
                continue
            slot = int(node.cli("cluster", "keyslot", key).strip())
            for line in node.cli("cluster", "nodes").splitlines():
                parts = line.split()
                if "master" not in parts[2] or "fail" in parts[2]:
                    continue
                for span in parts[8:]:
                    if "[" in span:
                        continue
                    lo, _, hi = span.partition("-")
                    if int(lo) <= slot <= int(hi or lo):
                        port = int(parts[1].split("@")[0].rsplit(":", 1)[1])
                        return next(n for n in self.nodes if n.port == port)
        raise LookupError(key)

    def kill(self, node: Node) -> None:
        node.kill()
        self.killed.append(node)

    def restart(self, node: Node) -> None:
        node.start()
        _wait_port(node.port)
        self.killed.remove(node)

    def wait_ok(self, timeout: float = 30) -> None:
        """Until every live node reports cluster_state:ok."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            states = [n.cli("cluster", "info") for n in self.nodes if n not in self.killed]
            if all("cluster_state:ok" in s for s in states):
                return
            time.sleep(0.1)
        raise TimeoutError("the cluster did not reach cluster_state:ok")

    def wait_replicated(self, timeout: float = 30) -> None:
        """Until every live replica has finished its first sync (its link is up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(_replicated(n) for n in self.nodes if n not in self.killed):
                return
            time.sleep(0.1)
        raise TimeoutError("a replica did not finish its first sync")


def _replicated(node: Node) -> bool:
    info = node.cli("info", "replication")
    return "role:master" in info or "master_link_status:up" in info


def _wait_port(port: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"redis-server did not listen on {port}")


def _bus_free_port(taken: set[int]) -> int:
    while True:
        port = free_port()
        if port not in taken:
            taken.add(port)
            return port


@contextmanager
def running_cluster(masters: int = 3, replicas: int = 0) -> Iterator[Cluster]:
    """Start and join a cluster; stop every node (and remove its files) on exit."""
    if not (shutil.which("redis-server") and shutil.which("redis-cli")):
        raise RedisClusterMissing("redis-server and redis-cli are needed (Debian: redis-server)")
    directory = Path(tempfile.mkdtemp(prefix="sp404-redis-cluster-"))
    taken: set[int] = set()
    nodes = []
    for index in range(masters * (1 + replicas)):
        folder = directory / f"node{index}"
        folder.mkdir()
        nodes.append(Node(_bus_free_port(taken), _bus_free_port(taken), folder))
    cluster = Cluster(nodes, masters, directory)
    try:
        for node in nodes:
            node.start()
        for node in nodes:
            _wait_port(node.port)
        created = subprocess.run(
            [
                "redis-cli",
                "--cluster",
                "create",
                *(n.address for n in nodes),
                "--cluster-replicas",
                str(replicas),
                "--cluster-yes",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if created.returncode != 0:
            raise RuntimeError(f"redis-cli --cluster create failed: {created.stdout[-800:]}")
        cluster.wait_ok()
        if replicas:
            cluster.wait_replicated()
        yield cluster
    finally:
        for node in nodes:
            node.kill()
        shutil.rmtree(directory, ignore_errors=True)
