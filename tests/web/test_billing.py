"""Buying and changing a plan in a real browser, with Stripe played by the emulator.

The browser has no network: https://js.stripe.com is served from `fake_stripe_js.js` (the calls
the page makes, with the card field as a frame from js.stripe.com) and https://api.stripe.com,
where Stripe.js confirms a card, is answered from the emulator's state. The platform behind the
gateway bills through the same emulator, and the emulator's signed webhooks reach it as in
tests/billing.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page, Request, Route, expect

from sp404.core.settings import Settings
from tests.gateway_signing import as_gateway, gateway_headers
from tests.stack import Mailbox, Producer, signed_up, start_platform, start_service, stop
from tests.stripe_emulator import EmulatorServer, StripeError
from tests.stripe_emulator.plans import platform_billing_env
from tests.web.conftest import PageProblems, screenshot

PUBLISHABLE_KEY = "pk_test_sample_cloud"
FAKE_STRIPE_JS = (Path(__file__).with_name("fake_stripe_js.js")).read_text()
# Stripe's card field lives in a frame from js.stripe.com; the fake one is a labelled input.
CARD_FRAME = """<!doctype html><html lang="en"><meta charset="utf-8"><title>Card</title>
<label for="card-number">Card number</label>
<input id="card-number" inputmode="numeric" autocomplete="cc-number">
<script src="https://js.stripe.com/fake-elements/frame.js"></script></html>"""
STRIPE_HOSTS = {"js.stripe.com", "api.stripe.com", "hooks.stripe.com"}
DAY = 86_400
GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"


@dataclass
class StripeWeb:
    """The gateway serving the web app in front of a platform that bills through the emulator."""

    url: str
    platform_url: str
    emulator: EmulatorServer
    mailbox: Mailbox

    def producer(self) -> Producer:
        with httpx.Client(base_url=self.platform_url, auth=as_gateway(), timeout=30) as client:
            return signed_up(client, self.mailbox)

    def customer_id(self, who: Producer) -> str:
        found = self.emulator.client().v1.customers.list(params={"email": who.email}).data
        return str(found[0].id)

    def subscription_id(self, who: Producer) -> str:
        listed = self.emulator.client().v1.subscriptions.list(
            params={"customer": self.customer_id(who), "status": "all"}
        )
        return str(listed.data[0].id)

    def subscription(self, who: Producer) -> dict[str, Any]:
        response = httpx.get(f"{self.url}/api/billing/subscription", headers=who.auth, timeout=30)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@contextmanager
def running_stripe_web(
    migrated_db: Settings, mailbox: Mailbox, engine_url: str, web_dist: Path, **extra: str
) -> Iterator[StripeWeb]:
    """A gateway serving the web app before a platform that bills through a fresh emulator."""
    with EmulatorServer() as emulator:
        secret = f"whsec_{secrets.token_hex(16)}"
        platform_url, platform = start_platform(
            migrated_db,
            mailbox,
            SP404_STRIPE_PUBLISHABLE_KEY=PUBLISHABLE_KEY,
            **platform_billing_env(emulator, webhook_secret=secret),
            **extra,
        )
        emulator.add_webhook_endpoint(
            f"{platform_url}/api/billing/webhook", extra_headers=gateway_headers
        ).secret = secret
        gateway_url, gateway = start_service(
            "gateway",
            migrated_db,
            SP404_PLATFORM_URLS=json.dumps([platform_url]),
            SP404_ENGINE_URLS=json.dumps([engine_url]),
            SP404_GATEWAY_WEB_DIST=str(web_dist),
        )
        try:
            plans = httpx.get(f"{gateway_url}/api/billing/plans").json()
            assert plans["publishable_key"] == PUBLISHABLE_KEY, (
                "the platform did not pass on SP404_STRIPE_PUBLISHABLE_KEY: "
                "sp404.core.settings.Settings needs `stripe_publishable_key: str | None = None`"
            )
            yield StripeWeb(gateway_url, platform_url, emulator, mailbox)
        finally:
            stop(gateway)
            stop(platform)


@pytest.fixture(scope="module")
def stripe_web(
    migrated_db: Settings, mailbox: Mailbox, engine_url: str, web_dist: Path
) -> Iterator[StripeWeb]:
    with running_stripe_web(migrated_db, mailbox, engine_url, web_dist) as running:
        yield running


def serve_stripe_js(route: Route, request: Request) -> None:
    """js.stripe.com: the fake Stripe.js for any script, the card frame for the element."""
    path = urlsplit(request.url).path
    if path.endswith(".html"):
        route.fulfill(body=CARD_FRAME, content_type="text/html; charset=utf-8")
    elif path.endswith(".js") or path.startswith("/v3"):
        route.fulfill(body=FAKE_STRIPE_JS, content_type="application/javascript")
    else:
        route.fulfill(status=404, body="not found", content_type="text/plain")


def stripe_api(emulator: EmulatorServer) -> Any:
    """api.stripe.com as Stripe.js uses it: confirm an intent with the publishable key and the
    intent's client secret, answered by the emulator (a decline is Stripe's 402 card_error)."""
    confirm = re.compile(r"/v1/(payment_intents|setup_intents)/(\w+)/confirm")

    def answer(route: Route, status: int, body: Any) -> None:
        # Stripe's API answers any origin; without this Chromium hides the answer from Stripe.js.
        cors = {"Access-Control-Allow-Origin": "*"}
        route.fulfill(status=status, json=body, headers=cors)

    def handle(route: Route, request: Request) -> None:
        found = confirm.fullmatch(urlsplit(request.url).path)
        form = dict(parse_qsl(request.post_data or ""))
        if request.method != "POST" or found is None:
            answer(route, 404, {"error": {"type": "invalid_request_error", "message": "No route"}})
            return
        if form.get("key") != PUBLISHABLE_KEY:
            answer(route, 401, {"error": {"type": "invalid_request_error", "message": "Bad key"}})
            return
        intent_id = found.group(2)
        with emulator.state.lock:
            stored = emulator.state.objects.get(intent_id)
            known = stored is not None and stored["client_secret"] == form.get("client_secret")
        if not known:
            message = f"No such {found.group(1)[:-1]}: '{intent_id}'"
            answer(route, 404, {"error": {"type": "invalid_request_error", "message": message}})
            return
        try:
            # No payment method: finishing the bank's challenge (handleNextAction).
            answer(route, 200, emulator.confirm_payment(intent_id, form.get("payment_method")))
        except StripeError as error:
            answer(route, error.status, error.body())

    return handle


@pytest.fixture
def billing_page(browser: Browser, stripe_web: StripeWeb) -> Iterator[Page]:
    """A fresh context on the Stripe-backed app; fails on script errors, CSP violations and any
    request to a third-party host other than Stripe's."""
    yield from open_billing_page(browser, stripe_web)


