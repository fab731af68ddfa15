"""A producer's stories in a real browser against the real stack (gateway, platform, engine)."""

from __future__ import annotations

import hashlib
import io
import math
import re
import struct
import wave
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from playwright.sync_api import Page, Route, expect

from sp404.core.settings import Settings
from tests.stack import PASSWORD, Mailbox, Producer, new_email, signed_up
from tests.web.conftest import screenshot, set_usage

MB = 1024 * 1024  # the quotas count in MiB, shown as "MB" like the API does


def tone_wav(seconds: float = 1.0, rate: int = 22_050) -> bytes:
    """A short 16-bit mono sine tone: the smallest honest audio file."""
    frames = b"".join(
        struct.pack("<h", int(12_000 * math.sin(2 * math.pi * 440 * n / rate)))
        for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def wav_file(tmp_path: Path, name: str) -> Path:
    """A tone file named `name`; each name's tone is a few frames longer, so two files are never
    the same audio (the library refuses a duplicate)."""
    path = tmp_path / name
    path.write_bytes(
        tone_wav(1.0 + int(hashlib.sha256(name.encode()).hexdigest(), 16) % 2000 / 22_050)
    )
    return path


def sign_in(page: Page, producer: Producer) -> None:
    page.goto("/signin")
    page.get_by_label("E-mail").fill(producer.email)
    page.get_by_label("Password").fill(producer.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Library", level=1)).to_be_visible()


def test_a_producer_signs_up_verifies_signs_in_uploads_and_opens_a_sample(
    page: Page, mailbox: Mailbox, tmp_path: Path
) -> None:
    address = new_email()
    page.goto("/signup")
    page.get_by_label("First name").fill("Dee")
    page.get_by_label("Last name").fill("Lay")
    page.get_by_label("E-mail").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "signup")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("verify")

    body = mailbox.wait_for(address, "confirm").get_content()
    link = urlsplit(re.search(r"https?://\S+/verify-email\?token=[\w-]+", body).group(0))  # type: ignore[union-attr]
    page.goto(f"{link.path}?{link.query}")
    expect(page.get_by_role("status")).to_contain_text("Email verified. You are signed in.")
    screenshot(page, "verify-email")
    # Signed in by the link: a reload keeps the session (the refresh cookie), no password asked.
    page.reload()
    page.get_by_role("link", name="Go to your library").click()
    expect(page.get_by_role("heading", name="Library", level=1)).to_be_visible()
    expect(page.get_by_text("Your library is empty: upload audio to start.")).to_be_visible()

    page.get_by_label("Tags for these uploads").fill("Drums, dusty")
    page.get_by_label("Audio files to upload").set_input_files(
        str(wav_file(tmp_path, "dusty-tone.wav"))
    )
    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads).to_contain_text("Uploaded")
    expect(uploads).to_contain_text("analysis")
    row = page.locator(".sample-list").get_by_role("link", name="dusty-tone")
    expect(row).to_be_visible()
    expect(page.locator(".sample-list")).to_contain_text("drums, dusty")
    screenshot(page, "library")

    # The access token lives in memory only: a reload signs back in with the refresh cookie.
    page.reload()
    expect(page.get_by_role("heading", name="Library", level=1)).to_be_visible()

    page.locator(".sample-list").get_by_role("link", name="dusty-tone").click()
    expect(page.get_by_role("heading", name="dusty-tone", level=1)).to_be_visible()
    expect(page.get_by_text("dusty-tone.wav (WAV")).to_be_visible()
    # One click plays it through the app's audio graph (Chromium runs muted here).
    page.get_by_role("button", name="Play dusty-tone").click()
    page.wait_for_function("() => window.__sp404Audio.state().playing.length === 1")
    expect(page.get_by_role("button", name="Stop dusty-tone")).to_have_attribute(
        "aria-pressed", "true"
    )
    screenshot(page, "sample")

    page.get_by_label("Title").fill("Dusty tone")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("heading", name="Dusty tone", level=1)).to_be_visible()

    page.get_by_role("link", name="Plan & usage").click()
    expect(page.get_by_text("Your plan: Free")).to_be_visible()
    expect(page.get_by_test_id("meter-analyses-this-month")).to_have_text("0 / 10")
    screenshot(page, "billing-free")

    page.get_by_role("link", name="Account").click()
    expect(page.get_by_text("(this device)")).to_be_visible()
    # The session is named as a producer would say it, not by its raw User-Agent.
    this_device = page.locator(".sessions li").filter(has_text="(this device)")
    expect(this_device).to_contain_text(re.compile(r"Chrom\w* \d+ on Linux"))
    expect(this_device).not_to_contain_text("Mozilla/5.0")
    screenshot(page, "account-after-signup")

    page.set_viewport_size({"width": 375, "height": 800})
    page.get_by_role("link", name="Library").click()
    expect(page.get_by_role("heading", name="Library", level=1)).to_be_visible()
    screenshot(page, "library-phone")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/library")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Flibrary$"))


def test_an_upload_past_the_free_storage_quota_is_blocked_with_its_message(
    page: Page, api: httpx.Client, mailbox: Mailbox, migrated_db: Settings, tmp_path: Path
) -> None:
    producer = signed_up(api, mailbox)
    set_usage(migrated_db, producer.user_id, storage_bytes=100 * MB)
    sign_in(page, producer)

    page.get_by_label("Audio files to upload").set_input_files(
        str(wav_file(tmp_path, "one-more.wav"))
    )
    failed = page.locator(".upload-failed")
    expect(failed).to_contain_text("Quota reached")
    expect(failed).to_contain_text("Storage")
    banner = page.locator(".banner")
    expect(banner).to_contain_text("Quota reached")
    expect(banner.get_by_role("link", name="See your plan and usage")).to_be_visible()
    screenshot(page, "quota-blocked")

    banner.get_by_role("link", name="See your plan and usage").click()
    expect(page.get_by_test_id("meter-storage")).to_have_text("100 MB / 100 MB")
    expect(page.locator(".alert-warning")).to_contain_text("Storage")
    screenshot(page, "billing-over-quota")


