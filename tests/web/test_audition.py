"""Hearing samples in a real (muted) Chromium: one-click audition, pads that play like the
sampler's, trims that reach the export, and no serious accessibility rule broken on the way.

The audio graph is read through `window.__sp404Audio` (web/src/audio/player.ts): the sources that
are playing, and the AudioContext's state and clock."""

from __future__ import annotations

import io
import json
import math
import re
import struct
import uuid
import wave
import zipfile
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import numpy as np
import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from analysis_engine.features.waveform import compute_peaks
from analysis_engine.sp404 import offsets
from analysis_engine.sp404.device import read_padconf
from sp404.core.settings import Settings
from tests.analysis_engine.search.seed import towards
from tests.stack import Mailbox, Producer, signed_up
from tests.web.conftest import ARTIFACTS, WEB, producer_address, run_async
from tests.web.test_kits import pad
from tests.web.test_studio import sign_in

AXE = WEB / "node_modules" / "axe-core" / "axe.min.js"


def tone(seconds: float, rate: int = 22_050, hz: float = 440.0, beat: float = 0.0) -> bytes:
    """A 16-bit mono sine tone; its pitch keeps uploads apart (the library refuses duplicates).
    With `beat` (seconds) it is struck every beat and dies away, so its waveform has a shape."""

    def level(n: int) -> float:
        return math.exp(-6 * ((n / rate) % beat) / beat) if beat else 1.0

    frames = b"".join(
        struct.pack("<h", int(12_000 * level(n) * math.sin(2 * math.pi * hz * n / rate)))
        for n in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


def upload(web_url: str, producer: Producer, name: str, audio: bytes) -> str:
    response = httpx.post(
        f"{web_url}/api/samples",
        headers=producer.auth,
        files={"audio": (f"{name}.wav", audio, "audio/wav")},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["sample_id"])


def view(page: Page, name: str, top: Locator, height: int = 900) -> None:
    """A screenshot of the screen with `top` at its top (not the whole page), for the README."""
    page.set_viewport_size({"width": 1280, "height": height})
    top.evaluate("(element) => element.scrollIntoView({ block: 'start' })")
    page.wait_for_timeout(100)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def playing(page: Page) -> list[dict[str, Any]]:
    """The sources the page's audio graph is playing now."""
    return list(page.evaluate("() => window.__sp404Audio.state().playing"))


def wait_playing(page: Page, key: str, sounding: bool = True) -> None:
    page.wait_for_function(
        "([key, on]) => window.__sp404Audio.state().playing.some((p) => p.key === key) === on",
        arg=[key, sounding],
    )


def clock_runs(page: Page) -> bool:
    """The AudioContext is running and its clock moves: the graph is rendering audio."""
    state = page.evaluate("() => window.__sp404Audio.state().context")
    before = page.evaluate("() => window.__sp404Audio.contextTime()")
    page.wait_for_timeout(150)
    after = page.evaluate("() => window.__sp404Audio.contextTime()")
    return bool(state == "running" and after > before)


def mark_analysed(settings: Settings, producer: Producer, sample_id: str, audio: bytes) -> None:
    """What the analysis worker leaves for a sample, as far as these pages read it: status ready
    and features with the waveform peaks the engine draws (its own compute_peaks)."""
    with wave.open(io.BytesIO(audio)) as clip:
        pcm = np.frombuffer(clip.readframes(clip.getnframes()), dtype="<i2") / 32768.0
    peaks = compute_peaks(pcm)

    async def write() -> None:
        conn = await asyncpg.connect(settings.database_url)
        try:
            async with conn.transaction():
                await conn.execute("select set_config('app.user_id', $1, true)", producer.user_id)
                await conn.execute(
                    "insert into app.audio_features (user_id, sample_id, features, embedding,"
                    " engine_version, waveform) values ($1, $2, '{}', $3, 'test', $4)",
                    uuid.UUID(producer.user_id),
                    uuid.UUID(sample_id),
                    towards(1.0),
                    peaks,
                )
                await conn.execute(
                    "update app.samples set status = 'ready' where id = $1", uuid.UUID(sample_id)
                )
        finally:
            await conn.close()

    run_async(write())


def analysed_upload(
    settings: Settings,
    web_url: str,
    producer: Producer,
    name: str,
    seconds: float,
    hz: float,
    beat: float = 0.0,
) -> str:
    audio = tone(seconds, hz=hz, beat=beat)
    sample_id = upload(web_url, producer, name, audio)
    mark_analysed(settings, producer, sample_id, audio)
    return sample_id


def audit_context(browser: Browser, web_url: str) -> Page:
    """A page whose CSP is bypassed so axe-core can be injected: the app's CSP (rightly) refuses
    the script, so this context bypasses it for the audit only."""
    context = browser.new_context(
        base_url=web_url,
        bypass_csp=True,
        viewport={"width": 1280, "height": 900},
        extra_http_headers={"X-Forwarded-For": producer_address()},
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def serious_violations(page: Page) -> list[str]:
    """axe-core's serious and critical findings on the page as it stands."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter((v) => v.impact === 'serious' || v.impact === 'critical')"
        ".map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)"
    )
    return list(result)


def make_kit(web_url: str, producer: Producer, pads: list[dict[str, Any]], bpm: float = 120) -> str:
    kit = httpx.post(
        f"{web_url}/api/kits", headers=producer.auth, json={"name": "Audition", "bpm": bpm}
    )
    assert kit.status_code == 201, kit.text
    kit_id = str(kit.json()["id"])
    defaults = {"volume": 127, "pitch": 0, "gate": False, "loop": False, "one_shot": True}
    for settings in pads:
        body = {"mute_group": 0, **defaults, **settings}
        answer = httpx.put(
            f"{web_url}/api/kits/{kit_id}/pads", headers=producer.auth, json=body, timeout=10
        )
        assert answer.status_code == 200, answer.text
    return kit_id


def test_a_library_row_plays_with_one_click_and_a_second_click_stops_it(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str, migrated_db: Settings
) -> None:
    producer = signed_up(api, mailbox)
    first = analysed_upload(migrated_db, web_url, producer, "warm-keys", 2.0, 330, beat=0.5)
    second = analysed_upload(migrated_db, web_url, producer, "dusty-hat", 2.0, 660, beat=0.125)
    sign_in(page, producer)

    rows = page.get_by_role("list", name="Samples")
    expect(rows.locator('[data-waveform="peaks"]')).to_have_count(2)
    play = rows.get_by_role("button", name="Play warm-keys")
    play.click()
    wait_playing(page, first)
    stop = rows.get_by_role("button", name="Stop warm-keys")
    expect(stop).to_have_attribute("aria-pressed", "true")
    assert [p["key"] for p in playing(page)] == [first]
    assert clock_runs(page)
    # The playhead moves across the row's waveform while it plays.
    wave_row = rows.get_by_role("listitem").filter(has_text="warm-keys").locator(".waveform")
    expect(wave_row.locator(".playhead")).to_be_visible()
    first_at = float(wave_row.get_attribute("data-playhead") or 0)
    page.wait_for_timeout(300)
    assert float(wave_row.get_attribute("data-playhead") or 0) > first_at

    stop.click()
    wait_playing(page, first, sounding=False)
    assert playing(page) == []
    expect(play).to_have_attribute("aria-pressed", "false")

    # Keyboard: space plays the focused row, the arrows move on and play that row alone. The
    # newest sample is listed first.
    top = rows.get_by_role("button", name="Play dusty-hat")
    top.focus()
    page.keyboard.press("Space")
    wait_playing(page, second)
    page.keyboard.press("ArrowDown")
    wait_playing(page, first)
    expect(rows.get_by_role("button", name="Stop warm-keys")).to_be_focused()
    assert [p["key"] for p in playing(page)] == [first]
    page.keyboard.press("ArrowUp")
    wait_playing(page, second)
    assert [p["key"] for p in playing(page)] == [second]
    page.keyboard.press("Space")
    wait_playing(page, second, sounding=False)
    # The second audition came from the session's cache: one fetch per sample.
    assert page.evaluate("() => window.__sp404Audio.state().fetches") == 2
    # For docs/: the list mid-play, its playhead part-way along.
    rows.get_by_role("button", name="Play warm-keys").click()
    wait_playing(page, first)
    page.wait_for_timeout(700)
    view(page, "audition-library", page.get_by_role("heading", name="Your samples"))

    # The sample page: its waveform, a play button, the playhead.
    page.goto(f"/samples/{first}")
    about = page.get_by_role("region", name="About")
    expect(about.locator('[data-waveform="peaks"]')).to_be_visible()
    about.get_by_role("button", name="Play warm-keys").click()
    wait_playing(page, first)
    expect(about.locator(".playhead")).to_be_visible()
    about.get_by_role("button", name="Stop warm-keys").click()
    wait_playing(page, first, sounding=False)

    # A search result plays the same way.
    page.goto("/search?q=warm")
    hits = page.get_by_role("list", name="Matching samples")
    hits.get_by_role("button", name="Play warm-keys").click()
    wait_playing(page, first)
    # Going to another page silences it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Kits").click()
    wait_playing(page, first, sounding=False)


def test_a_first_play_starts_on_the_files_first_bytes_and_the_whole_file_takes_over(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str
) -> None:
    producer = signed_up(api, mailbox)
    # 4 s of 44.1 kHz stereo, 706 KB: the first 256 KiB hold about 1.5 s.
    frames = b"".join(
        struct.pack("<hh", level, -level)
        for level in (int(9_000 * math.sin(2 * math.pi * 196 * n / 44_100)) for n in range(176_400))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(44_100)
        out.writeframes(frames)
    sample_id = upload(web_url, producer, "long-chord", buffer.getvalue())
    sign_in(page, producer)

    page.get_by_role("button", name="Play long-chord").click()
    wait_playing(page, sample_id)
    first = page.evaluate("() => window.__sp404Audio.timings.at(-1)")
    assert first["cached"] is False and first["progressive"] is True, first
    # Past the first bytes' 1.5 s the whole file plays on: the same voice, a second source.
    page.wait_for_timeout(2_000)
    [voice] = playing(page)
    assert voice["key"] == sample_id and voice["sources"] == 2, voice
    state = page.evaluate("() => window.__sp404Audio.state()")
    assert state["fetchedBytes"] == len(buffer.getvalue()) and state["fetches"] == 1
    wait_playing(page, sample_id, sounding=False)


def test_pads_play_on_click_and_keys_gate_pads_stop_on_release_and_mute_groups_cut(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str
) -> None:
    producer = signed_up(api, mailbox)
    hit = upload(web_url, producer, "long-hit", tone(3.0, hz=220))
    held = upload(web_url, producer, "held-pad", tone(3.0, hz=247))
    open_hat = upload(web_url, producer, "open-hat", tone(3.0, hz=880))
    kit_id = make_kit(
        web_url,
        producer,
        [
            {"bank": "A", "pad": 1, "sample_id": hit},
            {"bank": "A", "pad": 2, "sample_id": held, "gate": True, "one_shot": False},
            {"bank": "A", "pad": 5, "sample_id": open_hat, "mute_group": 1},
            {"bank": "A", "pad": 6, "sample_id": hit, "mute_group": 1},
            {"bank": "B", "pad": 1, "sample_id": held, "loop": True, "one_shot": False},
        ],
    )
    sign_in(page, producer)
    page.goto(f"/kits/{kit_id}")
    expect(pad(page, "A-01")).to_be_visible()

    # A click plays the pad and lights it while it sounds.
    pad(page, "A-01").click()
    wait_playing(page, "A-01")
    expect(page.locator('[data-pad="A-01"]')).to_have_attribute("data-sounding", "true")
    assert clock_runs(page)

    # Its key (1 2 3 4 / Q W E R / A S D F / Z X C V) plays it too, from anywhere on the page.
    page.locator("h1").click()
    page.evaluate("() => window.__sp404Audio.stopAll()")
    page.keyboard.press("1")
    wait_playing(page, "A-01")

    # A gate pad sounds while its key is held and stops on release; the same with the mouse.
    page.keyboard.down("2")
    wait_playing(page, "A-02")
    page.wait_for_timeout(200)
    assert any(p["key"] == "A-02" for p in playing(page))
    page.keyboard.up("2")
    wait_playing(page, "A-02", sounding=False)
    expect(page.locator('[data-pad="A-02"]')).to_have_attribute("data-sounding", "false")
    box = page.locator('[data-pad="A-02"]').bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    wait_playing(page, "A-02")
    page.mouse.up()
    wait_playing(page, "A-02", sounding=False)

    # Mute group 1: the second pad of the group cuts the first, as on the device.
    page.locator("h1").click()
    page.keyboard.press("q")
    wait_playing(page, "A-05")
    page.keyboard.press("w")
    wait_playing(page, "A-06")
    wait_playing(page, "A-05", sounding=False)

    # Shift + 2 picks bank B, whose loop pad loops until hit again.
    page.keyboard.press("Shift+Digit2")
    expect(page.get_by_role("tab", name=re.compile("^Bank B"))).to_have_attribute(
        "aria-selected", "true"
    )
    page.keyboard.press("1")
    wait_playing(page, "B-01")
    assert next(p for p in playing(page) if p["key"] == "B-01")["loop"] is True
    page.keyboard.press("1")
    wait_playing(page, "B-01", sounding=False)

    # The pad grid is one tab stop; the arrow keys move between its pads.
    pad(page, "B-01").focus()
    page.keyboard.press("ArrowRight")
    expect(pad(page, "B-02")).to_be_focused()
    expect(pad(page, "B-02")).to_have_attribute("tabindex", "0")
    expect(pad(page, "B-01")).to_have_attribute("tabindex", "-1")


def test_a_trim_set_in_the_ui_shortens_the_exported_wav_and_moves_the_projects_start_and_end(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str, tmp_path: Path
) -> None:
    producer = signed_up(api, mailbox)
    # 48 kHz, so the IMPORT pack's frames are the sample's frames (no resampling to round).
    sample_id = upload(web_url, producer, "tone-48k", tone(2.0, rate=48_000, hz=500, beat=0.5))
    kit_id = make_kit(web_url, producer, [{"bank": "A", "pad": 1, "sample_id": sample_id}])
    sign_in(page, producer)
    page.goto(f"/kits/{kit_id}")

    def export(name: str, kind: str = "IMPORT pack") -> Path:
        exporter = page.get_by_role("form", name="Export for the SP-404MK2")
        exporter.get_by_role("radio", name=kind).check()
        rows = page.get_by_role("list", name="Exports").get_by_role("listitem")
        before = rows.count()
        exporter.get_by_role("button", name="Start export").click()
        # Newest first: wait for the new export's row before reading it.
        expect(rows).to_have_count(before + 1)
        row = rows.first
        expect(row.get_by_role("status")).to_have_text("Ready", timeout=60_000)
        with page.expect_download() as download_info:
            row.get_by_role("button", name=re.compile("^Download")).click()
        saved = tmp_path / name
        download_info.value.save_as(saved)
        return saved

    def export_frames(name: str) -> int:
        with zipfile.ZipFile(export(name)) as pack:
            wavs = [n for n in pack.namelist() if re.search(r"/BANK A/01 .*\.WAV$", n, re.I)]
            assert len(wavs) == 1, pack.namelist()
            with wave.open(io.BytesIO(pack.read(wavs[0]))) as audio:
                assert audio.getframerate() == 48_000
                return int(audio.getnframes())

    whole = export_frames("whole.zip")
    assert whole == 96_000

    pad(page, "A-01").click()
    trim = page.get_by_role("group", name="Start and end points of pad A-01")
    start = trim.get_by_role("slider", name="Start point of pad A-01")
    end = trim.get_by_role("slider", name="End point of pad A-01")
    expect(start).to_have_attribute("aria-valuenow", "0")
    # A marker follows the mouse: drag the end a quarter of the waveform to the left.
    trim.locator(".trim-area").scroll_into_view_if_needed()
    area = trim.locator(".trim-area").bounding_box()
    handle = end.bounding_box()
    assert area is not None and handle is not None
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + handle["width"] / 2 - area["width"] / 4, handle["y"] + 5, steps=5)
    page.mouse.up()
    dragged = int(end.get_attribute("aria-valuenow") or 0)
    assert 70_000 < dragged < 74_000, dragged
    end.focus()
    page.keyboard.press("End")
    # Start 0.25 s in, end 0.5 s before the end (10 ms and 100 ms steps), each on a zero crossing.
    start.focus()
    for _ in range(25):
        page.keyboard.press("ArrowRight")
    end.focus()
    for _ in range(5):
        page.keyboard.press("Shift+ArrowLeft")
    start_frame = int(start.get_attribute("aria-valuenow") or 0)
    end_frame = int(end.get_attribute("aria-valuenow") or 0)
    assert 11_000 < start_frame < 13_000, start_frame
    assert 71_000 < end_frame < 73_000, end_frame
    trim.get_by_role("button", name="Save start and end").click()
    expect(page.get_by_role("status").filter(has_text="Saved the settings of A-01")).to_be_visible()

    kit = httpx.get(f"{web_url}/api/kits/{kit_id}", headers=producer.auth).json()
    saved_pad = next(p for p in kit["pads"] if p["pad"] == 1)
    assert (saved_pad["start"], saved_pad["end"]) == (start_frame, end_frame)
    page.get_by_role("button", name="Play trim").click()
    wait_playing(page, "trim:A-01")
    page.wait_for_timeout(300)
    view(page, "audition-kit", page.get_by_role("heading", name="Pads", level=2), height=1500)

    # The pad now plays only its trimmed stretch...
    page.locator("h1").click()
    page.keyboard.press("1")
    wait_playing(page, "A-01")
    # ...and the export writes only those frames.
    trimmed = export_frames("trimmed.zip")
    assert trimmed == end_frame - start_frame
    assert whole - trimmed == start_frame + (96_000 - end_frame)

    # The native project keeps the whole sample and writes the trim as the pad's start and end
    # (byte offsets into its .SMP, past the 512-byte header).
    with zipfile.ZipFile(export("project.zip", "Native project (beta)")) as project:
        [padconf] = [n for n in project.namelist() if n.endswith("/PADCONF.BIN")]
        a01 = read_padconf(project.read(padconf)).pads[0]
    assert a01.label == "A-01"
    frame_bytes = (a01.word(offsets.PAD_FILE_SIZE) - offsets.SMP_AUDIO_OFFSET) // 96_000
    assert (a01.word(offsets.PAD_START) - offsets.SMP_AUDIO_OFFSET) // frame_bytes == start_frame
    assert (a01.word(offsets.PAD_END) - offsets.SMP_AUDIO_OFFSET) // frame_bytes == end_frame


@pytest.mark.parametrize("where", ["library", "sample", "kit"])
def test_the_library_sample_and_kit_pages_break_no_serious_accessibility_rule(
    browser: Browser,
    api: httpx.Client,
    mailbox: Mailbox,
    web_url: str,
    migrated_db: Settings,
    where: str,
) -> None:
    producer = signed_up(api, mailbox)
    sample_id = analysed_upload(migrated_db, web_url, producer, "axe-tone", 1.0, 550)
    kit_id = make_kit(web_url, producer, [{"bank": "A", "pad": 1, "sample_id": sample_id}])
    page = audit_context(browser, web_url)
    try:
        sign_in(page, producer)
        if where == "library":
            expect(page.locator('[data-waveform="peaks"]')).to_have_count(1)
            page.get_by_role("button", name="Play axe-tone").click()
        elif where == "sample":
            page.goto(f"/samples/{sample_id}")
            expect(page.get_by_role("heading", name="axe-tone", level=1)).to_be_visible()
        else:
            page.goto(f"/kits/{kit_id}")
            pad(page, "A-01").click()
            expect(page.get_by_role("slider", name="Start point of pad A-01")).to_be_visible()
        found = serious_violations(page)
        assert found == [], json.dumps(found, indent=1)
    finally:
        page.context.close()
