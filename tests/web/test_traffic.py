"""The web app never locks a producer out (issue 14): it stays light on the API, waits when told
to, signs out without the server, and the API access section hands out personal tokens."""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import redis
from playwright.sync_api import Page, Request, Route, expect

from sp404.core.settings import Settings
from tests.stack import Mailbox, Producer, signed_up
from tests.web.conftest import screenshot
from tests.web.test_kits import pad, upload
from tests.web.test_studio import sign_in, wav_file

JOB_READ = re.compile(r"^GET /api/jobs/[0-9a-f-]{36}$")


class ApiTraffic:
    """Every request the page sends to /api/, as "METHOD /path", with when it was sent."""

    def __init__(self, page: Page) -> None:
        self.sent: list[tuple[float, str]] = []
        page.on("request", self._on_request)

    def _on_request(self, request: Request) -> None:
        path = urlsplit(request.url).path
        if path.startswith("/api/"):
            self.sent.append((time.monotonic(), f"{request.method} {path}"))

    def since(self, moment: float) -> list[str]:
        return [call for at, call in self.sent if at >= moment]

    def between(self, start: float, end: float) -> list[str]:
        return [call for at, call in self.sent if start <= at < end]


def tally(calls: list[str]) -> str:
    """The count and a tally by call (job reads folded), for assertion messages."""
    folded = Counter(JOB_READ.sub("GET /api/jobs/{id}", call) for call in calls)
    return f"{len(calls)} requests: {dict(folded)}"


def refuse_once(
    status: int, code: str, retry_after: int
) -> tuple[list[float], Callable[[Route], None]]:
    """A route handler that answers the first call with `status` and Retry-After, then passes."""
    refused: list[float] = []

    def handle(route: Route) -> None:
        if refused:
            route.continue_()
            return
        refused.append(time.monotonic())
        route.fulfill(
            status=status,
            headers={"Retry-After": str(retry_after), "Content-Type": "application/json"},
            body=json.dumps(
                {"error": {"code": code, "message": "Slow down.", "request_id": "test"}}
            ),
        )

    return refused, handle


def test_eight_uploads_and_some_browsing_take_at_most_fifteen_api_requests(
    page: Page, api: httpx.Client, mailbox: Mailbox, tmp_path: Path
) -> None:
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    expect(page.get_by_text("Your library is empty: upload audio to start.")).to_be_visible()
    traffic = ApiTraffic(page)
    files = [str(wav_file(tmp_path, f"take-{n}.wav")) for n in range(1, 9)]

    started = time.monotonic()
    page.get_by_label("Tags for these uploads").fill("Takes")
    page.get_by_label("Audio files to upload").set_input_files(files)
    uploads = page.get_by_role("list", name="Uploads")
    expect(uploads.locator(".upload-stored")).to_have_count(8, timeout=60_000)
    # Every file is in the list at once, from its upload's answer, with its tags.
    rows = page.locator(".sample-row")
    expect(rows).to_have_count(8)
    expect(rows.filter(has_text="take-8")).to_contain_text("takes")
    expect(page.get_by_role("status").filter(has_text="8 samples")).to_be_visible()
    # The producer looks at the list for a while; the analyses wait in the queue meanwhile.
    page.wait_for_timeout(8_000)
    batch = traffic.since(started)
    screenshot(page, "traffic-eight-uploads")

    assert batch.count("POST /api/samples") == 8, tally(batch)
    assert batch.count("GET /api/jobs/events") == 1, tally(batch)
    assert [call for call in batch if JOB_READ.match(call)] == [], tally(batch)
    assert batch.count("GET /api/samples") <= 1, tally(batch)
    assert len(batch) <= 15, tally(batch)

    # Browsing on: a sample, back to the library, the plan page; the one stream stays open.
    browsing = time.monotonic()
    rows.filter(has_text="take-3").get_by_role("link").click()
    expect(page.get_by_role("heading", name="take-3", level=1)).to_be_visible()
    page.go_back()
    expect(page.locator(".sample-row")).to_have_count(8)
    page.get_by_role("link", name="Plan & usage").click()
    expect(page.get_by_text("Your plan: Free")).to_be_visible()
    page.wait_for_timeout(3_000)
    later = traffic.since(browsing)
    assert "GET /api/jobs/events" not in later, tally(later)
    assert [call for call in later if JOB_READ.match(call)] == [], tally(later)
    assert len(later) <= 10, tally(later)


