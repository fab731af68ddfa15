"""Kits in a real browser: the 10 x 16 pad grid, drag and drop with its keyboard alternative,
recommendations, and an IMPORT pack export downloaded and opened."""

from __future__ import annotations

import hashlib
import io
import re
import wave
import zipfile
from pathlib import Path

import httpx
from playwright.sync_api import Locator, Page, expect

from tests.stack import Mailbox, Producer, signed_up
from tests.web.conftest import screenshot
from tests.web.test_studio import sign_in, tone_wav


def upload(web_url: str, producer: Producer, name: str, seconds: float = 1.0) -> str:
    """Upload a tone named `name` through the gateway; returns the sample id. Each name's tone
    is a few frames longer or shorter, so two uploads are never the same audio (a duplicate is
    refused)."""
    seconds += int(hashlib.sha256(name.encode()).hexdigest(), 16) % 2000 / 22_050
    response = httpx.post(
        f"{web_url}/api/samples",
        headers=producer.auth,
        files={"audio": (f"{name}.wav", tone_wav(seconds), "audio/wav")},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["sample_id"])


def pad(page: Page, label: str) -> Locator:
    """The pad's button, named like "Pad A-01, Loop: dusty-loop"."""
    return page.get_by_role("button", name=re.compile(rf"^Pad {label}, "))


