"""One Stripe API version: the pinned SDK major, the version the platform asks for and the one
the emulator implements are the same, and the platform's requests say so."""

from __future__ import annotations

import re
import tomllib

import httpx
import stripe

from sp404.billing.stripe_api import STRIPE_API_VERSION
from sp404.core.settings import REPO_ROOT
from tests.stack import Producer
from tests.stripe_emulator import API_VERSION

from .conftest import BillingStack


def test_the_sdk_pin_the_platforms_version_and_the_emulators_agree() -> None:
    dependencies = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"][
        "dependencies"
    ]
    pin = next(d for d in dependencies if re.match(r"stripe\b", d))
    major = int(stripe.VERSION.split(".")[0])
    assert re.fullmatch(rf"stripe>={major}(\.\d+)*,<{major + 1}", pin.replace(" ", "")), pin
    assert STRIPE_API_VERSION == stripe.api_version == API_VERSION


def test_every_request_of_the_platform_names_the_pinned_version(
    billing_stack: BillingStack, api: httpx.Client, producer: Producer
) -> None:
    start = len(billing_stack.emulator.state.requests)
    api.post("/api/billing/subscribe", json={"plan_id": "enterprise"}, headers=producer.auth)
    versions = {version for *_, version in billing_stack.emulator.state.requests[start:]}
    assert versions == {API_VERSION}
