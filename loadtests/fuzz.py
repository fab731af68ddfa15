"""Schemathesis against the platform's and the engine's OpenAPI, through the gateway, with a real
bearer token: no 5xx, and responses that match their schema. The engine's ids come from a library
seeded through the API (loadtests/fuzz_seed.py) and, in the stateful phase, from the document's
links. Bounded: a fixed number of examples per operation and a time limit per service.

    .venv/bin/python -m loadtests.fuzz [--max-examples 10] [--limit-s 300] [--seed 404]

Tokens come from loadtests/fuzz_hooks.py (signed in again after a 401). Operations that end
the fuzzer's own session (logout, revoke others, password change, account
deletion) are left out: after them every request is a 401 and nothing more is learnt.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

import httpx  # noqa: E402

from analysis_engine.app import create_app as create_engine  # noqa: E402
from loadtests.fuzz_reach import reach  # noqa: E402
from loadtests.fuzz_seed import fuzz_config_toml, seed_library  # noqa: E402
from loadtests.journey import client_address  # noqa: E402
from loadtests.seed import Producer, analyse_tables, fresh_database, seed_producers  # noqa: E402
from loadtests.stack import Stack, Topology, find, running_stack, stack_settings  # noqa: E402
from sp404.control_plane.app import create_app as create_platform  # noqa: E402
from sp404.core.settings import Settings  # noqa: E402
from tests.stripe_emulator import EmulatorServer  # noqa: E402
from tests.stripe_emulator.plans import platform_billing_env  # noqa: E402

DATABASE = "sp404_fuzz"
REPORTS = ROOT / "loadtests" / "reports"
# Stateful last: it follows the OpenAPI links from the objects a run creates to the operations
# that take their ids.
PHASES = "examples,coverage,fuzzing,stateful"
# One pattern: schemathesis keeps only the last of repeated --exclude-path-regex options.
SESSION_ENDERS = "^/api/(auth/logout|auth/sessions/revoke-others|account/password|account)$"


def fuzz_command(
    schema: str,
    out: Path,
    *,
    max_examples: int,
    exclude: str | None,
    config: Path | None = None,
    base_url: str | None = None,
    max_time_s: int | None = None,
    seed: int = 404,
) -> list[str]:
    """The schemathesis command line for one service: `schema` is a URL or a file (then
    `base_url` says where to send the requests, e.g. the gateway). The same seed draws the same
    inputs, so a failure can be replayed; another seed explores others."""
    command = [str(Path(sys.executable).with_name("schemathesis"))]
    if config is not None:
        command += ["--config-file", str(config)]
    command += [
        "run", schema,
        "--checks", "not_a_server_error,response_schema_conformance",
        "--phases", PHASES,
        "--max-examples", str(max_examples),
        "--workers", "2",
        "--header", f"X-Forwarded-For: {client_address(4242)}",
        "--request-timeout", "20",
        "--generation-database", "none",
        "--seed", str(seed),
        "--no-color",
        "--report", "junit,ndjson",
        "--report-dir", str(out),
    ]  # fmt: skip
    if base_url is not None:
        command += ["--url", base_url]
    if max_time_s is not None:
        command += ["--max-time", str(max_time_s)]
    if exclude:
        command += ["--exclude-path-regex", exclude]
    return command


def stripe_env(emulator: EmulatorServer) -> dict[str, str]:
    """Platform settings that bill through the local Stripe emulator (webhooks verifiable)."""
    return platform_billing_env(emulator, webhook_secret=f"whsec_{secrets.token_hex(16)}")


def sign_in(url: str, email: str, password: str) -> str:
    """A fresh access token, signed in through `url` (the gateway)."""
    login = httpx.post(
        f"{url}/api/auth/login",
        json={"email": email, "password": password},
        headers={"X-Forwarded-For": client_address(4242)},
        timeout=30,
    )
    login.raise_for_status()
    token: str = login.json()["token"]
    return token


def documents(settings: Settings) -> dict[str, dict[str, Any]]:
    """Each service's OpenAPI document, built in-process: the services themselves answer only
    the gateway, which serves neither document."""
    return {
        "engine": create_engine(settings).openapi(),
        "platform": create_platform(settings).openapi(),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-examples", type=int, default=10)
    parser.add_argument("--limit-s", type=int, default=300, help="per service")
    parser.add_argument("--seed", type=int, default=404, help="another draws other inputs")
    args = parser.parse_args()

    out = REPORTS / ("fuzz-" + dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ"))
    settings = stack_settings(DATABASE)
    asyncio.run(fresh_database(settings, DATABASE))
    [producer] = asyncio.run(seed_producers(settings, 1, samples_each=6))
    asyncio.run(analyse_tables(settings))
    results: dict[str, int] = {}
    with EmulatorServer() as emulator:
        topology = Topology(platforms=1, engines=1, workers=0, platform_env=stripe_env(emulator))
        with running_stack(settings, out / "logs", topology) as stack:
            _fuzz_each(stack, documents(settings), producer, out, args, results)
    print(f"report: {out}")
    return 0 if all(code == 0 for code in results.values()) else 1


def _fuzz_each(
    stack: Stack,
    docs: dict[str, dict[str, Any]],
    producer: Producer,
    out: Path,
    args: argparse.Namespace,
    results: dict[str, int],
) -> None:
    gateway = find(stack, "gateway1")
    token = sign_in(gateway.url, producer.email, producer.password)
    with httpx.Client(
        base_url=gateway.url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as api:
        ids = seed_library(api)
    # The engine first: the platform's run changes plans, which ends the account's tokens
    # (fuzz_hooks signs in again after a 401).
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT / "platform"), str(ROOT)]),
        "SCHEMATHESIS_HOOKS": "loadtests.fuzz_hooks",
        "FUZZ_PLATFORM_URL": gateway.url,
        "FUZZ_EMAIL": producer.email,
        "FUZZ_PASSWORD": producer.password,
    }
    for name in ("engine", "platform"):
        target = out / name
        target.mkdir(parents=True, exist_ok=True)
        schema = target / "openapi.json"
        schema.write_text(json.dumps(docs[name]))
        config = target / "schemathesis.toml"
        config.write_text(fuzz_config_toml(ids) if name == "engine" else "")
        command = fuzz_command(
            str(schema),
            target,
            max_examples=args.max_examples,
            exclude=SESSION_ENDERS if name == "platform" else None,
            config=config,
            base_url=gateway.url,
            seed=args.seed,
        )
        with (target / "schemathesis.log").open("wb") as log:
            try:
                done = subprocess.run(
                    command, cwd=target, env=env, stdout=log, stderr=log, timeout=args.limit_s,
                    check=False,
                )  # fmt: skip
                results[name] = done.returncode
            except subprocess.TimeoutExpired:
                results[name] = -1
        print(f"--- {name}: exit {results[name]} (-1 = hit the {args.limit_s} s limit)")
        tail = (target / "schemathesis.log").read_text(errors="replace").splitlines()
        print("\n".join(tail[-60:]))
        for report in target.glob("*.ndjson"):
            reached, total, _ = reach(report, docs[name])
            print(f"{name}: {reached} of {total} operations answered other than 404")


if __name__ == "__main__":
    raise SystemExit(main())