def new_kit(page: Page, name: str) -> None:
    """Create an empty kit named `name` from the Kits page and open it."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Kits").click()
    form = page.get_by_role("form", name="New kit")
    form.get_by_label("Kit name").fill(name)
    form.get_by_role("button", name="Create kit").click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()


def test_a_producer_fills_a_kit_by_drag_and_keyboard_and_downloads_its_import_pack(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str, tmp_path: Path
) -> None:
    producer = signed_up(api, mailbox)
    upload(web_url, producer, "dusty-loop", seconds=4.0)
    upload(web_url, producer, "kick-deep")
    upload(web_url, producer, "snare-crack")
    sign_in(page, producer)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Kits").click()
    expect(page.get_by_role("heading", name="Kits", level=1)).to_be_visible()
    expect(page.get_by_text("No kits yet.")).to_be_visible()
    new_kit = page.get_by_role("form", name="New kit")
    new_kit.get_by_label("Kit name").fill("Dusty Beats")
    new_kit.get_by_label("BPM (optional)").fill("90")
    new_kit.get_by_role("button", name="Create kit").click()
    expect(page.get_by_role("heading", name="Dusty Beats", level=1)).to_be_visible()
    expect(page.get_by_text("90 BPM · 0 of 160 pads used")).to_be_visible()
    expect(page.get_by_role("tab", name="Bank A, 0 pads used")).to_have_attribute(
        "aria-selected", "true"
    )

    # Drag a library sample onto A-01, then drag that pad onto A-02.
    library = page.get_by_role("list", name="Library samples")
    library.get_by_role("listitem").filter(has_text="dusty-loop").drag_to(
        page.locator('[data-pad="A-01"]')
    )
    expect(pad(page, "A-01")).to_have_accessible_name("Pad A-01, Loop: dusty-loop")
    expect(page.get_by_role("status").filter(has_text="on A-01")).to_contain_text(
        "Put “dusty-loop” on A-01."
    )
    page.locator('[data-pad="A-01"]').drag_to(page.locator('[data-pad="A-02"]'))
    expect(pad(page, "A-02")).to_have_accessible_name("Pad A-02, Loop: dusty-loop")
    expect(pad(page, "A-01")).to_have_accessible_name("Pad A-01, Loop: empty")

    # The keyboard way: select pad A-13, jump to the library search, Tab to "Put on A-13".
    pad(page, "A-13").focus()
    page.keyboard.press("Enter")
    expect(pad(page, "A-13")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", name="Pad A-13 · Kick")).to_be_visible()
    page.get_by_role("button", name="Choose from library…").press("Enter")
    expect(page.get_by_label("Search your samples")).to_be_focused()
    page.keyboard.type("kick")
    put = page.get_by_role("button", name="Put on A-13: kick-deep")
    expect(library.get_by_role("listitem")).to_have_count(1)
    # Each row: its play button, then its "Put on" button.
    page.keyboard.press("Tab")
    expect(library.get_by_role("button", name="Play kick-deep")).to_be_focused()
    page.keyboard.press("Tab")
    expect(put).to_be_focused()
    page.keyboard.press("Enter")
    expect(pad(page, "A-13")).to_have_accessible_name("Pad A-13, Kick: kick-deep")

    # A snare pad suggests the snare; one click puts it there.
    pad(page, "A-14").click()
    suggestions = page.get_by_role("region", name="Suggested for A-14")
    suggestions.get_by_role("button", name="Assign snare-crack to A-14").click()
    expect(pad(page, "A-14")).to_have_accessible_name("Pad A-14, Snare: snare-crack")

    # Pad settings: the loop pad loops; quieten it.
    pad(page, "A-02").click()
    settings = page.get_by_role("form", name="Settings of pad A-02")
    expect(settings.get_by_label("Loop")).to_be_checked()
    settings.get_by_label("Volume").fill("100")
    settings.get_by_role("button", name="Save pad settings").click()
    expect(page.locator('[data-pad="A-02"]')).to_contain_text("Vol 100")
    screenshot(page, "kit")

    # The keyboard alternative to dragging pad onto pad: move A-02 back to A-01.
    move = page.get_by_role("form", name="Move pad A-02")
    move.get_by_label("Move to pad").select_option("1")
    move.get_by_role("button", name="Move to A-01").click()
    expect(pad(page, "A-01")).to_have_accessible_name("Pad A-01, Loop: dusty-loop")
    expect(page.locator('[data-pad="A-01"]')).to_contain_text("Vol 100")

    page.get_by_role("button", name="Clear pad A-01").click()
    expect(pad(page, "A-01")).to_have_accessible_name("Pad A-01, Loop: empty")
    expect(page.get_by_text("90 BPM · 2 of 160 pads used")).to_be_visible()

    # Export an IMPORT pack and watch it get built.
    exporter = page.get_by_role("form", name="Export for the SP-404MK2")
    expect(exporter.get_by_role("radio", name="IMPORT pack")).to_be_checked()
    expect(exporter.get_by_role("radio", name="Native project (beta)")).to_be_visible()
    exporter.get_by_role("button", name="Start export").click()
    row = page.get_by_role("list", name="Exports").get_by_role("listitem").first
    expect(row).to_contain_text("DUSTY BEATS IMPORT.zip")
    expect(row.get_by_role("status")).to_have_text("Ready", timeout=60_000)
    expect(row).to_contain_text("Available until")

    with page.expect_download() as download_info:
        row.get_by_role("button", name=re.compile("^Download")).click()
    download = download_info.value
    assert download.suggested_filename == "DUSTY BEATS IMPORT.zip"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with zipfile.ZipFile(saved) as pack:
        names = pack.namelist()
        kicks = [n for n in names if re.search(r"/BANK A/13 KICK.DEEP\.WAV$", n, re.I)]
        assert len(kicks) == 1, names
        with wave.open(io.BytesIO(pack.read(kicks[0]))) as audio:
            assert audio.getframerate() == 48_000
            assert audio.getsampwidth() == 2
        assert any(re.search(r"/BANK A/14 SNARE.CRACK\.WAV$", n, re.I) for n in names), names
        # The cleared loop pad exported nothing.
        assert not any(re.search(r"/BANK A/0[12] ", n) for n in names), names
        assert any(n.endswith("PADMAP.txt") for n in names), names

    page.set_viewport_size({"width": 375, "height": 800})
    pad(page, "A-13").scroll_into_view_if_needed()
    # Nothing sticks out sideways on a phone: the page never scrolls horizontally.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "kit-phone")

    page.get_by_role("link", name="← Kits").click()
    expect(page.get_by_role("link", name="Dusty Beats")).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    screenshot(page, "kits")

    # Past exports are listed with their expiry, and can go before it.
    page.get_by_role("button", name="Delete export DUSTY BEATS IMPORT.zip").click()
    expect(page.get_by_text("No exports yet.")).to_be_visible()


def test_with_no_pad_selected_the_library_buttons_fill_the_empty_pads_in_turn(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str
) -> None:
    # A producer with a handful of samples wants them on pads without picking each pad: with
    # none selected, each "Put on" takes the next empty pad of the bank shown. Selecting a pad
    # targets it instead, and letting it go goes back to filling.
    producer = signed_up(api, mailbox)
    for name in ("first-loop", "second-hit", "third-hit"):
        upload(web_url, producer, name)
    sign_in(page, producer)
    new_kit(page, "Quick Fill")
    library = page.get_by_role("list", name="Library samples")
    expect(page.get_by_text("it fills the next empty pad, A-01")).to_be_visible()

    library.get_by_role("button", name="Put on A-01: first-loop").click()
    expect(pad(page, "A-01")).to_have_accessible_name(re.compile(r": first-loop$"))
    library.get_by_role("button", name="Put on A-02: second-hit").click()
    expect(pad(page, "A-02")).to_have_accessible_name(re.compile(r": second-hit$"))
    # Another bank fills from its own first pad.
    page.get_by_role("tab", name=re.compile(r"^Bank C")).click()
    library.get_by_role("button", name="Put on C-01: third-hit").click()
    expect(pad(page, "C-01")).to_have_accessible_name(re.compile(r": third-hit$"))

    # A selected pad is the target, until it is let go.
    page.get_by_role("tab", name=re.compile(r"^Bank A")).click()
    pad(page, "A-01").click()
    expect(page.get_by_text("it goes on the selected pad, A-01")).to_be_visible()
    library.get_by_role("button", name="Put on A-01: third-hit").click()
    expect(pad(page, "A-01")).to_have_accessible_name(re.compile(r": third-hit$"))
    page.get_by_role("button", name="Fill empty pads instead").click()
    expect(library.get_by_role("button", name="Put on A-03: first-loop")).to_be_enabled()
    expect(page.get_by_role("tab", name="Bank A, 2 pads used")).to_be_visible()
    screenshot(page, "kit-fill-empty-pads")


def test_kits_are_built_from_a_prompt_renamed_and_deleted_in_the_list(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str
) -> None:
    producer = signed_up(api, mailbox)
    upload(web_url, producer, "kick-punchy")
    upload(web_url, producer, "snare-tight")
    sign_in(page, producer)
    page.goto("/kits")

    builder = page.get_by_role("form", name="Build a kit for me")
    builder.get_by_label("Kit name").fill("Punchy")
    builder.get_by_label("Describe the kit").fill("kick")
    builder.get_by_role("button", name="Build kit").click()
    expect(page.get_by_role("heading", name="Punchy", level=1)).to_be_visible()
    expect(page.get_by_text("Built: 1 pad filled")).to_be_visible()
    expect(pad(page, "A-13")).to_have_accessible_name("Pad A-13, Kick: kick-punchy")
    expect(pad(page, "A-14")).to_have_accessible_name("Pad A-14, Snare: empty")

    # "Complete" fills the bank's empty pads with what goes with the seed.
    pad(page, "A-13").click()
    page.get_by_role("button", name="Complete bank A around this sample").click()
    expect(page.get_by_role("status").filter(has_text=re.compile("^Filled"))).to_have_text(
        "Filled A-14 around “kick-punchy”."
    )
    expect(pad(page, "A-14")).to_have_accessible_name("Pad A-14, Snare: snare-tight")

    # Banks are tabs: the arrow keys step through them.
    page.get_by_role("tab", name="Bank A, 2 pads used").press("ArrowRight")
    expect(page.get_by_role("tab", name="Bank B, 0 pads used")).to_be_focused()
    expect(pad(page, "B-13")).to_have_accessible_name("Pad B-13, Kick: empty")

    page.get_by_role("link", name="← Kits").click()
    page.get_by_role("button", name="Rename Punchy").click()
    page.get_by_label("New name for Punchy").fill("Punchier")
    page.get_by_role("button", name="Save name").click()
    kits = page.get_by_role("list", name="Kits")
    expect(kits.get_by_role("link", name="Punchier")).to_be_visible()
    expect(kits).to_contain_text("2 pads")

    page.get_by_role("button", name="Delete Punchier").click()
    page.get_by_role("button", name="Yes, delete").click()
    expect(page.get_by_text("No kits yet.")).to_be_visible()


def test_another_producers_kit_page_says_not_found(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str
) -> None:
    owner = signed_up(api, mailbox)
    created = httpx.post(
        f"{web_url}/api/kits", headers=owner.auth, json={"name": "Secret Kit"}, timeout=30
    )
    assert created.status_code == 201, created.text

    sign_in(page, signed_up(api, mailbox))
    page.goto(f"/kits/{created.json()['id']}")
    expect(page.get_by_role("heading", name="Kit not found")).to_be_visible()
    expect(page.get_by_text("Secret Kit")).to_have_count(0)
