"""`sp404 serve ...`, `sp404 worker` and `sp404 dev`."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time

import uvicorn

from tenancy.logging import configure_logging
from tenancy.settings import get_settings

# service -> (ASGI app factory, standard port)
SERVICES: dict[str, tuple[str, int]] = {
    "gateway": ("gateway.app:create_app", 8080),
    "platform": ("control_plane.app:create_app", 8000),
    "engine": ("analysis_engine.app:create_app", 8100),
}


def serve(args: argparse.Namespace) -> int:
    """Run one service under uvicorn."""
    factory, default_port = SERVICES[args.service]
    configure_logging(args.service, get_settings().log_level)
    uvicorn.run(
        factory,
        factory=True,
        host=args.host,
        port=args.port or default_port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
    )
    return 0


def worker(args: argparse.Namespace) -> int:
    """Run a job worker until SIGTERM/SIGINT."""
    # Imported here: this pulls in torch, which no other command needs.
    from analysis_engine.analysis.runner import run_analysis_worker

    configure_logging("worker", get_settings().log_level)
    asyncio.run(run_analysis_worker(get_settings(), batch_size=args.batch_size))
    return 0


def dev(args: argparse.Namespace) -> int:
    """Start every service and a worker as child processes; stop them all on Ctrl-C."""
    commands = [[sys.executable, "-m", "sp404_cli.main", "serve", name] for name in SERVICES]
    commands.append([sys.executable, "-m", "sp404_cli.main", "worker"])
    # Our own interpreter and fixed arguments: nothing here comes from a user.
    children = [subprocess.Popen(command, env=os.environ.copy()) for command in commands]  # noqa: S603
    for name, (_, port) in SERVICES.items():
        print(f"  {name:<9} http://127.0.0.1:{port}", flush=True)
    print("  worker    running (sp404 worker)", flush=True)
    print(f"Open {get_settings().public_url} - press Ctrl-C to stop.", flush=True)

    def stop(*_: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
        print("a service exited; stopping the others", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=10)
            except subprocess.TimeoutExpired:
                child.kill()
