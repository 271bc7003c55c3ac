"""The human step in a real headless Chromium (Debian's package, driven by Playwright).

In CI these must run: a missing Chromium fails there. Locally it skips with a reason.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect
from plexapi.myplex import MyPlexPinLogin

DONE_PAGE = b"<!doctype html><title>Test app</title><h1>Back in the test app</h1>"


@pytest.fixture
def page(new_context, mockplex):
    page = new_context().new_page()
    page.set_default_timeout(15_000)
    outside: list[str] = []
    page.on("request", lambda request: None if request.url.startswith(
        (mockplex.url, "http://127.0.0.1")) else outside.append(request.url))
    yield page
    assert outside == [], "the pages must load nothing from outside the mock"


@pytest.fixture(scope="module")
def app_page() -> Iterator[str]:
    """A tiny local page to forward the browser to, standing for the app under test."""

    class Done(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(DONE_PAGE)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Done)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/signed-in"
    server.shutdown()
    thread.join()
    server.server_close()


@pytest.fixture
def plex(mockplex, monkeypatch):
    monkeypatch.setattr(MyPlexPinLogin, "POLLINTERVAL", 0.01)
    with mockplex.intercept() as plex:
        yield plex


def test_oauth_approve_forwards_and_signs_plexapi_in(plex, page, app_page):
    login = MyPlexPinLogin(oauth=True)
    url = login.oauthUrl(forwardUrl=app_page)
    login.run(timeout=60)
    page.goto(plex.auth_url(url))
    heading = page.get_by_role("heading", name="PlexAPI wants to sign in with Plex")
    heading.wait_for()
    assert page.get_by_label("Approve as").input_value() == plex.default_user.username
    assert plex.default_user.auth_token not in page.content()  # the page holds no token
    page.get_by_role("button", name="Approve").click()
    page.wait_for_url(app_page)
    assert page.get_by_role("heading").inner_text() == "Back in the test app"
    assert login.waitForLogin() is True
    assert login.token == plex.default_user.auth_token


def test_approve_without_a_forward_url_says_signed_in(plex, page):
    alice = plex.create_user("alice", title="Alice")
    pin = plex.store.create_pin("browser-app", product="Overseerr", strong=True)
    page.goto(f"{plex.browser_url}/auth#?clientID=browser-app&code={pin.code}")
    page.get_by_label("Approve as").select_option(label="Alice (alice)")
    page.get_by_role("button", name="Approve").click()
    status = page.get_by_role("status")
    status.wait_for()
    assert "Overseerr is now signed in as alice" in " ".join(status.inner_text().split())
    assert plex.pin(pin.id).auth_token == alice.auth_token


def test_typing_a_code_at_link_with_the_keyboard(plex, page):
    bob = plex.create_user("bob", title="Bob")
    login = MyPlexPinLogin()
    code = login.pin
    page.goto(plex.browser_url + "/link")
    expect(page.get_by_label("Code")).to_be_focused()  # once the page is ready
    page.keyboard.type(code.lower())  # case is forgiven
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # mockplex -> bob
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Device linked").wait_for()
    assert login.checkLogin() is True
    assert login.token == bob.auth_token


def test_deny_leaves_the_pin_unapproved(plex, page, app_page):
    login = MyPlexPinLogin(oauth=True)
    url = login.oauthUrl(forwardUrl=app_page)
    page.goto(plex.auth_url(url))
    page.get_by_role("button", name="Deny").click()
    page.get_by_role("heading", name="Sign-in denied").wait_for()
    assert page.url.startswith(plex.browser_url)
    assert plex.pin_for_code(login._code).auth_token is None
    assert login.checkLogin() is False


@pytest.mark.parametrize("form", ["/auth#?", "/auth#!?", "/auth/#!?"])
def test_every_fragment_form_is_read(plex, page, form):
    pin = plex.store.create_pin("c", strong=True)
    page.goto(f"{plex.browser_url}{form}clientID=c&code={pin.code}"
              "&context%5Bdevice%5D%5Bproduct%5D=Tautulli"
              "&context%5Bdevice%5D%5Bplatform%5D=Windows")
    page.get_by_role("heading", name="Tautulli wants to sign in with Plex").wait_for()
    assert "Windows" in page.locator("dl.details").inner_text()


@pytest.mark.parametrize("fragment", ["#?code=NOPE", "#?clientID=x", ""])
def test_an_unknown_or_missing_code_shows_an_error_page(plex, page, fragment):
    page.goto(f"{plex.browser_url}/auth{fragment}")
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert "This sign-in link does not work" in alert.inner_text()


def test_link_prefilled_from_the_qr_link_and_a_wrong_code(plex, page):
    pin = plex.store.create_pin("tv")
    page.goto(f"{plex.browser_url}/link?pin={pin.code}")
    assert page.get_by_label("Code").input_value() == pin.code
    page.get_by_label("Code").fill("ZZZZ")
    page.get_by_role("button", name="Approve").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    assert alert.inner_text() == "Code not found or expired."
    assert plex.pin(pin.id).auth_token is None


def test_with_a_control_token_the_page_trades_it_for_a_cookie(new_context, page):
    from mockplex import LiveServer, create_app

    with LiveServer(create_app({"MOCKPLEX_CONTROL_TOKEN": "s3cret"})) as server:
        pin = server.store.create_pin("guarded-app", strong=True)
        page.goto(f"{server.url}/auth?control_token=s3cret#?code={pin.code}")
        page.get_by_role("button", name="Approve").click()
        page.get_by_role("heading", name="Signed in").wait_for()
        assert server.store.get_pin(pin.id).auth_token is not None
        # The address bar lost the token, the fragment stayed; the cookie is the
        # server's alone (no script reads it) and goes to no other site.
        assert page.url == f"{server.url}/auth#?code={pin.code}"
        (cookie,) = page.context.cookies()
        assert (cookie["value"], cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (
            "s3cret", True, "Strict", "/_mockplex")
        assert page.evaluate("document.cookie") == ""
        stranger = new_context().new_page()  # no cookie: the page says it was refused
        stranger.goto(f"{server.url}/auth#?code={pin.code}")
        assert "401" in stranger.get_by_role("alert").inner_text()
