"""The producer's whole story in one real browser, from sign-up to an IMPORT pack on disk.

Everything goes through the web app's UI, except reading the verification mail; a real
`sp404 worker` analyses the uploads while the library is open, so tempo and key arrive live.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg
import httpx
import pytest
import soundfile
from playwright.sync_api import Locator, Page, expect

from sp404.core.settings import Settings
from tests.analysis_engine.features.synthetic_audio import SR, band_mix, drum_loop
from tests.services.conftest import service_env
from tests.stack import PASSWORD, Mailbox, new_email, signed_up
from tests.web.conftest import run_async, screenshot
from tests.web.test_account import open_account, png_file
from tests.web.test_kits import new_kit
from tests.web.test_studio import sign_in, wav_file

ANALYSIS_TIMEOUT_MS = 120_000  # the worker's first batch also loads torch


def write_wav(path: Path, audio: object) -> Path:
    """Audio with a tempo and a key to find, as 16-bit WAV."""
    buffer = io.BytesIO()
    soundfile.write(buffer, audio, SR, format="WAV", subtype="PCM_16")
    path.write_bytes(buffer.getvalue())
    return path


@pytest.fixture
def start_worker(migrated_db: Settings) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Holds the workers a test starts, and stops them afterwards."""
    workers: list[subprocess.Popen[bytes]] = []
    yield workers
    for worker in workers:
        worker.terminate()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def spend_analyses(settings: Settings, user_id: str, used: int) -> None:
    """Set this period's analyses as the worker counts them (inside the tenant's transaction)."""

    async def update() -> None:
        conn = await asyncpg.connect(settings.database_url)
        try:
            async with conn.transaction():
                await conn.execute("select set_config('app.user_id', $1, true)", user_id)
                await conn.execute("update app.usage_counters set analyses_used = $1", used)
        finally:
            await conn.close()

    run_async(update())


def wait_for_analysis_status(
    settings: Settings, user_id: str, filename: str, wanted: str, timeout: float = 120.0
) -> None:
    """Wait until the worker has moved the upload's analysis job to `wanted`."""

    async def status() -> str | None:
        conn = await asyncpg.connect(settings.database_url)
        try:
            async with conn.transaction():
                await conn.execute("select set_config('app.user_id', $1, true)", user_id)
                found: str | None = await conn.fetchval(
                    "select j.status from app.processing_jobs j"
                    " join app.samples s on s.id = j.sample_id where s.filename = $1",
                    filename,
                )
                return found
        finally:
            await conn.close()

    deadline = time.monotonic() + timeout
    while (seen := run_async(status())) != wanted:
        assert time.monotonic() < deadline, f"the analysis of {filename} stayed {seen}"
        time.sleep(0.5)


def pad(page: Page, label: str) -> Locator:
    """The pad's button, named like "Pad A-01, Loop: dusty-keys"."""
    return page.get_by_role("button", name=re.compile(rf"^Pad {label}, "))