def test_after_a_429_the_app_waits_for_retry_after_before_calling_again(
    page: Page, api: httpx.Client, mailbox: Mailbox
) -> None:
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    refused, handler = refuse_once(429, "rate_limited", retry_after=4)
    page.route("**/api/billing/subscription", handler)
    traffic = ApiTraffic(page)

    page.get_by_role("link", name="Plan & usage").click()
    # The plan page still loads: the plans show, with a calm word about the rest.
    expect(page.get_by_role("heading", name="Plans")).to_be_visible()
    expect(page.get_by_text("Taking a short break.")).to_be_visible()
    expect(page.get_by_text("Part of this page could not be loaded just now")).to_be_visible()
    screenshot(page, "traffic-429-plan-page")
    assert refused, "the subscription was never asked for"

    # Asking again at once is answered by the browser itself: nothing signed-in goes out.
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_text("Try again in")).to_be_visible()
    held_until = refused[0] + 4
    while time.monotonic() < held_until - 0.2:
        page.wait_for_timeout(200)
    early = [
        call
        for call in traffic.between(refused[0] + 0.05, held_until - 0.2)
        if call != "GET /api/billing/plans"  # public: the per-user limit does not hold it
    ]
    assert early == [], early

    page.wait_for_timeout(500)
    expect(page.get_by_text("Taking a short break.")).to_have_count(0)
    page.get_by_role("button", name="Try again").click()
    expect(page.get_by_text("Your plan: Free")).to_be_visible()
    expect(page.get_by_text("API calls today (personal tokens)")).to_be_visible()
    assert traffic.since(held_until).count("GET /api/billing/subscription") == 1


def test_job_polls_back_off_while_the_stream_is_refused(
    page: Page, api: httpx.Client, mailbox: Mailbox, tmp_path: Path
) -> None:
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    page.route(
        "**/api/jobs/events",
        lambda route: route.fulfill(
            status=503,
            headers={"Retry-After": "30", "Content-Type": "application/json"},
            body='{"error": {"code": "overloaded", "message": "Busy.", "request_id": "t"}}',
        ),
    )
    traffic = ApiTraffic(page)
    started = time.monotonic()
    page.get_by_label("Audio files to upload").set_input_files(
        [str(wav_file(tmp_path, "a.wav")), str(wav_file(tmp_path, "b.wav"))]
    )
    expect(page.get_by_role("list", name="Uploads").locator(".upload-stored")).to_have_count(2)
    page.wait_for_timeout(20_000)
    calls = traffic.since(started)
    # Refused with Retry-After: 30, the stream is not asked again within 20 s, and the two
    # jobs are read together, slowly: never every 2 s per job.
    assert calls.count("GET /api/jobs/events") == 1, tally(calls)
    assert [call for call in calls if JOB_READ.match(call)] == [], tally(calls)
    assert calls.count("GET /api/jobs") <= 2, tally(calls)


