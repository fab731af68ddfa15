"""The `sp404` command: serve, dev, worker, db, keys, admin and import."""

__all__ = [
    "main",
]
