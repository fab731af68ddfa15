"""The emulator's in-memory world: objects by id, its clock, settings and the event log."""

from __future__ import annotations

import copy
import secrets
import string
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from .errors import StripeError
from .spec import complete, complete_all

StripeObject = dict[str, Any]
FinalFailure = Literal["cancel", "unpaid", "past_due"]

API_VERSION = "2026-10-28.endive"
DAY = 86_400

# The "object" value of each kind and the noun Stripe uses in "No such ..." errors.
KIND_NAMES = {
    "customer": "customer",
    "price": "price",
    "product": "product",
    "subscription": "subscription",
    "subscription_item": "subscription item",
    "subscription_schedule": "subscription schedule",
    "invoice": "invoice",
    "invoiceitem": "invoice item",
    "payment_intent": "payment_intent",
    "setup_intent": "setupintent",
    "payment_method": "PaymentMethod",
    "event": "event",
    "webhook_endpoint": "webhook endpoint",
    "billing_portal.session": "billing portal session",
    "charge": "charge",
    "dispute": "dispute",
    "refund": "refund",
    "credit_note": "credit note",
    "tax_id": "tax id",
    "test_helpers.test_clock": "test clock",
}


def random_token(length: int) -> str:
    """Return letters and digits shaped like the tail of a Stripe id."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


class Clock:
    """Frozen emulator time that only moves when a test advances it (test-clock style)."""

    def __init__(self, start: int | None = None) -> None:
        self._now = int(time.time()) if start is None else start

    def now(self) -> int:
        """Return the emulator's current Unix time."""
        return self._now

    def move_to(self, moment: int) -> None:
        """Set the time; it never goes backwards."""
        if moment < self._now:
            raise ValueError(f"clock cannot go back from {self._now} to {moment}")
        self._now = moment


@dataclass
class Settings:
    """How the emulated account collects money when payments fail."""

    retry_days: tuple[int, ...] = (3, 5, 7)
    after_final_failure: FinalFailure = "cancel"
    trial_will_end_days: int = 3
    # Dashboard: Billing > Subscriptions > "Upcoming renewal events" (invoice.upcoming).
    upcoming_days: int = 7
    incomplete_expiry_seconds: int = 23 * 3600


@dataclass
class EmulatorState:
    """Everything the emulator knows; callers hold ``lock`` while reading or changing it."""

    base_url: str = "http://127.0.0.1"
    clock: Clock = field(default_factory=Clock)
    settings: Settings = field(default_factory=Settings)
    lock: threading.RLock = field(default_factory=threading.RLock)
    objects: dict[str, StripeObject] = field(default_factory=dict)
    meta: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: list[StripeObject] = field(default_factory=list)
    payment_overrides: dict[str, str] = field(default_factory=dict)
    request_context: dict[str, str | None] = field(default_factory=dict)
    on_event: list[Callable[[StripeObject], None]] = field(default_factory=list)
    # Every /v1 request as (method, path, Idempotency-Key, Stripe-Version), oldest first.
    requests: list[tuple[str, str, str | None, str | None]] = field(default_factory=list)
    _order: dict[str, int] = field(default_factory=dict)
    _announced: set[str] = field(default_factory=set)
    _invoice_counters: dict[str, int] = field(default_factory=dict)

    def now(self) -> int:
        """Return the emulator's current Unix time."""
        return self.clock.now()

    def new_id(self, prefix: str) -> str:
        """Return a fresh id such as ``cus_AbC...`` that is not in use."""
        while True:
            object_id = f"{prefix}_{random_token(24)}"
            if object_id not in self.objects:
                return object_id

    def put(self, obj: StripeObject) -> StripeObject:
        """Store an object (keeping its first insertion order for lists) and return it."""
        self.objects[obj["id"]] = complete(obj)
        self._order.setdefault(obj["id"], len(self._order))
        self.meta.setdefault(obj["id"], {})
        return obj

    def get(
        self, kind: str, object_id: Any, *, param: str = "id", allow_deleted: bool = False
    ) -> StripeObject:
        """Return the stored object of that kind or raise Stripe's 404."""
        obj = self.objects.get(object_id) if isinstance(object_id, str) else None
        gone = obj is not None and obj.get("deleted") is True and not allow_deleted
        if obj is None or obj.get("object") != kind or gone:
            raise StripeError.missing(KIND_NAMES.get(kind, kind), str(object_id), param=param)
        return obj

    def find(self, kind: str, predicate: Callable[[StripeObject], bool]) -> list[StripeObject]:
        """Return objects of one kind that match, newest first as Stripe lists them."""
        found = [o for o in self.objects.values() if o.get("object") == kind and predicate(o)]
        found.sort(key=lambda o: (o.get("created", 0), self._order[o["id"]]), reverse=True)
        return found

    def next_invoice_number(self, prefix: str) -> str:
        """Return the next invoice number for a customer prefix, e.g. ``A1B2C3D4-0001``."""
        self._invoice_counters[prefix] = self._invoice_counters.get(prefix, 0) + 1
        return f"{prefix}-{self._invoice_counters[prefix]:04d}"

    def emit(
        self,
        event_type: str,
        obj: StripeObject,
        previous_attributes: StripeObject | None = None,
    ) -> StripeObject:
        """Record an event carrying a snapshot of ``obj`` and hand it to the listeners."""
        data: StripeObject = {"object": complete_all(copy.deepcopy(obj))}
        if previous_attributes is not None:
            data["previous_attributes"] = copy.deepcopy(previous_attributes)
        event: StripeObject = {
            "id": self.new_id("evt"),
            "object": "event",
            "api_version": API_VERSION,
            "created": self.now(),
            "data": data,
            "livemode": False,
            "pending_webhooks": 0,
            "request": {
                "id": self.request_context.get("request_id"),
                "idempotency_key": self.request_context.get("idempotency_key"),
            },
            "type": event_type,
        }
        self.put(event)
        self.events.append(event)
        if event_type.endswith(".created"):
            self._announced.add(obj["id"])
        for listener in self.on_event:
            listener(event)
        return event

    @contextmanager
    def tracking(self, obj: StripeObject, event_type: str) -> Iterator[None]:
        """Emit ``event_type`` with ``previous_attributes`` if the block changes ``obj``."""
        before = copy.deepcopy(obj)
        yield
        changed = {key: before.get(key) for key in obj if before.get(key) != obj[key]}
        if changed and obj["id"] in self._announced:
            self.emit(event_type, obj, changed)
