"""Issue 19 in a real browser: corrections beside what was detected, keys with Camelot numbers and
relative/compatible key filters, duplicates, the library table (sorting, loop filter, bulk actions,
state in the URL), kits from a sentence, and library rows and pads on a 375 px phone.

Libraries are written straight into the database as their owner (the search tests' Seeder), with
an analysis whose tempo, key and confidences each story knows."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, FilePayload, Page, expect

from sp404.core.settings import Settings
from tests.analysis_engine.search.seed import Seeder, towards
from tests.stack import Mailbox, Producer, signed_up
from tests.web.conftest import screenshot
from tests.web.test_audition import audit_context, serious_violations, tone, view
from tests.web.test_kits import pad
from tests.web.test_studio import sign_in

_DETECTED = (
    "update app.audio_features set features = $2::text::jsonb, tempo_confidence = $3,"
    " key_confidence = $4 where sample_id = $1"
)

_LENGTH = "update app.samples set duration_s = $2 where id = $1"


@pytest.fixture(scope="module")
def seeder(migrated_db: Settings) -> Iterator[Seeder]:
    seeding = Seeder(migrated_db)
    yield seeding
    seeding.close()


def analysed(
    seeder: Seeder,
    producer: Producer,
    title: str,
    *,
    bpm: float | None,
    key: str | None,
    loop: bool,
    key_confidence: float = 0.9,
    tags: tuple[str, ...] = (),
    seconds: float | None = None,
) -> str:
    """A sample whose analysis found this tempo, key and kind (and stored them as its values)."""
    sample_id = seeder.sample(
        producer.user_id, title, embedding=towards(1.0), bpm=bpm, key=key, loop=loop, tags=tags
    )
    tonic, mode = key.split() if key else (None, None)
    features = {"tempo_bpm": bpm, "key": tonic, "mode": mode, "is_loop": loop}
    seeder.execute(
        producer.user_id, _DETECTED, sample_id, json.dumps(features), 0.8, key_confidence
    )
    if seconds is not None:
        seeder.execute(producer.user_id, _LENGTH, sample_id, seconds)
    return sample_id


def rows(page: Page) -> Any:
    return page.get_by_role("list", name="Samples").locator(".sample-title")


def test_a_producer_corrects_tempo_key_and_kind_and_the_detected_values_stay_beside_them(
    browser: Browser, api: httpx.Client, mailbox: Mailbox, web_url: str, seeder: Seeder
) -> None:
    producer = signed_up(api, mailbox)
    sample_id = analysed(
        seeder, producer, "Keys Loop", bpm=46, key="C major", loop=True, key_confidence=0.1
    )
    page = audit_context(browser, web_url)
    try:
        sign_in(page, producer)
        # In the library, a key the analysis is unsure of reads as a guess.
        key_cell = (
            page.locator(".sample-row").filter(has_text="Keys Loop").locator('[data-label="Key"]')
        )
        expect(key_cell).to_have_text("C major? · 8B")
        page.goto(f"/samples/{sample_id}")
        form = page.get_by_role("form", name="Tempo, key and kind")
        # A key the analysis is unsure of reads as a guess, with its confidence.
        expect(form.locator('[data-field="musical_key"]')).to_contain_text(
            "the analysis is unsure: C major? (10 % sure)"
        )

        form.get_by_role("button", name="Double time").click()
        expect(form.locator('[data-field="bpm"]')).to_have_text("detected 46 BPM, you set 92 BPM")
        form.get_by_label("Key", exact=True).select_option("A minor")
        form.get_by_role("button", name="Save tempo, key and kind").click()
        expect(form.locator('[data-field="musical_key"]')).to_have_text(
            "detected C major? (10 % sure), you set A minor · 8A"
        )
        view(page, "corrections", page.get_by_role("heading", name="Tempo, key and kind"))
        assert serious_violations(page) == []

        detail = httpx.get(f"{web_url}/api/samples/{sample_id}", headers=producer.auth).json()
        assert (detail["bpm"], detail["musical_key"]) == (92, "A minor")
        assert sorted(detail["corrected"]) == ["bpm", "musical_key"]

        # The library lists the corrected values, the key with its Camelot number.
        page.get_by_role("link", name="← Library").click()
        row = page.locator(".sample-row").filter(has_text="Keys Loop")
        expect(row).to_contain_text("92 BPM")
        expect(row.locator('[data-label="Key"]')).to_have_text("A minor · 8A")

        # Back to the detected tempo; "no key" and one-shot are corrections too.
        page.goto(f"/samples/{sample_id}")
        form.get_by_role("button", name="Use detected tempo").click()
        expect(form.locator('[data-field="bpm"]')).to_have_text("detected")
        expect(form.get_by_label("Tempo (BPM)")).to_have_value("46")
        form.get_by_label("Key", exact=True).select_option("none")
        form.get_by_label("One-shot").check()
        form.get_by_role("button", name="Save tempo, key and kind").click()
        expect(form.locator('[data-field="musical_key"]')).to_have_text(
            "detected C major? (10 % sure), you set no key"
        )
        expect(form.locator('[data-field="is_loop"]')).to_have_text(
            "detected loop, you set one-shot"
        )
        detail = httpx.get(f"{web_url}/api/samples/{sample_id}", headers=producer.auth).json()
        assert (detail["bpm"], detail["musical_key"], detail["is_loop"]) == (46, None, False)
        assert sorted(detail["corrected"]) == ["is_loop", "musical_key"]
    finally:
        page.context.close()


def test_the_key_filter_reaches_relative_and_compatible_keys_and_the_url_keeps_filters_and_sort(
    page: Page, api: httpx.Client, mailbox: Mailbox, seeder: Seeder
) -> None:
    producer = signed_up(api, mailbox)
    analysed(seeder, producer, "Keys A minor", bpm=90, key="A minor", loop=True)
    analysed(seeder, producer, "Bass C major", bpm=120, key="C major", loop=True)
    analysed(seeder, producer, "Pad E minor", bpm=100, key="E minor", loop=True)
    analysed(seeder, producer, "Lead F# major", bpm=140, key="F# major", loop=True)
    analysed(seeder, producer, "Kick", bpm=None, key=None, loop=False)
    sign_in(page, producer)
    status = page.get_by_role("status").filter(
        has_text=re.compile(r"samples? match|^\d+ samples?$")
    )

    page.get_by_label("Key", exact=True).select_option("A minor")
    page.get_by_role("button", name="Filter").click()
    expect(status).to_have_text("1 sample")
    page.get_by_label("Key match").select_option("compatible")
    page.get_by_role("button", name="Filter").click()
    expect(status).to_have_text("3 samples")
    expect(page.get_by_label("Keys matched")).to_contain_text("C major (8B, relative)")
    expect(page.get_by_label("Keys matched")).to_contain_text("E minor (9A, fifth)")
    assert "key_match=compatible" in page.url
    screenshot(page, "library-compatible-keys")

    # Column headers sort with the API's options; the URL keeps filters and sort.
    page.get_by_role("button", name="Sort by bpm").click()
    expect(rows(page)).to_have_text(["Keys A minor", "Pad E minor", "Bass C major"])
    assert "sort=bpm" in page.url
    page.reload()
    expect(rows(page)).to_have_text(["Keys A minor", "Pad E minor", "Bass C major"])
    expect(page.get_by_label("Key match")).to_have_value("compatible")
    page.go_back()
    expect(status).to_have_text("3 samples")
    expect(page.get_by_role("button", name="Sort by bpm")).to_have_attribute(
        "aria-pressed", "false"
    )
    page.go_back()
    expect(status).to_have_text("1 sample")

    # Loop / one-shot, and half and double time.
    page.goto("/library?loop=one-shot")
    expect(rows(page)).to_have_text(["Kick"])
    page.goto("/library")
    page.get_by_label("BPM from").fill("44")
    page.get_by_label("BPM to").fill("46")
    page.get_by_role("button", name="Filter").click()
    expect(status).to_have_text("No samples match.")
    page.get_by_label("Half and double time too").check()
    page.get_by_role("button", name="Filter").click()
    expect(rows(page)).to_have_text(["Keys A minor"])

    # A smart collection's tempo rule takes half and double time too.
    page.goto("/collections")
    new = page.locator("form.new-collection")
    new.get_by_label("Name").fill("Around 45")
    new.get_by_label("Smart (rules pick the samples)").check()
    new.get_by_label("BPM from").fill("44")
    new.get_by_label("BPM to").fill("46")
    expect(new.get_by_role("status")).to_have_text(
        "No sample in your library meets these rules yet."
    )
    new.get_by_label("Half and double time too").check()
    preview = new.get_by_role("list", name="Samples these rules select")
    expect(preview.get_by_role("link", name="Keys A minor")).to_be_visible()
    new.get_by_role("button", name="Create smart collection").click()
    page.get_by_role("list", name="Collections").get_by_role("link", name="Around 45").click()
    rules = page.get_by_role("list", name="Every sample here meets all of these")
    expect(rules).to_contain_text("Half and double time count too")


def test_ticked_rows_are_tagged_added_to_a_collection_and_a_kit_and_deleted_after_confirming(
    browser: Browser, api: httpx.Client, mailbox: Mailbox, web_url: str, seeder: Seeder
) -> None:
    producer = signed_up(api, mailbox)
    kept = analysed(seeder, producer, "Dusty Keys", bpm=90, key="A minor", loop=True)
    analysed(seeder, producer, "Dusty Break", bpm=92, key=None, loop=True)
    analysed(seeder, producer, "Clean Hat", bpm=None, key=None, loop=False)
    collection = httpx.post(
        f"{web_url}/api/collections", headers=producer.auth, json={"name": "Keepers"}
    ).json()
    httpx.post(
        f"{web_url}/api/collections",
        headers=producer.auth,
        json={"name": "Takes", "parent_id": collection["id"]},
    ).raise_for_status()
    kit = httpx.post(f"{web_url}/api/kits", headers=producer.auth, json={"name": "Bulk"}).json()
    page = audit_context(browser, web_url)
    try:
        sign_in(page, producer)
        page.get_by_label("Select Dusty Keys").check()
        page.get_by_label("Select Dusty Break").check()
        bar = page.get_by_role("region", name="Selected samples")
        expect(bar).to_contain_text("2 selected")

        bar.get_by_label("Add tags").fill("keep, dusty")
        bar.get_by_role("button", name="Tag").click()
        expect(bar).to_contain_text("Tagged 2 samples “keep, dusty”.")
        expect(page.locator(".sample-row").filter(has_text="Dusty Break")).to_contain_text("keep")

        adder = bar.get_by_role("form", name="Add to collection")
        # A top-level collection is not indented; one inside it is (a producer walk saw every
        # collection indented).
        choices = adder.get_by_label("Add to collection").locator("option")
        expect(choices).to_have_count(3)
        assert choices.evaluate_all("(options) => options.map((o) => o.textContent)")[1:] == [
            "Keepers",
            "\u00a0\u00a0Takes",
        ]
        adder.get_by_label("Add to collection").select_option(label="Keepers")
        adder.get_by_role("button", name="Add").click()
        expect(adder).to_contain_text("Added 2 to “Keepers”.")

        to_kit = bar.get_by_role("form", name="Add to kit")
        to_kit.get_by_label("Add to kit (next free pads)").select_option(label="Bulk")
        to_kit.get_by_role("button", name="Add").click()
        expect(to_kit).to_contain_text("Put 2 samples on “Bulk” on A-01\u2013A-02.")
        screenshot(page, "library-bulk")
        assert serious_violations(page) == []

        bar.get_by_role("button", name="Delete selected").click()
        page.get_by_role("group", name="Confirm deletion").get_by_role(
            "button", name="Yes, delete 2"
        ).click()
        expect(rows(page)).to_have_text(["Clean Hat"])

        # Add to a collection from a sample's own page (the one deleted left it).
        sample = httpx.get(f"{web_url}/api/samples", headers=producer.auth).json()["samples"][0]
        page.goto(f"/samples/{sample['id']}")
        form = page.get_by_role("form", name="Add to collection")
        form.get_by_label("Add to collection").select_option(label="Keepers")
        form.get_by_role("button", name="Add").click()
        expect(form).to_contain_text("Added 1 to “Keepers”.")
    finally:
        page.context.close()

    members = httpx.get(
        f"{web_url}/api/collections/{collection['id']}", headers=producer.auth
    ).json()
    assert [m["title"] for m in members["samples"]] == ["Clean Hat"]
    pads = httpx.get(f"{web_url}/api/kits/{kit['id']}", headers=producer.auth).json()["pads"]
    assert pads == []  # the deleted samples left the kit's pads
    assert httpx.get(f"{web_url}/api/samples/{kept}", headers=producer.auth).status_code == 404


def test_an_upload_of_audio_already_in_the_library_links_to_it_and_the_batch_report_counts_it(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str
) -> None:
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    first: FilePayload = {"name": "loop.wav", "mimeType": "audio/wav", "buffer": tone(0.5, hz=440)}
    picker = page.get_by_label("Audio files to upload")
    picker.set_input_files([first])
    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads.get_by_role("link", name="Open")).to_have_count(1)
    existing = httpx.get(f"{web_url}/api/samples", headers=producer.auth).json()["samples"][0]

    again: FilePayload = {**first, "name": "loop copy.wav"}
    other: FilePayload = {"name": "other.wav", "mimeType": "audio/wav", "buffer": tone(0.5, hz=550)}
    picker.set_input_files([again, other])
    expect(page.get_by_label("Upload report")).to_have_text(
        "1 uploaded, 1 skipped: already in your library."
    )
    duplicate = uploads.locator("li").filter(has_text="loop copy.wav")
    expect(duplicate).to_contain_text("Already in your library")
    link = duplicate.get_by_role("link", name="Open the sample you have")
    expect(link).to_have_attribute("href", f"/samples/{existing['id']}")
    screenshot(page, "upload-duplicate")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("loop")
    total = httpx.get(f"{web_url}/api/samples", headers=producer.auth).json()["total"]
    assert total == 2


def test_a_kit_from_a_sentence_says_what_it_understood_and_why_pads_stayed_empty(
    page: Page, api: httpx.Client, mailbox: Mailbox, seeder: Seeder
) -> None:
    producer = signed_up(api, mailbox)
    analysed(
        seeder,
        producer,
        "Dust Break",
        bpm=92,
        key="A minor",
        loop=True,
        tags=("drums", "dusty"),
        seconds=8.0,
    )
    analysed(
        seeder,
        producer,
        "Lofi Kick",
        bpm=None,
        key=None,
        loop=False,
        tags=("drum", "lo-fi", "kick"),
        seconds=0.4,
    )
    analysed(
        seeder, producer, "Crunchy Snare", bpm=None, key=None, loop=False, tags=("drums", "snare")
    )
    analysed(seeder, producer, "Shiny Hat", bpm=None, key=None, loop=False, tags=("hat", "clean"))
    sign_in(page, producer)
    page.goto("/kits")
    builder = page.get_by_role("form", name="Build a kit for me")
    builder.get_by_label("Kit name").fill("Dusty")
    builder.get_by_label("Describe the kit").fill("dusty lo-fi drums at 92")
    builder.get_by_role("button", name="Build kit").click()
    expect(page.get_by_role("heading", name="Dusty", level=1)).to_be_visible()
    expect(page.get_by_label("What was understood")).to_have_text(
        "“dusty lo-fi drums at 92” was understood as "
        "tempo 92 BPM · no key · words: dusty, lo-fi, drums."
    )
    report = page.get_by_role("region", name="How this kit was built")
    empty = report.get_by_role("list", name="Empty pads")
    expect(empty).to_contain_text("A-15 (closed hat):")
    expect(pad(page, "A-01")).to_have_accessible_name("Pad A-01, Loop: Dust Break")
    expect(pad(page, "A-13")).to_have_accessible_name("Pad A-13, Kick: Lofi Kick")
    expect(empty).to_contain_text("A-02, A-03, A-04 (loop):")
    view(page, "kit-from-words", page.get_by_role("heading", name="Dusty", level=1))
    page.reload()  # the report stays for this tab
    expect(report.get_by_role("list", name="Empty pads")).to_contain_text("A-15 (closed hat):")

    # "Complete bank" reports the pads it could not fill the same way.
    pad(page, "A-13").click()
    page.get_by_role("button", name="Complete bank A around this sample").click()
    # The tagged hat the sentence's words left out fits around the kick; the open hat stays empty.
    expect(pad(page, "A-15")).to_have_accessible_name("Pad A-15, Closed hat: Shiny Hat")
    completed = page.get_by_label("Completed bank").get_by_role("list", name="Empty pads")
    expect(completed).to_contain_text("A-16 (open hat): Nothing in your library suits")
    expect(completed).not_to_contain_text("A-15")


def test_on_a_phone_library_rows_keep_their_labels_and_pad_names_wrap_between_words(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str, seeder: Seeder
) -> None:
    producer = signed_up(api, mailbox)
    long = "Crunchy Dusty Chopped Vinyl Snare"
    sample_id = analysed(seeder, producer, long, bpm=92, key="A minor", loop=False)
    kit = httpx.post(f"{web_url}/api/kits", headers=producer.auth, json={"name": "Phone"}).json()
    answer = httpx.put(
        f"{web_url}/api/kits/{kit['id']}/pads",
        headers=producer.auth,
        json={
            "bank": "A",
            "pad": 14,
            "sample_id": sample_id,
            "volume": 127,
            "pitch": 0,
            "gate": False,
            "loop": False,
            "one_shot": True,
            "mute_group": 0,
        },
    )
    assert answer.status_code == 200, answer.text
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, producer)
    row = page.locator(".sample-row").first
    labels = row.locator("[data-label]").evaluate_all(
        "(cells) => cells.map((c) => [c.dataset.label, getComputedStyle(c, '::before').content,"
        " c.getBoundingClientRect().width])"
    )
    assert [label for label, _, _ in labels] == ["Length", "Tempo", "Key", "Kind", "Status", "Tags"]
    assert all(content not in ("none", "normal", "") for _, content, _ in labels), labels
    assert all(width > 0 for _, _, width in labels)
    screenshot(page, "trust-library-phone")

    page.goto(f"/kits/{kit['id']}")
    title = pad(page, "A-14").locator(".pad-title")
    expect(title).to_have_text(long)
    # Every word of the pad's name sits on one line (a word broken mid-way has two boxes); about
    # eight letters fit a pad at 375 px, and only a word longer than that may break.
    broken = title.evaluate(
        """(element) => {
          const text = element.firstChild;
          const broken = [];
          for (const match of text.data.matchAll(/\\S+/g)) {
            const range = document.createRange();
            range.setStart(text, match.index);
            range.setEnd(text, match.index + match[0].length);
            const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
            if (tops.size > 1) broken.push(match[0]);
          }
          return broken;
        }"""
    )
    assert broken == []
    screenshot(page, "trust-kit-phone")


def test_the_pages_issue_19_touched_break_no_serious_accessibility_rule(
    browser: Browser, api: httpx.Client, mailbox: Mailbox, web_url: str, seeder: Seeder
) -> None:
    producer = signed_up(api, mailbox)
    analysed(seeder, producer, "Keys A minor", bpm=90, key="A minor", loop=True, tags=("keys",))
    analysed(seeder, producer, "Bass C major", bpm=120, key="C major", loop=True, tags=("keys",))
    kick = analysed(
        seeder, producer, "Dusty Kick", bpm=None, key=None, loop=False, tags=("kick", "dusty")
    )
    page = audit_context(browser, web_url)
    found: dict[str, list[str]] = {}
    try:
        sign_in(page, producer)
        page.goto("/library?key=A+minor&key_match=compatible&sort=bpm")
        expect(page.get_by_role("note", name="Keys matched")).to_contain_text("C major (8B")
        page.get_by_label("Select Keys A minor").check()
        expect(page.get_by_role("region", name="Selected samples")).to_be_visible()
        found["library"] = serious_violations(page)

        page.goto("/search?q=keys&key=A+minor&key_match=relative")
        expect(page.get_by_role("note", name="Keys matched")).to_contain_text("C major (8B")
        found["search"] = serious_violations(page)

        page.goto(f"/samples/{kick}")
        expect(page.get_by_role("form", name="Tempo, key and kind")).to_be_visible()
        found["sample"] = serious_violations(page)

        page.goto("/kits")
        builder = page.get_by_role("form", name="Build a kit for me")
        builder.get_by_label("Kit name").fill("Dusty")
        builder.get_by_label("Describe the kit").fill("dusty kick")
        builder.get_by_role("button", name="Build kit").click()
        expect(page.get_by_role("note", name="What was understood")).to_be_visible()
        pad(page, "A-13").click()
        page.get_by_role("button", name="Complete bank A around this sample").click()
        expect(page.get_by_role("group", name="Completed bank")).to_be_visible()
        found["kit"] = serious_violations(page)
    finally:
        page.context.close()
    assert found == {"library": [], "search": [], "sample": [], "kit": []}, json.dumps(found)


def test_a_sample_named_like_a_long_file_fits_its_page_on_a_desktop_and_a_phone(
    page: Page, api: httpx.Client, mailbox: Mailbox, seeder: Seeder
) -> None:
    # Found by using the product: a title that is a file name, one long word, ran over the next
    # cell on a desktop and made the page scroll sideways on a phone.
    producer = signed_up(api, mailbox)
    long = "moreband019_80sPop_100.0_Fmin_take_two_final_mixdown_v3"
    sample_id = analysed(seeder, producer, long, bpm=100, key="F minor", loop=True)
    sign_in(page, producer)
    page.goto(f"/samples/{sample_id}")
    expect(page.get_by_role("heading", name=long, level=1)).to_be_visible()
    spilled = page.locator(".features > *").evaluate_all(
        "(cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).map((c) => c.innerText)"
    )
    assert spilled == []
    page.set_viewport_size({"width": 375, "height": 800})
    expect(page.get_by_role("heading", name=long, level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "trust-long-title-phone")


def test_the_library_link_on_a_sample_page_returns_to_the_filtered_list_it_came_from(
    page: Page, api: httpx.Client, mailbox: Mailbox, seeder: Seeder
) -> None:
    # Found by using the product: "← Library" dropped the filters (the back button kept them).
    producer = signed_up(api, mailbox)
    analysed(seeder, producer, "Dusty Loop", bpm=90, key="A minor", loop=True)
    analysed(seeder, producer, "Kick", bpm=None, key=None, loop=False)
    sign_in(page, producer)
    page.goto("/library?loop=one-shot&sort=title")
    expect(rows(page)).to_have_text(["Kick"])
    page.get_by_role("link", name="Kick", exact=True).click()
    expect(page.get_by_role("heading", name="Kick", level=1)).to_be_visible()
    page.get_by_role("link", name="← Library").click()
    expect(page).to_have_url(re.compile(r"/library\?loop=one-shot&sort=title$"))
    expect(rows(page)).to_have_text(["Kick"])


def test_a_loop_dropped_on_a_drum_pad_keeps_looping(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str, seeder: Seeder
) -> None:
    # Found by using the product: a loop dropped on the kick pad took the pad's one-shot
    # default and silently played once. The sample's own kind now decides where it is known.
    producer = signed_up(api, mailbox)
    analysed(seeder, producer, "Dusty Break", bpm=92, key=None, loop=True, seconds=8.0)
    kit = httpx.post(f"{web_url}/api/kits", headers=producer.auth, json={"name": "Breaks"}).json()
    sign_in(page, producer)
    page.goto(f"/kits/{kit['id']}")
    library = page.get_by_role("list", name="Library samples")
    library.get_by_role("listitem").filter(has_text="Dusty Break").drag_to(
        page.locator('[data-pad="A-13"]')
    )
    expect(pad(page, "A-13")).to_contain_text("Dusty Break")
    expect(pad(page, "A-13")).to_contain_text("Loop")
    expect(pad(page, "A-13")).not_to_contain_text("One-shot")
