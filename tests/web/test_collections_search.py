"""Collections, smart collections and search in a real browser against the real stack.

The libraries are written straight into the database as their owner (the search tests' Seeder),
with exact tempos, keys, tags, vibes and embeddings, so each story knows what it must find
without waiting for the analysis worker.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page, expect

from sp404.core.settings import Settings
from tests.analysis_engine.search.seed import Seeder, towards
from tests.stack import Mailbox, Producer, signed_up
from tests.web.conftest import screenshot
from tests.web.test_studio import sign_in


@pytest.fixture(scope="module")
def seeder(migrated_db: Settings) -> Iterator[Seeder]:
    """Writes samples, features and vibes into the test database as their owner."""
    seeding = Seeder(migrated_db)
    yield seeding
    seeding.close()


@dataclass
class Library:
    """A producer's seeded samples by title."""

    producer: Producer
    ids: dict[str, str]


@pytest.fixture
def library(api: httpx.Client, mailbox: Mailbox, seeder: Seeder) -> Library:
    """A producer with four analysed samples and one that is not analysed yet."""
    producer = signed_up(api, mailbox)
    seed = {
        "Dusty Rhodes": dict(
            embedding=towards(1.0),
            bpm=92.0,
            key="A minor",
            loop=True,
            tags=["keys", "dusty"],
            vibe="Warm electric piano chords under vinyl crackle, late night and hazy.",
        ),
        "Lazy Loop": dict(
            embedding=towards(0.9),
            bpm=88.0,
            key="C major",
            loop=True,
            tags=["keys", "lofi"],
            vibe="Mellow keys that sway, made for a slow head nod.",
        ),
        "Fast Break": dict(
            embedding=towards(0.6, axis=2),
            bpm=170.0,
            key="E minor",
            loop=True,
            tags=["drums", "break"],
            vibe="A frantic jungle break with crisp snares.",
        ),
        "Boom Kick": dict(
            embedding=towards(0.2, axis=3),
            loop=False,
            tags=["drums", "kick"],
            vibe="A punchy kick drum with a long boom.",
        ),
        "Raw Take": dict(tags=["vocals"]),
    }
    ids = {
        title: seeder.sample(producer.user_id, title, **fields)  # type: ignore[arg-type]
        for title, fields in seed.items()
    }
    return Library(producer, ids)


def through_gateway(web_url: str, producer: Producer) -> httpx.Client:
    """The public API as this producer's browser would call it."""
    return httpx.Client(base_url=web_url, headers=producer.auth, timeout=30)


