"""The first visit: what a signed-out visitor sees at `/`, in a real browser."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import Page, expect

from tests.stack import Mailbox, signed_up
from tests.web.conftest import screenshot
from tests.web.test_studio import sign_in


def test_a_visitor_sees_what_the_product_does_and_the_plans_and_can_sign_up(page: Page) -> None:
    page.goto("/")
    expect(
        page.get_by_role("heading", name="Your samples, ready for the SP-404MK2", level=1)
    ).to_be_visible()
    kits = page.get_by_role("heading", name=re.compile(r"^Build kits on 10 . 16 pads$"))
    expect(kits).to_be_visible()
    # The plans come from the server, with their real prices and limits.
    plans = page.get_by_role("heading", name="Plans").locator("xpath=..")
    for name in ("Free", "Pro", "Enterprise"):
        expect(plans.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(plans).to_contain_text("analyses a month")
    screenshot(page, "landing")
    page.get_by_role("link", name="Create a free account").click()
    expect(page).to_have_url(re.compile(r"/signup$"))
    expect(page.get_by_role("button", name="Create account")).to_be_visible()


def test_a_signed_in_producer_skips_the_landing_page(
    page: Page, api: httpx.Client, mailbox: Mailbox
) -> None:
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/library$"))
    expect(page.get_by_role("heading", name="Library", level=1)).to_be_visible()