def test_a_producer_goes_from_sign_up_to_an_import_pack_and_meets_the_analyses_quota(
    page: Page,
    mailbox: Mailbox,
    migrated_db: Settings,
    start_worker: list[subprocess.Popen[bytes]],
    tmp_path: Path,
) -> None:
    # Sign up, open the mailed link, sign in.
    address = new_email()
    page.goto("/signup")
    page.get_by_label("First name").fill("Dee")
    page.get_by_label("Last name").fill("Lay")
    page.get_by_label("E-mail").fill(address)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("verify")
    screenshot(page, "story-1-signed-up")

    body = mailbox.wait_for(address, "confirm").get_content()
    link = urlsplit(re.search(r"https?://\S+/verify-email\?token=[\w-]+", body).group(0))  # type: ignore[union-attr]
    # The link confirms the address and signs this browser in: no password again.
    with page.expect_response(re.compile(r"/api/auth/verify$")) as verified:
        page.goto(f"{link.path}?{link.query}")
    expect(page.get_by_role("status")).to_contain_text("Email verified. You are signed in.")
    user_id = str(verified.value.json()["user"]["id"])  # for the quota step below
    page.get_by_role("link", name="Go to your library").click()
    expect(page.get_by_role("heading", name="Library", level=1)).to_be_visible()
    expect(page.get_by_text("Your library is empty: upload audio to start.")).to_be_visible()
    # No avatar yet: the header shows the initials beside "Sign out".
    expect(page.locator(".topbar .header-avatar-initials")).to_have_text("DL")

    # Two WAVs through the upload zone; no worker runs yet, so both wait in the queue.
    page.get_by_label("Tags for these uploads").fill("story")
    page.get_by_label("Audio files to upload").set_input_files(
        [
            str(write_wav(tmp_path / "dusty-keys.wav", band_mix(90.0, 4))),
            str(write_wav(tmp_path / "boom-bap.wav", drum_loop(90.0, 2, variant=1, seed=3))),
        ]
    )
    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads.get_by_role("status")).to_have_count(2)
    expect(uploads.get_by_role("status").first).to_contain_text("Queued for analysis")
    samples = page.locator(".sample-list")
    keys_row = samples.locator(".sample-row").filter(has_text="dusty-keys")
    bap_row = samples.locator(".sample-row").filter(has_text="boom-bap")
    # No tempo yet: a dash, not "no tempo" (the analysis has not run) nor "- BPM".
    expect(keys_row.locator('[data-label="Tempo"]')).to_have_text("\u2013")
    screenshot(page, "story-2-uploaded")

    # A worker starts only now: tempo and key can only reach the page while it is open.
    start_worker.append(
        subprocess.Popen(
            [sys.executable, "-m", "sp404.cli.main", "worker"],
            env=service_env(migrated_db, SP404_WORKER_LEASE_S="10"),
        )
    )
    for status in uploads.get_by_role("status").all():
        expect(status).to_contain_text("Analysed", timeout=ANALYSIS_TIMEOUT_MS)
    expect(keys_row).to_contain_text("90 BPM")
    expect(keys_row).to_contain_text("C major")
    expect(keys_row.locator(".status")).to_have_text("ready")
    expect(bap_row).to_contain_text("90 BPM")
    expect(bap_row.locator(".status")).to_have_text("ready")
    screenshot(page, "story-3-analysed")

    # The sample page: its features, and the other upload among the similar sounds.
    samples.get_by_role("link", name="dusty-keys").click()
    expect(page.get_by_role("heading", name="dusty-keys", level=1)).to_be_visible()
    features = page.get_by_role("region", name="Features")
    expect(features).to_contain_text("90.0 BPM")
    expect(features).to_contain_text("C major")
    expect(features).to_contain_text("Loop")
    similar = page.get_by_role("region", name="Similar sounds")
    expect(similar.get_by_role("link", name="boom-bap")).to_be_visible()
    expect(similar).to_contain_text("in your library")
    screenshot(page, "story-4-sample")

    # A kit: both samples onto pads with the select-then-"Put on" buttons.
    new_kit(page, "Story Kit")
    library = page.get_by_role("list", name="Library samples")
    pad(page, "A-01").click()
    library.get_by_role("button", name="Put on A-01: dusty-keys").click()
    expect(pad(page, "A-01")).to_have_accessible_name(re.compile(r": dusty-keys$"))
    pad(page, "A-02").click()
    library.get_by_role("button", name="Put on A-02: boom-bap").click()
    expect(pad(page, "A-02")).to_have_accessible_name(re.compile(r": boom-bap$"))
    expect(page.get_by_role("tab", name="Bank A, 2 pads used")).to_be_visible()
    screenshot(page, "story-5-kit")

    # Export an IMPORT pack, wait for it, download it and look inside.
    exporter = page.get_by_role("form", name="Export for the SP-404MK2")
    expect(exporter.get_by_role("radio", name="IMPORT pack")).to_be_checked()
    exporter.get_by_role("button", name="Start export").click()
    row = page.get_by_role("list", name="Exports").get_by_role("listitem").first
    expect(row).to_contain_text("STORY KIT IMPORT.zip")
    expect(row.get_by_role("status")).to_have_text("Ready", timeout=60_000)
    screenshot(page, "story-6-export-ready")
    with page.expect_download() as started:
        row.get_by_role("button", name=re.compile("^Download")).click()
    download = started.value
    assert download.suggested_filename == "STORY KIT IMPORT.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as pack:
        names = pack.namelist()
        wavs = [n for n in names if n.upper().endswith(".WAV")]
        assert len(wavs) == 2, names
        assert any(re.search(r"/BANK A/01 DUSTY.KEYS\.WAV$", n, re.I) for n in wavs), names
        assert any(re.search(r"/BANK A/02 BOOM.BAP\.WAV$", n, re.I) for n in wavs), names
        for name in wavs:
            assert pack.read(name)[:4] == b"RIFF", name

    # The Free plan's 11th analysis this month waits, and the page says why.
    spend_analyses(migrated_db, user_id, 10)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    page.get_by_label("Audio files to upload").set_input_files(
        str(wav_file(tmp_path, "one-more.wav"))
    )
    latest = page.get_by_role("list", name="Uploads").get_by_role("listitem").first
    expect(latest).to_contain_text("one-more.wav")
    expect(latest).to_contain_text("Uploaded")
    # The event stream does not report a running job turning "deferred" (it reads changes from
    # started_at/finished_at, which deferral leaves alone), so the page is read afresh once the
    # worker has deferred the job.
    wait_for_analysis_status(migrated_db, user_id, "one-more.wav", "deferred")
    page.reload()
    one_more = samples.locator(".sample-row").filter(has_text="one-more")
    expect(one_more.locator(".status")).to_have_text("deferred")
    expect(one_more.locator('[data-label="Tempo"]')).to_have_text("\u2013")
    screenshot(page, "story-7-analyses-quota")

    page.get_by_role("link", name="Plan & usage").click()
    expect(page.get_by_test_id("meter-analyses-this-month")).to_have_text("10 / 10")
    expect(page.locator(".alert-warning")).to_contain_text("Analyses this month: 10 of 10 used")
    screenshot(page, "story-8-plan-usage")