def test_a_producer_collects_samples_by_hand_and_by_rules_up_to_the_free_limit(
    page: Page, library: Library, seeder: Seeder, web_url: str
) -> None:
    sign_in(page, library.producer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Collections").click()
    expect(page.get_by_role("heading", name="Collections", level=1)).to_be_visible()
    expect(page.get_by_text("No collections yet.")).to_be_visible()
    expect(page.get_by_test_id("collections-quota")).to_have_text(
        "0 of 5 collections used on your plan."
    )

    new = page.locator("form.new-collection")
    new.get_by_label("Name").fill("Late night keys")
    new.get_by_label("Description (optional)").fill("Chords for slow beats")
    new.get_by_role("button", name="Create collection").click()
    expect(new.get_by_role("status")).to_contain_text("Created Late night keys")
    tree = page.get_by_role("list", name="Collections")
    expect(tree.get_by_role("link", name="Late night keys")).to_be_visible()
    expect(tree).to_contain_text("0 samples")

    # Pick samples from the library with the search box, then take one out again.
    tree.get_by_role("link", name="Late night keys").click()
    expect(page.get_by_role("heading", name="Late night keys", level=1)).to_be_visible()
    expect(page.get_by_text("Chords for slow beats")).to_be_visible()
    expect(page.get_by_text("No samples yet.")).to_be_visible()
    page.get_by_label("Find in your library").fill("keys")
    page.get_by_role("button", name="Search", exact=True).click()
    picker = page.get_by_role("group", name=re.compile("Choose samples"))
    expect(picker.get_by_label(re.compile("Dusty Rhodes"))).to_be_visible()
    expect(picker.get_by_label(re.compile("Boom Kick"))).to_have_count(0)
    picker.get_by_label(re.compile("Dusty Rhodes")).check()
    picker.get_by_label(re.compile("Lazy Loop")).check()
    page.get_by_role("button", name="Add 2 selected").click()
    expect(page.get_by_text("Added 2 samples.")).to_be_visible()
    members = page.get_by_role("list", name="Samples in this collection")
    expect(members.get_by_role("link", name="Dusty Rhodes")).to_be_visible()
    expect(members).to_contain_text("92 BPM")
    expect(members).to_contain_text("A minor")
    expect(members).to_contain_text("Loop")
    page.get_by_role("button", name="Remove Lazy Loop from this collection").click()
    expect(members.get_by_role("link", name="Lazy Loop")).to_have_count(0)
    expect(page.get_by_role("heading", name="Samples (1)")).to_be_visible()

    sub = page.locator("form.new-collection")
    sub.get_by_label("Name").fill("Rhodes only")
    sub.get_by_role("button", name="Create collection").click()
    expect(page.get_by_role("list", name="Sub-collections")).to_contain_text("Rhodes only")

    page.get_by_role("button", name="Re-analyse all").click()
    expect(page.get_by_text("Queued 1 analysis.")).to_be_visible()
    screenshot(page, "collection")

    members.get_by_role("link", name="Dusty Rhodes").click()
    expect(page).to_have_url(re.compile(rf"/samples/{library.ids['Dusty Rhodes']}$"))
    page.go_back()
    expect(page.get_by_role("heading", name="Late night keys", level=1)).to_be_visible()

    # A smart collection: the preview shows what the rules select before anything is saved.
    page.get_by_role("link", name="Collections").first.click()
    new = page.locator("form.new-collection")
    new.get_by_label("Name").fill("Loops 85 to 95")
    new.get_by_label("Smart (rules pick the samples)").check()
    expect(new.get_by_text("A smart collection fills itself")).to_be_visible()
    new.get_by_label("BPM from").fill("85")
    new.get_by_label("BPM to").fill("95")
    new.get_by_label("Loops only").check()
    preview = new.get_by_role("list", name="Samples these rules select")
    expect(new.get_by_role("status")).to_have_text("2 samples match now.")
    expect(preview.get_by_role("link", name="Dusty Rhodes")).to_be_visible()
    expect(preview.get_by_role("link", name="Lazy Loop")).to_be_visible()
    expect(preview.get_by_role("link", name="Fast Break")).to_have_count(0)
    # Half and double time: the 170 BPM break is double 85, inside the range's double.
    new.get_by_label("Half and double time too").check()
    expect(new.get_by_role("status")).to_have_text("3 samples match now.")
    expect(preview.get_by_role("link", name="Fast Break")).to_be_visible()
    new.get_by_label("Half and double time too").uncheck()
    expect(new.get_by_role("status")).to_have_text("2 samples match now.")
    # The server answers the preview, so even the confidence rule shows what saving would keep:
    # these samples were seeded without any measured confidence.
    new.get_by_label("Least confidence (%)").fill("50")
    expect(new.get_by_role("status")).to_have_text(
        "No sample in your library meets these rules yet."
    )
    new.get_by_label("Least confidence (%)").fill("")
    expect(new.get_by_role("status")).to_have_text("2 samples match now.")
    screenshot(page, "collections-smart")
    new.get_by_role("button", name="Create smart collection").click()
    expect(new.get_by_role("status")).to_contain_text("with 2 matching samples")

    page.get_by_role("list", name="Collections").get_by_role("link", name="Loops 85 to 95").click()
    expect(page.get_by_role("heading", name="Loops 85 to 95", level=1)).to_be_visible()
    rules = page.get_by_role("list", name="Every sample here meets all of these")
    expect(rules).to_contain_text("Tempo from 85 to 95 BPM")
    expect(rules).to_contain_text("Loops only")
    members = page.get_by_role("list", name="Samples in this collection")
    expect(members.get_by_role("link")).to_have_count(2)
    expect(page.get_by_role("button", name=re.compile("^Remove"))).to_have_count(0)
    expect(page.get_by_role("heading", name="Add samples")).to_have_count(0)

    # Membership follows the rules: a corrected tempo brings a sample in, new rules take it out.
    with through_gateway(web_url, library.producer) as http:
        fixed = http.patch(f"/api/samples/{library.ids['Fast Break']}", json={"bpm": 90})
        assert fixed.status_code == 200, fixed.text
    page.reload()
    expect(members.get_by_role("link", name="Fast Break")).to_be_visible()
    page.get_by_role("button", name="Edit rules").click()
    page.get_by_label("Any of these tags").fill("keys")
    expect(page.get_by_role("status")).to_have_text("2 samples match now.")
    page.get_by_role("button", name="Save rules").click()
    expect(rules).to_contain_text("Tagged with any of: keys")
    expect(members.get_by_role("link", name="Fast Break")).to_have_count(0)
    expect(members.get_by_role("link")).to_have_count(2)

    # Three made in the browser, two more through the API: the sixth is refused on Free.
    with through_gateway(web_url, library.producer) as http:
        for name in ("Drums", "Vocals"):
            assert http.post("/api/collections", json={"name": name}).status_code == 201
    page.get_by_role("link", name="Collections").first.click()
    expect(page.get_by_test_id("collections-quota")).to_contain_text(
        "5 of 5 collections used on your plan."
    )
    new = page.locator("form.new-collection")
    new.get_by_label("Name").fill("One too many")
    new.get_by_role("button", name="Create collection").click()
    refusal = new.get_by_role("alert")
    expect(refusal).to_contain_text("Quota reached")
    expect(refusal).to_contain_text("Collections: 5 of 5 used on the Free plan")
    expect(refusal.get_by_role("link", name="See your plan and usage")).to_be_visible()
    expect(page.get_by_role("list", name="Collections").get_by_role("link")).to_have_count(5)
    screenshot(page, "collections")

    # With this month's analyses spent, "Re-analyse all" says so instead of queueing.
    seeder.execute(library.producer.user_id, "update app.usage_counters set analyses_used = 10")
    page.get_by_role("list", name="Collections").get_by_role("link", name="Late night keys").click()
    page.get_by_role("button", name="Re-analyse all").click()
    refusal = page.locator(".reanalyse").get_by_role("alert")
    expect(refusal).to_contain_text("Quota reached")
    expect(refusal).to_contain_text("Analyses: 10 of 10")

    # On a phone the page folds to one column: nothing scrolls sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    expect(page.get_by_role("heading", name="Late night keys", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "collection-phone")


def test_rename_and_delete_keep_the_samples_in_the_library(
    page: Page, library: Library, web_url: str
) -> None:
    with through_gateway(web_url, library.producer) as http:
        made = http.post("/api/collections", json={"name": "Scratch"})
        assert made.status_code == 201, made.text
        inner = http.post(
            "/api/collections", json={"name": "Inner", "parent_id": made.json()["id"]}
        )
        assert inner.status_code == 201, inner.text
        added = http.post(
            f"/api/collections/{made.json()['id']}/samples",
            json={"sample_ids": [library.ids["Boom Kick"]]},
        )
        assert added.status_code == 200, added.text
    sign_in(page, library.producer)
    page.goto("/collections")
    tree = page.get_by_role("list", name="Collections")
    expect(tree.get_by_role("link")).to_have_count(2)
    expect(tree).to_contain_text("1 sample · 1 sub-collection")

    page.get_by_role("button", name="Rename Scratch").click()
    page.get_by_label("New name").fill("Kicks")
    page.get_by_role("button", name="Save").click()
    expect(tree.get_by_role("link", name="Kicks")).to_be_visible()

    page.get_by_role("button", name="Delete Kicks").click()
    confirm = page.get_by_role("group", name="Confirm deleting Kicks")
    expect(confirm).to_contain_text("and the collections inside it? The samples stay")
    confirm.get_by_role("button", name="Yes, delete it").click()
    expect(page.get_by_text("No collections yet.")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").click()
    expect(page.locator(".sample-list").get_by_role("link", name="Boom Kick")).to_be_visible()


def test_search_finds_samples_by_their_words_and_then_similar_sounds(
    page: Page, library: Library
) -> None:
    sign_in(page, library.producer)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    expect(page.get_by_text("Describe a sound in a few words.")).to_be_visible()

    # A word of the vibe finds the sample, and the query lands in the URL.
    page.get_by_label("Describe the sound").fill("crackle")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"/search\?q=crackle$"))
    hits = page.get_by_role("list", name="Matching samples")
    expect(hits.get_by_role("link", name="Dusty Rhodes", exact=True)).to_be_visible()
    expect(hits).to_contain_text("92 BPM")
    expect(hits).to_contain_text("A minor")
    expect(hits).to_contain_text("Loop")
    expect(hits).to_contain_text("vinyl crackle")

    # A tag finds every sample wearing it; filters narrow the matches.
    page.get_by_label("Describe the sound").fill("drums")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("2 samples match “drums”.")
    page.get_by_label("Type").select_option("One-shots")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=drums&type=one-shot"))
    expect(hits.get_by_role("link")).to_have_count(2)  # the sample and its "Find similar"
    expect(hits.get_by_role("link", name="Boom Kick", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("1 sample matches “drums” with these filters.")

    # The filters are the API's: a tempo range finds what fits, an upside-down one is refused.
    page.get_by_label("Type").select_option("Loops and one-shots")
    page.get_by_label("BPM from").fill("160")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page).to_have_url(re.compile(r"q=drums&bpm_min=160$"))
    expect(hits.get_by_role("link", name="Fast Break", exact=True)).to_be_visible()
    expect(page.get_by_role("status")).to_have_text("1 sample matches “drums” with these filters.")
    page.get_by_label("BPM to").fill("100")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("alert")).to_have_text("BPM from must not be above BPM to.")
    expect(page).to_have_url(re.compile(r"q=drums&bpm_min=160$"))
    page.go_back()

    # The URL is the state: back returns to the unfiltered search, a shared link opens it.
    page.go_back()
    expect(hits.get_by_role("link", name="Fast Break", exact=True)).to_be_visible()
    expect(page.get_by_label("Type")).to_have_value("")
    page.goto("/search?q=rhodes")
    expect(page.get_by_label("Describe the sound")).to_have_value("rhodes")
    expect(hits.get_by_role("link", name="Dusty Rhodes", exact=True)).to_be_visible()
    screenshot(page, "search")

    page.goto("/search?q=theremin")
    expect(page.get_by_role("status")).to_have_text("Nothing in your library matches “theremin”.")

    # Similar sounds: nearest first; keys that mix rank first without emptying the list.
    page.goto("/search?q=rhodes")
    page.get_by_role("link", name="Find similar to Dusty Rhodes").click()
    expect(page).to_have_url(re.compile(rf"\?similar={library.ids['Dusty Rhodes']}$"))
    expect(page.get_by_role("heading", name="Sounds like Dusty Rhodes")).to_be_visible()
    similar = page.get_by_role("list", name="Similar samples")
    expect(similar.locator(".sample-title")).to_have_text(["Lazy Loop", "Fast Break", "Boom Kick"])
    expect(similar.locator("li").first).to_contain_text("the closest sound in your library")
    expect(similar.locator("li").first).to_contain_text("relative key")
    page.get_by_label("Key").select_option("Same or relative key")
    page.get_by_role("button", name="Find similar").click()
    expect(page).to_have_url(re.compile(r"key_match=compatible"))
    expect(similar.locator(".sample-title")).to_have_text(["Lazy Loop", "Fast Break", "Boom Kick"])
    page.get_by_label("Key").select_option("Same, relative or a fifth away")
    page.get_by_role("button", name="Find similar").click()
    expect(similar.locator(".sample-title")).to_have_text(["Lazy Loop", "Fast Break", "Boom Kick"])
    screenshot(page, "search-similar")

    page.goto(f"/search?similar={library.ids['Raw Take']}")
    expect(page.get_by_role("alert")).to_contain_text("has not been analysed yet")

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/search?q=keys")
    expect(hits.get_by_role("link", name="Lazy Loop", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    screenshot(page, "search-phone")


def test_another_producers_collection_and_sample_say_not_found(
    page: Page, api: httpx.Client, mailbox: Mailbox, library: Library, web_url: str
) -> None:
    with through_gateway(web_url, library.producer) as http:
        made = http.post("/api/collections", json={"name": "Secret stash"})
        assert made.status_code == 201, made.text
    collection_id = made.json()["id"]

    sign_in(page, signed_up(api, mailbox))
    page.goto(f"/collections/{collection_id}")
    expect(page.get_by_role("heading", name="Collection not found")).to_be_visible()
    expect(page.get_by_text("Secret stash")).to_have_count(0)
    page.goto(f"/search?similar={library.ids['Dusty Rhodes']}")
    expect(page.get_by_role("heading", name="Sample not found")).to_be_visible()
    expect(page.get_by_text("Dusty Rhodes")).to_have_count(0)
    screenshot(page, "collection-not-found")