# Whether the page would ask before it unloads: a cancelled beforeunload event.
_ASKS_BEFORE_LEAVING = """() => {
    const leaving = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(leaving);
    return leaving.defaultPrevented;
}"""


def upload_holding_the_first(page: Page, tmp_path: Path, *names: str) -> list[Route]:
    """Drop files named `names` on the library with the first upload held on its way (the
    test lets it go with `continue_()` on the route returned); the others wait behind it."""
    held: list[Route] = []

    def hold_the_first_upload(route: Route) -> None:
        if route.request.method == "POST" and not held:
            held.append(route)
        else:
            route.continue_()

    page.route("**/api/samples", hold_the_first_upload)
    page.get_by_label("Audio files to upload").set_input_files(
        [str(wav_file(tmp_path, name)) for name in names]
    )
    return held


def test_leaving_the_page_while_files_still_upload_asks_first(
    page: Page, api: httpx.Client, mailbox: Mailbox, tmp_path: Path
) -> None:
    # Files go one at a time: a reload while the first is on its way would drop the second
    # without a word. The page asks, as it does for an unsaved form, and stops asking once
    # every file is sent.
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    held = upload_holding_the_first(page, tmp_path, "first.wav", "second.wav")
    expect(page.get_by_label("Uploading first.wav")).to_be_visible()
    assert page.evaluate(_ASKS_BEFORE_LEAVING)
    # Moving to another of the app's pages is no unload: the uploads carry on.
    page.get_by_role("link", name="Collections").click()
    assert page.evaluate(_ASKS_BEFORE_LEAVING)
    held[0].continue_()
    # Both files sent (from a page that no longer shows the batch), the page stops asking and
    # the library lists them.
    page.wait_for_function(f"() => !({_ASKS_BEFORE_LEAVING})()")
    page.get_by_role("link", name="Library").click()
    library = page.locator(".sample-list")
    expect(library.get_by_role("link", name="first")).to_be_visible()
    expect(library.get_by_role("link", name="second")).to_be_visible()


def test_a_batch_still_sending_is_there_on_return_and_its_files_join_the_list(
    page: Page, api: httpx.Client, mailbox: Mailbox, tmp_path: Path
) -> None:
    # A producer drops two files, looks at Collections while the first is on its way and
    # comes back: the batch is still listed, and the files sent after the return show up in
    # the library without a reload (the page that started the batch is gone).
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    held = upload_holding_the_first(page, tmp_path, "early.wav", "late.wav")
    expect(page.get_by_label("Uploading early.wav")).to_be_visible()
    page.get_by_role("link", name="Collections").click()
    expect(page.get_by_role("heading", name="Collections", level=1)).to_be_visible()
    page.get_by_role("link", name="Library").click()
    expect(page.get_by_label("Uploading early.wav")).to_be_visible()
    expect(page.get_by_label("Uploading late.wav")).to_be_visible()
    # The library read its list on arrival, before either file was stored.
    library = page.locator(".sample-list")
    expect(library.get_by_role("link", name="early")).to_have_count(0)
    held[0].continue_()
    expect(library.get_by_role("link", name="early")).to_be_visible()
    expect(library.get_by_role("link", name="late")).to_be_visible()
    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads.get_by_role("listitem")).to_have_count(2)
    expect(page.get_by_role("status", name="Upload report")).to_have_text("2 uploaded.")
    screenshot(page, "upload-batch-after-return")


def test_another_producers_sample_page_says_not_found(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str
) -> None:
    owner = signed_up(api, mailbox)
    uploaded = httpx.post(
        f"{web_url}/api/samples",
        headers=owner.auth,
        files={"audio": ("secret.wav", tone_wav(), "audio/wav")},
        timeout=30,
    )
    assert uploaded.status_code == 201, uploaded.text
    sample_id = uploaded.json()["sample_id"]

    sign_in(page, signed_up(api, mailbox))
    page.goto(f"/samples/{sample_id}")
    expect(page.get_by_role("heading", name="Sample not found")).to_be_visible()
    expect(page.get_by_text("secret.wav")).to_have_count(0)
    screenshot(page, "sample-not-found")


def test_a_forgotten_password_is_reset_from_the_mailed_link(
    page: Page, api: httpx.Client, mailbox: Mailbox
) -> None:
    producer = signed_up(api, mailbox)
    page.goto("/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail").fill(producer.email)
    page.get_by_role("button", name="Send reset link").click()
    expect(page.get_by_role("status")).to_contain_text("we sent a link")

    body = mailbox.wait_for(producer.email, "reset").get_content()
    link = urlsplit(re.search(r"https?://\S+/reset-password\?token=[\w-]+", body).group(0))  # type: ignore[union-attr]
    page.goto(f"{link.path}?{link.query}")
    page.get_by_label("New password", exact=True).fill("a brand new long passphrase")
    page.get_by_label("Repeat the new password").fill("a brand new long passphrase")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Password changed")

    # Checked through the API: a browser sign-in within the same second as the reset gets a
    # token the platform's "valid after" cut-off (reset second + 1) still refuses.
    login = api.post(
        "/api/auth/login", json={"email": producer.email, "password": "a brand new long passphrase"}
    )
    assert login.status_code == 200
