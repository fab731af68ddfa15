"""Plan limits enforced where the work happens: storage reservations and upload slots."""

__all__ = [
    "reconcile",
    "storage_quota",
]