def test_the_header_shows_the_avatar_the_account_page_sets_and_removes(
    page: Page, api: httpx.Client, mailbox: Mailbox, tmp_path: Path
) -> None:
    sign_in(page, signed_up(api, mailbox))
    header = page.locator(".topbar")
    expect(header.locator(".header-avatar-initials")).to_have_text("DL")
    expect(header.get_by_role("img")).to_have_count(0)

    open_account(page)
    page.get_by_label("Choose an image").set_input_files(str(png_file(tmp_path, "face.png")))
    page.get_by_role("button", name="Upload avatar").click()
    avatar = header.get_by_role("img", name="Avatar of Dee Lay")
    expect(avatar).to_be_visible()
    expect(avatar).to_have_attribute("src", re.compile(r"^blob:"))
    page.wait_for_function(
        "() => document.querySelector('.topbar img.header-avatar')?.naturalWidth === 64"
    )
    box = avatar.bounding_box()
    assert box is not None and round(box["width"]) == 24 and round(box["height"]) == 24
    # Beside "Sign out", in the same header item.
    expect(
        avatar.locator("xpath=..").get_by_role("button", name=re.compile("^Sign out"))
    ).to_be_visible()
    screenshot(page, "header-avatar")

    # It comes back after a reload (fetched again with the new access token) ...
    page.reload()
    expect(header.get_by_role("img", name="Avatar of Dee Lay")).to_be_visible()
    # ... and goes when the account page removes it.
    page.get_by_role("button", name="Remove avatar").click()
    expect(header.get_by_role("img")).to_have_count(0)
    expect(header.locator(".header-avatar-initials")).to_have_text("DL")
