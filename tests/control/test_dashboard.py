"""The dashboard at /_mockplex/ in a real headless Chromium (Debian's, by Playwright):
it follows the mock without a reload and changes it only through the control API.

In CI these must run: a missing Chromium fails there. Locally they skip with a reason.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
import requests
from playwright.sync_api import expect

import mockplex
from mockplex import LiveServer, create_app
from tests.values import HEADERS, JSON_HEADERS

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOT = ROOT / "docs" / "dashboard.png"


@pytest.fixture
def page(new_context, mockplex):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(10_000)
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(mockplex.url)
            else outside.append(request.url))
    page.goto(mockplex.url + "/_mockplex/")
    expect(page.get_by_role("status")).to_contain_text("Live")
    yield page
    assert outside == [], "the dashboard must load nothing from outside the mock"


def pin_row(page, pin):
    return page.locator(f'#pins tr[data-key="{pin.id}"]')


def test_a_pin_made_after_the_page_loaded_appears_without_a_reload(page, mockplex):
    pin = mockplex.store.create_pin("late-client", product="Overseerr", strong=True)
    row = pin_row(page, pin)
    expect(row).to_contain_text(pin.code)
    expect(row).to_contain_text("late-client")
    expect(row).to_contain_text("Overseerr")
    expect(row).to_contain_text("strong")
    expect(row).to_contain_text("pending")
    expect(row.locator("td").nth(7)).to_have_text(re.compile(r"(29|30):\d\d"))


def test_a_rows_approve_approves_that_pin_and_no_other(page, mockplex):
    alice = mockplex.create_user("alice", title="Alice")
    first = mockplex.store.create_pin("first")
    second = mockplex.store.create_pin("second")
    row = pin_row(page, second)
    select = page.get_by_label(f"Approve pin {second.code} as")
    expect(select).to_have_value("mockplex")  # the default account, preselected
    select.select_option("alice")
    page.get_by_role("button", name=f"Approve pin {second.code}", exact=True).click()
    expect(row).to_contain_text("approved by alice")
    assert mockplex.pin(second.id).auth_token == alice.auth_token
    assert mockplex.pin(first.id).auth_token is None
    expect(pin_row(page, first)).to_contain_text("pending")


def test_approve_with_the_keyboard(page, mockplex):
    mockplex.create_user("bob", title="Bob")
    pin = mockplex.store.create_pin("keyboard")
    select = page.get_by_label(f"Approve pin {pin.code} as")
    expect(select).to_be_visible()
    select.focus()
    page.keyboard.press("ArrowDown")  # mockplex -> bob
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name=f"Approve pin {pin.code}", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    expect(pin_row(page, pin)).to_contain_text("approved by bob")


def test_expire_expires_it(page, mockplex):
    pin = mockplex.store.create_pin("short-lived")
    page.get_by_role("button", name=f"Expire pin {pin.code}").click()
    expect(pin_row(page, pin)).to_have_count(0)
    assert mockplex.pins == []
    gone = requests.get(f"{mockplex.url}/api/v2/pins/{pin.id}", timeout=5, headers={
        "X-Plex-Client-Identifier": "short-lived", "Accept": "application/json"})  # its own
    assert (gone.status_code, gone.json()) == (404, {"errors": [
        {"code": 1020, "message": "Code not found or expired", "status": 404}]})


def test_the_journal_lists_the_requests_newest_first_and_filters(page, mockplex):
    pin = requests.post(mockplex.url + "/api/v2/pins", headers=JSON_HEADERS, timeout=5).json()
    requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}", headers=JSON_HEADERS, timeout=5)
    rows = page.locator("#journal tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(f"/api/v2/pins/{pin['id']}")
    expect(rows.nth(1)).to_contain_text("POST")
    expect(pin_row(page, mockplex.pin(pin["id"])).locator("td").nth(6)).to_have_text("1")
    page.get_by_label("Filter by path, pin or server").fill(str(pin["id"]))
    expect(rows).to_have_count(1)
    page.get_by_role("button", name="Clear requests").click()
    expect(rows).to_have_count(0)
    assert mockplex.requests == []


def test_each_journal_row_says_which_server_was_asked(page, mockplex):
    hostile = "<img src=x onerror=alert(1)>"
    mockplex.add_server(hostile)
    mockplex.add_server("Home")
    for name in (hostile, "Home"):
        assert requests.get(mockplex.server_url(name) + "/identity", timeout=5).ok
    requests.post(mockplex.url + "/api/v2/pins", headers=JSON_HEADERS, timeout=5)
    rows = page.locator("#journal tbody tr")
    expect(rows).to_have_count(3)
    asked = [rows.nth(index).locator("td").nth(1) for index in range(3)]  # newest first
    expect(asked[0]).to_have_text("plex.tv")
    expect(asked[1]).to_have_text("server Home")
    expect(asked[2]).to_have_text(f"server {hostile}")  # text, never markup
    assert page.locator("#journal img").count() == 0
    page.get_by_label("Filter by path, pin or server").fill("Home")
    expect(rows).to_have_count(1)
    expect(rows.nth(0)).to_contain_text("/identity")


def test_a_fault_added_on_the_page_answers_the_next_matching_request(page, mockplex):
    page.get_by_label("Add a fault").select_option(label="next pin creation answers 429")
    page.get_by_role("button", name="Add fault").click()
    expect(page.locator("#faults")).to_contain_text("POST /api/v2/pins: answer 429")
    refused = requests.post(mockplex.url + "/api/v2/pins", headers=HEADERS, timeout=5)
    assert refused.status_code == 429
    error = ElementTree.fromstring(refused.content)  # plex.tv's shape, XML as asked
    assert (error.tag, error[0].get("code"), error[0].get("status")) == ("errors", "1929", "429")
    assert requests.post(mockplex.url + "/api/v2/pins", headers=HEADERS,
                         timeout=5).status_code == 201  # it was for one request
    expect(page.locator("#faults")).to_have_text("none")


def test_the_page_survives_a_reset_and_the_clock_moves(page, mockplex):
    pin = mockplex.store.create_pin("before-reset")
    expect(pin_row(page, pin)).to_be_visible()
    page.get_by_label("Advance the clock by (seconds)").fill("600")
    page.get_by_role("button", name="Advance").click()
    expect(pin_row(page, pin).locator("td").nth(7)).to_have_text(re.compile(r"^(5|4):\d\d$"))
    page.get_by_role("button", name="Reset everything").click()
    expect(page.locator("#pins-empty")).to_be_visible()
    after = mockplex.store.create_pin("after-reset")
    expect(pin_row(page, after)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Live")


def test_auto_approve_is_shown_and_set(page, mockplex):
    page.get_by_label("Rule").fill("after-polls=2")
    page.get_by_role("button", name="Set rule").click()
    expect(page.locator("#auto-approve")).to_have_text("after-polls=2")
    assert str(mockplex.store.auto_approve) == "after-polls=2"
    # The rule the page set is the one the mock keeps: the third poll carries the token.
    assert poll_tokens(mockplex, 3) == [None, None, mockplex.default_user.auth_token]
    page.get_by_role("button", name="Turn off").click()
    expect(page.locator("#auto-approve")).to_have_text("off")
    assert mockplex.store.auto_approve is None
    assert poll_tokens(mockplex, 3) == [None, None, None]


def poll_tokens(mockplex, polls: int) -> list[str | None]:
    """A new pin over HTTP, polled ``polls`` times: the authToken of each poll."""
    pin = requests.post(mockplex.url + "/api/v2/pins", headers=JSON_HEADERS, timeout=5).json()
    return [requests.get(f"{mockplex.url}/api/v2/pins/{pin['id']}", headers=JSON_HEADERS,
                         timeout=5).json()["authToken"] for _ in range(polls)]


def test_accounts_servers_and_shares_appear_once_they_exist(page, mockplex):
    expect(page.locator("#servers-section")).to_be_hidden()
    mockplex.create_user("carol", email="carol@example.test")
    mockplex.add_server("Home", connections=["http://127.0.0.1:32401"])
    mockplex.share("Home", "carol")
    expect(page.locator("#accounts")).to_contain_text("carol@example.test")
    expect(page.locator("#servers")).to_contain_text("http://127.0.0.1:32401")
    expect(page.locator("#shares")).to_contain_text("carol")
    expect(page.get_by_role("button", name="Copy carol's token")).to_be_visible()


def test_a_managed_user_shows_its_home_and_pending_invites_show(page, mockplex):
    mockplex.create_user("kid", home_of="mockplex", restricted=True, pin="1234")
    row = page.locator('#accounts tr[data-key="kid"]')
    expect(row).to_contain_text("managed user in mockplex's home (restricted, PIN)")
    expect(page.locator("#invites-section")).to_be_hidden()
    mockplex.create_user("carol")
    mockplex.add_server("Den", connections=["http://127.0.0.1:1"])
    mockplex.invite("Den", "carol")
    expect(page.locator("#invites")).to_contain_text("Den")
    expect(page.locator("#invites")).to_contain_text("carol")
    mockplex.store.accept_invites(mockplex.store.account("carol"), "mockplex")
    expect(page.locator("#invites-section")).to_be_hidden()


def test_a_server_row_shows_whether_it_is_live_its_connections_and_libraries(page, mockplex):
    hostile = "<img src=x onerror=alert(1)>"
    mockplex.add_server("Dead", connections=["http://127.0.0.1:1"])
    mockplex.store.add_server(hostile, libraries=[
        {"title": f"Films {hostile}", "type": "movie", "items": ["Heat", "Up"]},
        {"title": "Music", "type": "artist"}])
    server = mockplex.store.server(hostile)
    dead = page.locator('#servers tr[data-key="Dead"]')
    expect(dead).to_contain_text("not live: its own connections")
    expect(dead).to_contain_text("http://127.0.0.1:1")
    row = page.locator("#servers tbody tr").nth(1)
    port = mockplex.store.port_of(server)
    expect(row).to_contain_text(f"live on port {port}")
    expect(row.locator("td").nth(4)).to_have_text(
        f"https://127-0-0-1.{server.direct_hash}.plex.direct:{port}"
        f"http://127.0.0.1:{port}"
        f"https://127-0-0-1.{server.direct_hash}.plex.direct:{port} (remote)"
        f"http://127.0.0.1:{port} (remote)")
    expect(row.locator("td").nth(0)).to_have_text(hostile)  # text, never markup
    expect(row.locator("td").nth(5)).to_have_text(
        f"Films {hostile} (movie, 2 item(s))Music (artist, 0 item(s))")
    assert page.locator("#servers img").count() == 0


def test_a_fault_for_a_server_says_which(page, mockplex):
    mockplex.fail("GET", "/library/sections", status=503, server="Home")
    page.get_by_label("Add a fault").select_option(label="next GET / of any server answers 503")
    page.get_by_role("button", name="Add fault").click()
    faults = page.locator("#faults")
    expect(faults).to_contain_text("server Home: GET /library/sections: answer 503 (until "
                                   "cleared)")
    expect(faults).to_contain_text("every server: GET /: answer 503 (1 more time(s))")
    assert [fault.server for fault in mockplex.faults] == ["Home", "*"]


def test_the_screenshot_in_the_docs(page, mockplex, tmp_path):
    """The picture the docs show, taken here: written into docs/ with
    MOCKPLEX_SCREENSHOTS=1 (make screenshots), else into a temporary folder."""
    alice = mockplex.create_user("alice", email="alice@example.test")
    strong = mockplex.store.create_pin("overseerr-7f3a", product="Overseerr", strong=True)
    weak = mockplex.store.create_pin("tautulli-01", product="Tautulli")
    for _ in range(3):
        requests.get(f"{mockplex.url}/api/v2/pins/{weak.id}", headers={
            "X-Plex-Client-Identifier": "tautulli-01"}, timeout=5)
    mockplex.verify(weak.id, user=alice.username)
    mockplex.fail("GET", "/api/v2/user", status=503, times=1)
    mockplex.add_server("Alice's Plex", owner="alice", libraries=[
        {"title": "Films", "type": "movie", "items": ["Heat", "Up"]},
        {"title": "TV Shows", "type": "show"}])
    requests.get(mockplex.server_url("Alice's Plex") + "/identity", timeout=5)
    expect(pin_row(page, weak)).to_contain_text("approved by alice")
    expect(page.locator("#journal")).to_contain_text("server Alice's Plex")
    expect(page.locator("#servers")).to_contain_text("live on port")
    expect(pin_row(page, strong)).to_be_visible()
    target = SCREENSHOT if os.environ.get("MOCKPLEX_SCREENSHOTS") else tmp_path / "shot.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.read_bytes().startswith(b"\x89PNG")


def test_the_server_going_away_shows(new_context):
    server = LiveServer().start()
    try:
        page = new_context().new_page()
        page.goto(server.url + "/_mockplex/")
        status = page.get_by_role("status")
        expect(status).to_contain_text("Live")
        server.stop()
        expect(status).to_contain_text("mockplex is not answering", timeout=10_000)
    finally:
        server.stop()


def test_with_a_control_token_it_works_only_when_given_it(new_context):
    with LiveServer(create_app({"MOCKPLEX_CONTROL_TOKEN": "s3cret"})) as server:
        server.store.create_pin("guarded")
        page = new_context().new_page()
        page.goto(server.url + "/_mockplex/")
        expect(page.get_by_role("status")).to_contain_text("control token")
        page.goto(server.url + "/_mockplex/?control_token=s3cret")
        expect(page.locator("#pins tbody tr")).to_have_count(1)


def test_the_dashboard_does_not_exist_on_the_plex_hosts():
    with mockplex.intercept():
        answer = requests.get("https://plex.tv/_mockplex/", timeout=5)
    assert answer.status_code == 404 and "mockplex emulates no route" in answer.text


def test_a_refused_change_says_why(page, mockplex):
    page.get_by_label("Advance the clock by (seconds)").fill("-5")
    page.get_by_role("button", name="Advance").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Advancing the clock failed:")
    page.get_by_label("Rule").fill("sometimes")
    page.get_by_role("button", name="Set rule").click()
    expect(alert).to_have_text("A rule is after-polls=N or after-seconds=S")
    assert mockplex.store.clock.offset == 0
