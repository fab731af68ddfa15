"""A drill's own stack: a fresh database named for the drill, seeded producers, processes."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

from drills.private_postgres import pointed_at
from loadtests.seed import Producer, analyse_tables, fresh_database, seed_producers
from loadtests.stack import ROOT, Stack, Topology, running_stack, stack_settings

LOGS = ROOT / "loadtests" / "reports" / "drills"
# Drills need one of each: the point is what happens when one of them fails.
SMALL = Topology(platforms=1, engines=1, workers=0)


@contextmanager
def drill_stack(
    database: str,
    *,
    users: int = 1,
    tier: str = "enterprise",
    samples_each: int = 4,
    topology: Topology = SMALL,
    redis_url: str | None = None,
    database_port: int | None = None,
) -> Iterator[tuple[Stack, list[Producer]]]:
    """Fresh database `database`, `users` seeded producers, and the stack, until the block ends.

    `database_port` moves every database URL to a drill's private cluster on 127.0.0.1.
    """
    settings = stack_settings(database, redis_url)
    if database_port is not None:
        settings = pointed_at(settings, database_port)
    asyncio.run(fresh_database(settings, database))
    producers = asyncio.run(seed_producers(settings, users, samples_each=samples_each, tier=tier))
    asyncio.run(analyse_tables(settings))
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    with running_stack(settings, LOGS / f"{database}-{stamp}", topology) as stack:
        yield stack, producers
