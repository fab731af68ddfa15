"""A short schemathesis run inside the suite: the engine's operations, through a gateway, against
a library seeded through the API, with the stateful phase following the document's links. Any 5xx
or response outside its schema fails the build, and so does losing the reach into the engine."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from analysis_engine.app import create_app
from loadtests.fuzz import fuzz_command
from loadtests.fuzz_reach import reach
from loadtests.fuzz_seed import fuzz_config_toml, seed_library
from loadtests.stack import UNLIMITED_GATEWAY
from sp404.core.settings import REPO_ROOT, Settings
from tests.stack import Mailbox, Producer, signed_up, start_service, stop

# Seconds of fuzzing (the seeding and start-up come on top: a few seconds).
BUDGET_S = 50
# Engine operations that must get an answer other than 404 (of 47; 21 before links and seeds),
# and that must succeed (2xx) at least once (41 on this machine).
MIN_REACHED = 44
MIN_SUCCEEDED = 36


@pytest.fixture(scope="module")
def fuzz_gateway(migrated_db: Settings, platform_url: str, engine_url: str) -> Iterator[str]:
    """A gateway of the fuzzer's own, without the per-user rate limit (it would measure only
    the limiter), in front of the suite's platform and engine."""
    url, process = start_service(
        "gateway",
        migrated_db,
        SP404_PLATFORM_URLS=f'["{platform_url}"]',
        SP404_ENGINE_URLS=f'["{engine_url}"]',
        **UNLIMITED_GATEWAY,
    )
    yield url
    stop(process)


@pytest.fixture(scope="module")
def fuzzer(fuzz_gateway: str, mailbox: Mailbox) -> Producer:
    """The fuzzer's producer, signed up through the gateway like any client."""
    with httpx.Client(base_url=fuzz_gateway, timeout=20) as api:
        return signed_up(api, mailbox)


def test_a_short_fuzz_of_the_engine_finds_no_5xx_and_reaches_its_operations(
    migrated_db: Settings, fuzz_gateway: str, fuzzer: Producer, tmp_path: Path
) -> None:
    document = create_app(migrated_db).openapi()
    schema = tmp_path / "engine.json"
    schema.write_text(json.dumps(document))
    with httpx.Client(base_url=fuzz_gateway, headers=fuzzer.auth, timeout=30) as api:
        ids = seed_library(api)
    config = tmp_path / "schemathesis.toml"
    config.write_text(fuzz_config_toml(ids))
    command = fuzz_command(
        str(schema),
        tmp_path,
        max_examples=5,
        exclude=None,
        config=config,
        base_url=fuzz_gateway,
        max_time_s=BUDGET_S,
    )
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "loadtests.fuzz_hooks",
        # The hooks module lives in the checkout, which schemathesis (run in tmp_path) needs on
        # its path.
        "PYTHONPATH": str(REPO_ROOT),
        "FUZZ_PLATFORM_URL": fuzz_gateway,
        "FUZZ_EMAIL": fuzzer.email,
        "FUZZ_PASSWORD": fuzzer.password,
    }
    started = time.monotonic()
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=BUDGET_S + 60
    )
    took = time.monotonic() - started
    reports = list(tmp_path.glob("*.ndjson"))
    assert reports, f"schemathesis wrote no report:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    reached, total, statuses = reach(reports[0], document)
    print(f"fuzzed {took:.0f} s; engine operations answered other than 404: {reached}/{total}")
    assert done.returncode == 0, done.stdout[-8000:]
    assert reached >= MIN_REACHED, statuses
    succeeded = sum(1 for codes in statuses.values() if any(200 <= c < 300 for c in codes))
    assert succeeded >= MIN_SUCCEEDED, statuses
