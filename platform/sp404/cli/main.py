"""`sp404`: the one command group of the platform (database, keys, services, worker, admin)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from sp404.cli import admin_commands, db_commands, import_commands, key_commands, serve_commands


class UserError(Exception):
    """A mistake the user can fix; printed as one line, never as a traceback."""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (also used to generate the README's CLI help)."""
    parser = argparse.ArgumentParser(
        prog="sp404", description="SP-404 Sample Cloud: operate the platform."
    )
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    db = groups.add_parser("db", help="database schema").add_subparsers(
        dest="action", required=True
    )
    migrate = db.add_parser("migrate", help="apply pending migrations, then functions and policies")
    migrate.set_defaults(handler=db_commands.migrate)

    keys = groups.add_parser("keys", help="JWT signing keys").add_subparsers(
        dest="action", required=True
    )
    keys.add_parser("generate", help="create the first signing key if none exists").set_defaults(
        handler=key_commands.generate
    )
    keys.add_parser(
        "rotate", help="start signing with a new key; old keys verify until their tokens expire"
    ).set_defaults(handler=key_commands.rotate)

    serve = groups.add_parser("serve", help="run one service")
    serve.add_argument("service", choices=sorted(serve_commands.SERVICES))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, help="default: the service's standard port")
    serve.add_argument(
        "--ssl-keyfile", metavar="PATH", help="serve HTTPS with this PEM private key"
    )
    serve.add_argument(
        "--ssl-certfile", metavar="PATH", help="the PEM certificate (chain) for --ssl-keyfile"
    )
    serve.set_defaults(handler=serve_commands.serve)

    worker = groups.add_parser("worker", help="run a job worker")
    worker.add_argument("--batch-size", type=int, default=16)
    worker.set_defaults(handler=serve_commands.worker)

    dev = groups.add_parser(
        "dev", help="run the whole stack on this machine (what `make run` does)"
    )
    dev.set_defaults(handler=serve_commands.dev)

    admin_commands.add_parser(groups)
    import_commands.add_parser(groups)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `sp404` console script."""
    args = build_parser().parse_args(argv)
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        return handler(args)
    except (
        UserError,
        admin_commands.AdminError,
        db_commands.MigrationError,
        serve_commands.ServeError,
        OSError,
    ) as exc:
        print(f"sp404: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
