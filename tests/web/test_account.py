"""The account page and live job progress in a real browser against the real stack.

Avatar, preferences and the data export go through the gateway to the platform; job progress
comes from the engine's event stream while a real `sp404 worker` analyses the upload.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import Page, Request, ViewportSize, expect

from sp404.core.settings import Settings
from tests.services.conftest import service_env
from tests.stack import Mailbox, signed_up
from tests.web.conftest import screenshot
from tests.web.test_studio import sign_in, wav_file

PHONE: ViewportSize = {"width": 375, "height": 800}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}


def png_file(tmp_path: Path, name: str, size: int = 64) -> Path:
    """A small real PNG (a warm orange square)."""
    path = tmp_path / name
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (255, 140, 30)).save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return path


def open_account(page: Page) -> None:
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("heading", name="Account", level=1)).to_be_visible()


def shown_avatar_width(page: Page) -> int:
    """The decoded width of the avatar image, 0 while it has not loaded."""
    avatar = page.get_by_role("img", name="Your avatar")
    expect(avatar).to_be_visible()
    expect(avatar).to_have_attribute("src", re.compile(r"^blob:"))
    page.wait_for_function(
        "() => document.querySelector('img[alt=\"Your avatar\"]')?.naturalWidth > 0"
    )
    return int(avatar.evaluate("img => img.naturalWidth"))


def test_an_avatar_is_previewed_uploaded_shown_and_refusals_explained(
    page: Page, api: httpx.Client, mailbox: Mailbox, tmp_path: Path
) -> None:
    producer = signed_up(api, mailbox)
    puts: list[str] = []
    page.on(
        "request",
        lambda request: (
            puts.append(request.url)
            if request.method == "PUT" and request.url.endswith("/api/account/avatar")
            else None
        ),
    )
    sign_in(page, producer)
    open_account(page)
    picker = page.get_by_label("Choose an image")
    expect(page.get_by_text("PNG, JPEG or WebP, up to 2 MB")).to_be_visible()

    # Too large: said at once, and nothing is sent.
    huge = tmp_path / "huge.png"
    huge.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024 + 10))
    picker.set_input_files(str(huge))
    expect(page.get_by_role("alert")).to_contain_text("avatars can be up to 2 MB")
    assert puts == []

    # Not an image, though named like one: the server reads the content and its message shows.
    fake = tmp_path / "not-an-image.png"
    fake.write_text("this is a text file, not a picture")
    picker.set_input_files(str(fake))
    page.get_by_role("button", name="Upload avatar").click()
    expect(page.get_by_role("alert")).to_contain_text("not a supported image")
    assert len(puts) == 1
    expect(page.get_by_role("img", name="Your avatar")).to_have_count(0)

    # A real PNG: previewed first, then stored and shown from the API.
    picker.set_input_files(str(png_file(tmp_path, "face.png")))
    expect(page.get_by_role("img", name="Preview of face.png")).to_be_visible()
    expect(page.get_by_text("not saved yet")).to_be_visible()
    page.get_by_role("button", name="Upload avatar").click()
    expect(page.get_by_role("status").filter(has_text="Avatar saved.")).to_be_visible()
    assert shown_avatar_width(page) == 64

    # It is the stored one: a reload fetches it again.
    page.reload()
    assert shown_avatar_width(page) == 64
    stored = api.get("/api/account/avatar", headers=producer.auth)
    assert stored.status_code == 200 and stored.headers["content-type"] == "image/png"

    screenshot(page, "account")
    page.set_viewport_size(PHONE)
    expect(page.get_by_role("img", name="Your avatar")).to_be_visible()
    # Nothing pushes the page sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "account-phone")
    page.set_viewport_size(DESKTOP)

    page.get_by_role("button", name="Remove avatar").click()
    expect(page.get_by_role("status").filter(has_text="Avatar removed.")).to_be_visible()
    expect(page.get_by_role("img", name="Your avatar")).to_have_count(0)
    assert api.get("/api/account/avatar", headers=producer.auth).status_code == 404


def test_saved_preferences_survive_a_reload(
    page: Page, api: httpx.Client, mailbox: Mailbox
) -> None:
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    open_account(page)
    auto = page.get_by_label("Analyse new uploads automatically")
    notices = page.get_by_label("E-mail notices")
    model = page.get_by_label("Vibe model")
    expect(auto).to_be_checked()
    expect(notices).to_be_checked()
    expect(model).to_have_value("qwen/qwen3-7b-it")

    auto.uncheck()
    notices.uncheck()
    model.fill("mistralai/mistral-small-3.1")
    page.get_by_role("button", name="Save preferences").click()
    expect(page.get_by_role("status").filter(has_text="Preferences saved.")).to_be_visible()

    page.reload()
    expect(page.get_by_label("Vibe model")).to_have_value("mistralai/mistral-small-3.1")
    expect(page.get_by_label("Analyse new uploads automatically")).not_to_be_checked()
    expect(page.get_by_label("E-mail notices")).not_to_be_checked()
    saved = api.get("/api/account/preferences", headers=producer.auth).json()
    assert saved["auto_analyze_enabled"] is False
    assert saved["notification_email_enabled"] is False
    assert saved["selected_model"] == "mistralai/mistral-small-3.1"


def test_my_data_downloads_as_a_zip_holding_my_profile(
    page: Page, api: httpx.Client, mailbox: Mailbox
) -> None:
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    open_account(page)
    expect(page.get_by_text("We also e-mail you a link")).to_be_visible()

    with page.expect_download(timeout=60_000) as started:
        page.get_by_role("button", name="Download my data").click()
    download = started.value
    assert re.fullmatch(r"sp404-data-[0-9a-f-]{36}\.zip", download.suggested_filename)
    with zipfile.ZipFile(download.path()) as archive:
        profile = json.loads(archive.read("profile.json"))
        assert "preferences.json" in archive.namelist()
    assert profile["email"] == producer.email
    assert "password_hash" not in profile
    expect(page.get_by_role("status").filter(has_text="Your export is ready")).to_be_visible()
    # The e-mail the page promised.
    assert "/api/account/exports/" in mailbox.wait_for(producer.email, "export").get_content()


def test_an_uploads_analysis_progress_arrives_live_from_the_event_stream(
    page: Page, api: httpx.Client, mailbox: Mailbox, migrated_db: Settings, tmp_path: Path
) -> None:
    producer = signed_up(api, mailbox)
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    sign_in(page, producer)
    page.evaluate("window.__notReloaded = true")

    page.get_by_label("Audio files to upload").set_input_files(
        str(wav_file(tmp_path, "live-tone.wav"))
    )
    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads).to_contain_text("Queued for analysis")
    row = page.locator(".sample-row").filter(has_text="live-tone")
    expect(row.locator(".status")).not_to_have_text("ready")

    # Only now does a worker exist: the change can only reach the page while it is open.
    worker = subprocess.Popen(
        [sys.executable, "-m", "sp404.cli.main", "worker"],
        env=service_env(migrated_db, SP404_WORKER_LEASE_S="10"),
    )
    try:
        expect(uploads).to_contain_text("Analysed", timeout=120_000)
        # The finished job reloads the list: the row's status changed in place.
        expect(row.locator(".status")).to_have_text("ready")
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    assert page.evaluate("window.__notReloaded") is True
    streams = [r for r in requests if r.url.endswith("/api/jobs/events")]
    assert streams, "the page never opened the job event stream"
    assert streams[0].all_headers().get("authorization", "").startswith("Bearer ")
    # One read of the job when it was queued; every later change came over the stream, not polls.
    job_reads = [r for r in requests if re.search(r"/api/jobs/[0-9a-f-]{36}$", r.url)]
    assert len(job_reads) <= 1, [r.url for r in job_reads]


def test_a_changed_password_keeps_this_tab_signed_in_and_ends_the_others(
    page: Page, api: httpx.Client, mailbox: Mailbox
) -> None:
    producer = signed_up(api, mailbox)  # the API's session is "another device"
    sign_in(page, producer)
    open_account(page)
    new_password = "a different long passphrase"
    page.get_by_label("Current password").fill(producer.password)
    page.get_by_label("New password", exact=True).fill(new_password)
    page.get_by_label("Repeat the new password").fill(new_password)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status").filter(has_text="Password changed")).to_be_visible()
    expect(page.get_by_role("button", name="Sign out this session")).to_have_count(0)

    page.reload()
    expect(page.get_by_role("heading", name="Account", level=1)).to_be_visible()
    assert api.get("/api/account/profile", headers=producer.auth).status_code == 401
    login = api.post("/api/auth/login", json={"email": producer.email, "password": new_password})
    assert login.status_code == 200
