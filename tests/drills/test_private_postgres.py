"""The PostgreSQL drill's own cluster: the project's roles on a port of its own, and nothing
of it left afterwards (the shared server is never restarted)."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import asyncpg

from drills.private_postgres import on_port, pointed_at, private_cluster
from sp404.core.settings import Settings


def test_urls_move_to_the_private_port_keeping_role_password_and_database() -> None:
    url = "postgresql://sp404_app:s3cret@127.0.0.1:5432/sp404_drill"
    assert on_port(url, 61234) == "postgresql://sp404_app:s3cret@127.0.0.1:61234/sp404_drill"


def test_every_database_url_of_the_stack_points_at_the_private_cluster(settings: Settings) -> None:
    moved = pointed_at(settings, 61234)
    for url in (moved.database_url, moved.database_owner_url, moved.database_auditor_url):
        assert "@127.0.0.1:61234/" in url
    assert moved.database_url.split("@")[0] == settings.database_url.split("@")[0]


async def _roles(url: str) -> list[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("select rolname from pg_roles where rolname like 'sp404%'")
        return sorted(row["rolname"] for row in rows)
    finally:
        await conn.close()


def test_a_private_cluster_takes_the_projects_roles_and_vanishes_afterwards(
    settings: Settings,
) -> None:
    with private_cluster(settings) as cluster:
        moved = pointed_at(settings, cluster.port)
        # The migrator signs in with its development password, exactly as `sp404 db migrate` will.
        owner = moved.database_owner_url.rsplit("/", 1)[0] + "/postgres"
        roles = asyncio.run(_roles(owner))
        cluster.stop("immediate")  # a crash, then recovery: the drill's second outage
        cluster.start()
        again = asyncio.run(_roles(owner))
        home = cluster.data_dir.parent
        port = cluster.port
    expected = ["sp404_app", "sp404_auditor", "sp404_definer", "sp404_migrator", "sp404_owner"]
    assert roles == again == expected
    assert not Path(home).exists()
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0
