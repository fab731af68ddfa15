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

from sp404.core.logging import configure_logging
from sp404.core.settings import REPO_ROOT, SERVICE_SETTINGS, CoreSection, WorkerSettings
from sp404.observability import init_sentry, serve_job_metrics

# service -> (ASGI app factory, standard port)
SERVICES: dict[str, tuple[str, int]] = {
    "gateway": ("gateway.app:create_app", 8080),
    "platform": ("sp404.control_plane.app:create_app", 8000),
    "engine": ("analysis_engine.app:create_app", 8100),
}


class ServeError(Exception):
    """The serve command's options do not fit together."""


def serve(args: argparse.Namespace) -> int:
    """Run one service under uvicorn (over TLS when given a key and certificate)."""
    factory, default_port = SERVICES[args.service]
    if (args.ssl_keyfile is None) != (args.ssl_certfile is None):
        raise ServeError("--ssl-keyfile and --ssl-certfile must be given together")
    for path in (args.ssl_keyfile, args.ssl_certfile):
        if path is not None and not os.path.isfile(path):
            raise ServeError(f"no such file: {path}")
    # Only this service's sections (the app factory reads the same ones).
    settings = SERVICE_SETTINGS[args.service]()
    configure_logging(args.service, settings.log_level)
    init_sentry(settings, args.service)
    uvicorn.run(
        factory,
        factory=True,
        host=args.host,
        port=args.port or default_port,
        log_config=None,
        access_log=False,
        proxy_headers=False,
        # Longer than clients' think time between requests (and than the gateway's own pool
        # keeps a connection), so a reused connection is not closed under a request in flight.
        timeout_keep_alive=75,
        # Long-lived responses (the job progress stream, big downloads) would otherwise hold a
        # stopping process open for as long as they last; clients reconnect to another instance.
        timeout_graceful_shutdown=5,
        ssl_keyfile=args.ssl_keyfile,
        ssl_certfile=args.ssl_certfile,
    )
    return 0


def worker(args: argparse.Namespace) -> int:
    """Run a job worker until SIGTERM/SIGINT."""
    # Imported here: this pulls in torch, which no other command needs.
    from analysis_engine.analysis.runner import run_analysis_worker

    settings = WorkerSettings()
    configure_logging("worker", settings.log_level)
    init_sentry(settings, "worker")
    if settings.worker_metrics_port is not None:
        serve_job_metrics(settings.worker_metrics_port, settings.worker_metrics_host)
    asyncio.run(run_analysis_worker(settings, batch_size=args.batch_size))
    return 0


def dev(args: argparse.Namespace) -> int:
    """Start every service and a worker as child processes; stop them all on Ctrl-C."""
    commands = [[sys.executable, "-m", "sp404.cli.main", "serve", name] for name in SERVICES]
    commands.append([sys.executable, "-m", "sp404.cli.main", "worker"])
    env = os.environ.copy()
    web_dist = REPO_ROOT / "web" / "dist"
    if (web_dist / "index.html").is_file():
        # The built web app (`make run` builds it when npm is available) is served at `/`.
        env.setdefault("SP404_GATEWAY_WEB_DIST", str(web_dist))
    # Our own interpreter and fixed arguments: nothing here comes from a user.
    children = [subprocess.Popen(command, env=env) for command in commands]  # noqa: S603
    for name, (_, port) in SERVICES.items():
        print(f"  {name:<9} http://127.0.0.1:{port}", flush=True)
    print("  worker    running (sp404 worker)", flush=True)
    print(f"Open {CoreSection().public_url} - press Ctrl-C to stop.", flush=True)

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
