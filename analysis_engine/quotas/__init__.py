"""The storage reconciliation: the blob store against what each producer's rows own and count.

The storage quota itself (reservations, upload slots, the counters) is billing's:
`sp404.billing.storage_quota`."""

__all__ = [
    "reconcile",
]