def open_billing_page(browser: Browser, stripe_web: StripeWeb) -> Iterator[Page]:
    context = browser.new_context(
        base_url=stripe_web.url,
        viewport={"width": 1280, "height": 900},
        locale="en-US",
        timezone_id="UTC",
    )
    context.set_default_timeout(15_000)
    context.route("https://js.stripe.com/**", serve_stripe_js)
    context.route("https://api.stripe.com/**", stripe_api(stripe_web.emulator))
    page = context.new_page()
    problems = PageProblems()
    elsewhere: list[str] = []
    page.on("console", problems.on_console)
    page.on("pageerror", problems.on_page_error)

    def watch(request: Request) -> None:
        host = urlsplit(request.url).hostname or ""
        if request.url.startswith("http") and host != "127.0.0.1" and host not in STRIPE_HOSTS:
            elsewhere.append(request.url)

    context.on("request", watch)
    yield page
    context.close()
    assert problems.messages == []
    assert elsewhere == []


def sign_in_to_billing(page: Page, who: Producer) -> None:
    page.goto("/signin?next=/billing")
    page.get_by_label("E-mail").fill(who.email)
    page.get_by_label("Password").fill(who.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Plan & usage", level=1)).to_be_visible()


def day(iso: str) -> str:
    """A date as the page writes it in en-US: "March 4, 2026"."""
    moment = datetime.fromisoformat(iso)
    return f"{moment:%B} {moment.day}, {moment.year}"


def plan_card(page: Page, name: str) -> Any:
    return page.locator(".plan").filter(has=page.get_by_role("heading", name=name, exact=True))


def card_field(page: Page) -> Any:
    return page.frame_locator('iframe[title="Secure payment input frame"]').get_by_label(
        "Card number"
    )


def test_a_free_producer_buys_pro_through_the_payment_element_then_cancels_and_resumes(
    billing_page: Page, stripe_web: StripeWeb
) -> None:
    page = billing_page
    who = stripe_web.producer()
    sign_in_to_billing(page, who)
    expect(page.get_by_text("Your plan: Free")).to_be_visible()
    expect(page.get_by_test_id("meter-analyses-this-month")).to_have_text("0 / 10")
    expect(plan_card(page, "Free")).to_contain_text("100 MB storage")
    expect(plan_card(page, "Pro")).to_contain_text("$29 / month")
    expect(plan_card(page, "Pro")).to_contain_text("5 GB storage")
    expect(plan_card(page, "Pro")).to_contain_text("500 analyses a month")
    expect(plan_card(page, "Pro")).to_contain_text("14-day free trial")
    expect(plan_card(page, "Enterprise")).to_contain_text("$99 / month")
    expect(plan_card(page, "Enterprise")).to_contain_text("Unlimited storage")

    plan_card(page, "Pro").get_by_role("button", name="Start Pro trial").click()
    payment = page.get_by_role("region", name="Start your Pro trial")
    expect(payment).to_contain_text("Nothing is charged today")
    card_field(page).fill(DECLINED_CARD)
    payment.get_by_role("button", name="Save card and start trial").click()
    expect(payment.get_by_role("alert")).to_have_text("Your card was declined.")

    card_field(page).fill(GOOD_CARD)
    expect(payment.get_by_role("alert")).to_have_count(0)  # a new card clears the old message
    payment.get_by_role("button", name="Save card and start trial").click()
    expect(page.get_by_role("status").filter(has_text="You're on Pro now.")).to_be_visible()
    expect(payment).to_have_count(0)

    stripe_web.emulator.wait_for_webhooks()
    trial = stripe_web.subscription(who)
    assert (trial["tier"], trial["status"]) == ("pro", "trialing")
    expect(page.get_by_text("Your plan: Pro")).to_be_visible()
    expect(
        page.get_by_text(f"Free trial until {day(trial['trial_ends_at'])}, then $29 a month.")
    ).to_be_visible()
    expect(page.get_by_test_id("meter-storage")).to_have_text("0 MB / 5120 MB")
    expect(page.get_by_test_id("meter-analyses-this-month")).to_have_text("0 / 500")
    expect(plan_card(page, "Pro")).to_contain_text("Current plan")
    expect(plan_card(page, "Enterprise").get_by_role("button")).to_have_text(
        "Upgrade to Enterprise"
    )
    screenshot(page, "billing")

    # Cancelling asks first; Escape leaves everything as it was.
    page.get_by_role("button", name="Cancel plan").click()
    dialog = page.get_by_role("dialog", name="Cancel your Pro plan?")
    expect(dialog).to_contain_text(f"You keep Pro until {day(trial['current_period_end'])}")
    page.keyboard.press("Escape")
    expect(dialog).to_have_count(0)
    assert stripe_web.subscription(who)["cancel_at_period_end"] is False

    page.get_by_role("button", name="Cancel plan").click()
    page.get_by_role("dialog").get_by_role("button", name="Cancel plan").click()
    ends = f"Your Pro plan ends on {day(trial['current_period_end'])}"
    expect(page.get_by_role("status").filter(has_text=ends)).to_be_visible()
    assert stripe_web.subscription(who)["cancel_at_period_end"] is True
    expect(page.get_by_text("Your plan: Pro")).to_be_visible()  # features stay until then

    page.get_by_role("button", name="Resume Pro").click()
    renews = f"continues and renews on {day(trial['current_period_end'])}"
    expect(page.get_by_role("status").filter(has_text=renews)).to_be_visible()
    expect(page.get_by_text(ends)).to_have_count(0)
    resumed = stripe_web.subscription(who)
    assert (resumed["cancel_at_period_end"], resumed["tier"]) == (False, "pro")


def test_enterprise_is_paid_at_once_listed_as_an_invoice_and_a_downgrade_waits(
    billing_page: Page, stripe_web: StripeWeb
) -> None:
    page = billing_page
    who = stripe_web.producer()
    sign_in_to_billing(page, who)

    plan_card(page, "Enterprise").get_by_role("button", name="Choose Enterprise").click()
    payment = page.get_by_role("region", name="Pay for Enterprise")
    card_field(page).fill("4000 0000 0000 9995")
    payment.get_by_role("button", name="Pay $99 and subscribe").click()
    expect(payment.get_by_role("alert")).to_have_text("Your card has insufficient funds.")
    assert stripe_web.subscription(who)["tier"] == "free"  # nothing until it is paid

    card_field(page).fill(GOOD_CARD)
    payment.get_by_role("button", name="Pay $99 and subscribe").click()
    expect(page.get_by_role("status").filter(has_text="You're on Enterprise now.")).to_be_visible()
    expect(page.get_by_text("Your plan: Enterprise")).to_be_visible()
    expect(page.get_by_test_id("meter-storage")).to_have_text("0 MB / unlimited")

    invoices = page.get_by_role("table")
    expect(invoices).to_contain_text("$99.00")
    expect(invoices).to_contain_text("paid")
    view = invoices.get_by_role("link", name=re.compile(r"^View invoice"))
    assert (view.get_attribute("href") or "").startswith(stripe_web.emulator.url)
    pdf = invoices.get_by_role("link", name=re.compile(r"^PDF of invoice"))
    assert httpx.get(pdf.get_attribute("href") or "").content.startswith(b"%PDF")

    stripe_web.emulator.wait_for_webhooks()
    period_end = day(stripe_web.subscription(who)["current_period_end"])
    plan_card(page, "Pro").get_by_role("button", name="Switch to Pro").click()
    page.get_by_role("dialog").get_by_role("button", name=f"Switch on {period_end}").click()
    pending = f"Your plan changes to Pro on {period_end}. You keep Enterprise until then."
    expect(page.get_by_role("status").filter(has_text=pending)).to_be_visible()
    expect(plan_card(page, "Pro")).to_contain_text(f"Starts on {period_end}")
    after = stripe_web.subscription(who)
    assert (after["tier"], after["pending_tier"]) == ("enterprise", "pro")

    page.get_by_role("button", name="Keep Enterprise").first.click()
    expect(page.get_by_text(pending)).to_have_count(0)
    assert stripe_web.subscription(who)["pending_tier"] is None


def test_an_upgrade_from_pro_is_immediate_and_shows_the_prorated_charge(
    billing_page: Page, stripe_web: StripeWeb
) -> None:
    page = billing_page
    who = stripe_web.producer()
    with httpx.Client(base_url=stripe_web.url, headers=who.auth, timeout=30) as api:
        answer = api.post("/api/billing/subscribe", json={"plan_id": "pro"}).json()
        stripe_web.emulator.confirm_payment(answer["client_secret"].split("_secret_")[0])
        stripe_web.emulator.wait_for_webhooks()
    # Past the trial and ten days into the first paid month.
    stripe_web.emulator.advance(24 * DAY)
    stripe_web.emulator.wait_for_webhooks()
    assert stripe_web.subscription(who)["status"] == "active"

    sign_in_to_billing(page, who)
    expect(page.get_by_text("Your plan: Pro")).to_be_visible()
    upgrade = plan_card(page, "Enterprise").get_by_role("button", name="Upgrade to Enterprise")
    dialog = page.get_by_role("dialog", name="Upgrade to Enterprise now?")

    upgrade.click()
    expect(dialog).to_contain_text("prorated difference")
    dialog.get_by_role("button", name="Upgrade now").click()

    done = page.get_by_role("status").filter(has_text="You're on Enterprise now.")
    # The prorated invoice is archived when Stripe's webhook lands, a moment after the change.
    expect(done).to_contain_text("Prorated charge for the rest of this period: $", timeout=10_000)
    expect(done).to_contain_text("(paid)")
    charged = float(re.findall(r"\$(\d+\.\d\d)", done.inner_text())[0])
    assert 0 < charged < 99 - 29
    expect(page.get_by_text("Your plan: Enterprise")).to_be_visible()
    expect(page.get_by_test_id("meter-analyses-this-month")).to_have_text("0 / unlimited")
    assert stripe_web.subscription(who)["tier"] == "enterprise"

    # Ended at Stripe meanwhile (an operator, the portal): the stale page's change is refused
    # by the API, and its message shows in the house alert.
    stripe_web.emulator.client().v1.subscriptions.cancel(stripe_web.subscription_id(who))
    stripe_web.emulator.wait_for_webhooks()
    plan_card(page, "Pro").get_by_role("button", name="Switch to Pro").click()
    page.get_by_role("dialog").get_by_role("button", name=re.compile("^Switch on")).click()
    expect(page.get_by_role("alert")).to_contain_text("no paid subscription")
    expect(page.get_by_text("Your plan: Free")).to_be_visible()


def test_an_upgrade_whose_bank_asks_for_3d_secure_applies_once_stripe_has_the_payment(
    billing_page: Page, stripe_web: StripeWeb
) -> None:
    page = billing_page
    who = stripe_web.producer()
    with httpx.Client(base_url=stripe_web.url, headers=who.auth, timeout=30) as api:
        answer = api.post("/api/billing/subscribe", json={"plan_id": "pro"}).json()
        stripe_web.emulator.confirm_payment(answer["client_secret"].split("_secret_")[0])
        stripe_web.emulator.wait_for_webhooks()
    stripe_web.emulator.advance(24 * DAY)  # past the trial, paid
    # The producer's card now always asks for 3-D Secure (Stripe's 4000 0027 6000 3184).
    stripe_web.emulator.client().v1.subscriptions.update(
        stripe_web.subscription_id(who),
        params={"default_payment_method": "pm_card_authenticationRequired"},
    )
    stripe_web.emulator.wait_for_webhooks()

    sign_in_to_billing(page, who)
    plan_card(page, "Enterprise").get_by_role("button", name="Upgrade to Enterprise").click()
    page.get_by_role("dialog").get_by_role("button", name="Upgrade now").click()

    done = page.get_by_role("status").filter(has_text="You're on Enterprise now.")
    expect(done).to_contain_text("Prorated charge for the rest of this period: $", timeout=10_000)
    expect(page.get_by_text("Your plan: Enterprise")).to_be_visible()
    after = stripe_web.subscription(who)
    assert (after["tier"], after["pending_tier"]) == ("enterprise", None)
    sub = stripe_web.emulator.client().v1.subscriptions.retrieve(stripe_web.subscription_id(who))
    assert sub.pending_update is None
    applied = stripe_web.emulator.events("customer.subscription.pending_update_applied")
    assert [e["data"]["object"]["id"] for e in applied][-1] == sub.id  # it went through 3DS


def test_the_page_fits_a_phone_and_the_app_csp_lets_in_stripe_and_nothing_else(
    billing_page: Page, stripe_web: StripeWeb
) -> None:
    csp = httpx.get(f"{stripe_web.url}/").headers["content-security-policy"]
    sources = {source for part in csp.split(";") for source in part.split()[1:]}
    assert {s for s in sources if "." in s} == {f"https://{host}" for host in STRIPE_HOSTS}

    page = billing_page
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in_to_billing(page, stripe_web.producer())
    plan_card(page, "Enterprise").get_by_role("button", name="Choose Enterprise").click()
    expect(card_field(page)).to_be_visible()
    card_field(page).focus()  # the card field takes the keyboard like any other
    page.keyboard.type(GOOD_CARD)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Pay $99 and subscribe")).to_be_focused()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "billing-phone")


def test_without_stripe_the_page_says_payments_are_not_configured(
    page: Page, api: httpx.Client, mailbox: Mailbox
) -> None:
    who = signed_up(api, mailbox)
    sign_in_to_billing(page, who)
    expect(page.get_by_text("Your plan: Free")).to_be_visible()
    expect(page.get_by_text("Payments are not configured on this server")).to_be_visible()
    expect(plan_card(page, "Pro")).to_contain_text("$29 / month")
    expect(page.get_by_role("button", name=re.compile("Choose|trial"))).to_have_count(0)


@pytest.fixture(scope="module")
def taxed_web(
    migrated_db: Settings, mailbox: Mailbox, engine_url: str, web_dist: Path
) -> Iterator[StripeWeb]:
    """The same, with Stripe Tax on (SP404_STRIPE_AUTOMATIC_TAX)."""
    with running_stripe_web(
        migrated_db, mailbox, engine_url, web_dist, SP404_STRIPE_AUTOMATIC_TAX="true"
    ) as running:
        yield running


@pytest.fixture
def taxed_page(browser: Browser, taxed_web: StripeWeb) -> Iterator[Page]:
    yield from open_billing_page(browser, taxed_web)


def test_with_stripe_tax_on_the_first_payment_asks_for_the_billing_address(
    taxed_page: Page, taxed_web: StripeWeb
) -> None:
    page = taxed_page
    who = taxed_web.producer()
    sign_in_to_billing(page, who)
    plan_card(page, "Enterprise").get_by_role("button", name="Choose Enterprise").click()

    address = page.get_by_role("region", name="Billing address for Enterprise")
    address.get_by_label("Country (two letters, e.g. DE)").fill("de")
    address.get_by_label("Postal code").fill("10115")
    address.get_by_label("Tax id (optional)").fill("DE123456789")
    address.get_by_role("button", name="Save and continue").click()

    payment = page.get_by_role("region", name="Pay for Enterprise")
    card_field(page).fill(GOOD_CARD)
    payment.get_by_role("button", name="Pay $99 and subscribe").click()
    expect(page.get_by_role("status").filter(has_text="You're on Enterprise now.")).to_be_visible()
    api = taxed_web.emulator.client().v1
    sub = api.subscriptions.retrieve(taxed_web.subscription_id(who))
    invoice = api.invoices.retrieve(sub.latest_invoice)
    assert sub.automatic_tax.enabled is True and invoice.customer_address.country == "DE"
    assert [t.value for t in invoice.customer_tax_ids] == ["DE123456789"]
