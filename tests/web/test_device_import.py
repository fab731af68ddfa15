"""Import from the SP-404MK2 in a real browser: the kits page takes a project ZIP written by a
real unit and opens the kit it made."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.stack import Mailbox, signed_up
from tests.web.test_studio import sign_in

PROJECT = Path(__file__).parents[1] / "analysis_engine/sp404/reference/pad-sequencer/2026-04-08"


def project_zip(tmp_path: Path) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(PROJECT.rglob("*")):
            if path.is_file() and path.suffix != ".txt":
                archive.write(path, f"P08_PROJECT_08/{path.relative_to(PROJECT).as_posix()}")
    target = tmp_path / "P08_PROJECT_08.zip"
    target.write_bytes(buffer.getvalue())
    return target


def test_a_producer_imports_a_device_project_and_lands_on_its_kit(
    page: Page, api: httpx.Client, mailbox: Mailbox, tmp_path: Path
) -> None:
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Kits").click()
    form = page.get_by_role("form", name="Import from the SP-404MK2")
    form.get_by_label("Project ZIP").set_input_files(project_zip(tmp_path))
    form.get_by_role("button", name="Import project").click()
    expect(page.get_by_role("heading", name="PROJECT_08", level=1)).to_be_visible()
    expect(page.get_by_text("90 BPM · 2 of 160 pads used")).to_be_visible()