def test_sign_out_works_while_the_server_is_unreachable_and_refreshing_stops(
    page: Page, api: httpx.Client, mailbox: Mailbox, tmp_path: Path
) -> None:
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    page.get_by_label("Audio files to upload").set_input_files(
        str(wav_file(tmp_path, "before-offline.wav"))
    )
    expect(page.get_by_role("list", name="Uploads")).to_contain_text("Uploaded")

    page.route("**/api/**", lambda route: route.abort("internetdisconnected"))
    traffic = ApiTraffic(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    signed_out = time.monotonic()
    page.wait_for_timeout(6_000)
    # Nothing is asked after sign-out: no refresh, no stream, no polls (the page fixture also
    # fails the test on an unhandled promise rejection).
    assert traffic.since(signed_out + 0.5) == [], traffic.sent
    screenshot(page, "traffic-signed-out-offline")

    # Back online, a reload does not trade the refresh cookie for a new session.
    page.unroute("**/api/**")
    page.goto("/library")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Flibrary$"))
    assert "POST /api/auth/refresh" not in traffic.since(signed_out), traffic.sent
    # Signing in again works as ever.
    sign_in(page, producer)


def test_a_personal_token_is_created_shown_once_copied_listed_and_revoked(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str
) -> None:
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=web_url)
    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    page.get_by_role("link", name="Account").click()
    section = page.get_by_role("region", name="API access")
    expect(section).to_contain_text("Free 100 a day")
    section.get_by_label("Token name").fill("sync script")
    section.get_by_label("Change your library").check()
    section.get_by_label("Expires after").select_option(label="30 days")
    section.get_by_role("button", name="Create token").click()

    shown = section.get_by_test_id("new-token")
    expect(shown).to_have_text(re.compile(r"^sp404_pat_\S+$"))
    token = shown.inner_text().strip()
    expect(section.get_by_test_id("token-curl")).to_have_text(
        f'curl -H "Authorization: Bearer {token}" {web_url}/api/samples'
    )
    section.get_by_role("button", name="Copy token").click()
    expect(section.get_by_text("Copied to the clipboard.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == token
    screenshot(page, "account-token-created")

    # The token works for a script right away.
    samples = httpx.get(
        f"{web_url}/api/samples", headers={"Authorization": f"Bearer {token}"}, timeout=20
    )
    assert samples.status_code == 200, samples.text

    listed = section.get_by_role("list", name="Personal access tokens")
    expect(listed).to_contain_text("sync script")
    expect(listed).to_contain_text(token[:14])
    expect(listed).to_contain_text("library:read, library:write")
    section.get_by_role("button", name="Done, hide it").click()
    expect(page.get_by_text(token)).to_have_count(0)
    page.reload()
    expect(listed).to_contain_text("sync script")
    expect(page.get_by_text(token)).to_have_count(0)

    listed.get_by_role("button", name="Revoke sync script").click()
    page.get_by_role("dialog").get_by_role("button", name="Revoke token").click()
    expect(section.get_by_text("You have no personal access tokens.")).to_be_visible()
    screenshot(page, "account-token-revoked")
    refused = httpx.get(
        f"{web_url}/api/samples", headers={"Authorization": f"Bearer {token}"}, timeout=20
    )
    assert refused.status_code == 401, refused.text


def create_token(web_url: str, producer: Producer) -> str:
    """A personal token made through the session-only route, as the account page does."""
    made = httpx.post(
        f"{web_url}/api/account/tokens",
        headers=producer.auth,
        json={"name": "spender", "scopes": ["library:read"], "expires_in_days": 7},
        timeout=20,
    )
    assert made.status_code == 201, made.text
    token: str = made.json()["token"]
    return token


def test_a_free_producer_whose_token_spent_its_100_calls_still_signs_in_browses_and_signs_out(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str, migrated_db: Settings
) -> None:
    producer = signed_up(api, mailbox)
    token = create_token(web_url, producer)
    script = {"Authorization": f"Bearer {token}"}
    minute_log = f"sp404:rl:user:{{{producer.user_id}}}"
    limiter = redis.Redis.from_url(migrated_db.redis_url)
    with httpx.Client(base_url=web_url, headers=script, timeout=20) as client:
        answers = []
        for _ in range(2):
            # The 100-a-minute rate limit would answer first: let each minute pass.
            limiter.delete(minute_log)
            answers += [client.get("/api/samples?limit=1").status_code for _ in range(50)]
        assert answers == [200] * 100
        limiter.delete(minute_log)
        spent = client.get("/api/samples?limit=1")
    assert spent.status_code == 429, spent.text
    assert "quota" in spent.json()["error"]["code"], spent.text

    sign_in(page, producer)
    expect(page.get_by_text("Your library is empty: upload audio to start.")).to_be_visible()
    page.get_by_role("link", name="Search").click()
    expect(page.get_by_role("heading", name="Search", level=1)).to_be_visible()
    page.get_by_role("link", name="Plan & usage").click()
    expect(page.get_by_text("Your plan: Free")).to_be_visible()
    expect(page.get_by_test_id("meter-api-calls-today-personal-tokens-")).to_have_text("100 / 100")
    page.get_by_role("link", name="Account").click()
    expect(page.get_by_role("region", name="API access")).to_contain_text("spender")
    expect(page.locator(".banner")).to_have_count(0)
    screenshot(page, "traffic-token-spent-still-browsing")
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    # The server heard the sign-out (it answered 200): the browser keeps no "signed out" mark.
    page.wait_for_function("() => localStorage.getItem('sp404.signedOut') === null")
    page.goto("/library")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Flibrary$"))


def test_playing_pads_by_clicking_costs_a_request_per_pad_not_per_click(
    page: Page, api: httpx.Client, mailbox: Mailbox, web_url: str
) -> None:
    # Clicking a pad plays it and selects it, and the selection asks for that pad's picks. A
    # producer playing two pads in turn, four hits a second, used to send a request per click
    # and spent the Free plan's 100 calls a minute inside a minute: every page then waited.
    producer = signed_up(api, mailbox)
    loop_id, hit_id = (upload(web_url, producer, name) for name in ("two-pad-loop", "two-pad-hit"))
    kit = httpx.post(
        f"{web_url}/api/kits", headers=producer.auth, json={"name": "Finger drums"}, timeout=20
    )
    assert kit.status_code == 201, kit.text
    kit_id = kit.json()["id"]
    for pad_number, sample_id in ((1, loop_id), (13, hit_id)):
        assigned = httpx.put(
            f"{web_url}/api/kits/{kit_id}/pads",
            headers=producer.auth,
            json={"bank": "A", "pad": pad_number, "sample_id": sample_id},
            timeout=20,
        )
        assert assigned.status_code == 200, assigned.text
    sign_in(page, producer)
    refused: list[str] = []
    page.on("response", lambda r: refused.append(r.url) if r.status == 429 else None)
    page.goto(f"/kits/{kit_id}")
    expect(pad(page, "A-01")).to_be_visible()
    traffic = ApiTraffic(page)
    started = time.monotonic()
    for hit in range(40):
        pad(page, "A-01" if hit % 2 == 0 else "A-13").click()
        page.wait_for_timeout(250)
    # Once the hands rest, the pad last played shows its picks.
    expect(page.get_by_role("heading", name="Suggested for A-13")).to_be_visible()
    expect(page.get_by_text("Looking through your library…")).to_have_count(0)
    calls = traffic.since(started)
    picks = [c for c in calls if c.endswith("/recommendations")]
    assert len(picks) <= 2, tally(calls)
    # Besides: each pad's audio once, and the library panel's first page (which may still be
    # loading when the clicks start). Nothing more per click.
    assert len(calls) <= 6, tally(calls)
    assert refused == []
    screenshot(page, "traffic-pads-played-by-clicking")


def test_a_visitor_who_never_signed_in_asks_for_no_refresh_and_a_producer_stays_signed_in(
    page: Page, api: httpx.Client, mailbox: Mailbox
) -> None:
    # Every page load of a signed-out visitor used to ask to trade a refresh cookie it did not
    # have: refused with a 401, which the browser logs as an error (a producer walk saw it).
    refreshes: list[int] = []
    errors: list[str] = []
    page.on(
        "response",
        lambda r: refreshes.append(r.status) if r.url.endswith("/api/auth/refresh") else None,
    )
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    for path in ("/", "/signin", "/library"):
        page.goto(path)
        page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert refreshes == [] and errors == []

    producer = signed_up(api, mailbox)
    sign_in(page, producer)
    page.reload()
    expect(page.get_by_role("heading", name="Library", level=1)).to_be_visible()
    assert refreshes == [200]
    page.get_by_role("navigation", name="Main").get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    page.reload()
    expect(page.get_by_role("heading", name="Sign in", level=1)).to_be_visible()
    assert refreshes == [200]
