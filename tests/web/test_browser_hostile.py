"""A hostile page in a real Chromium (Debian's, through Playwright) against a mock on
the same machine: what docs/security.md promises, tried the way a page would. In CI
these must run; locally they skip without Chromium."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.values import CHROMIUM, CHROMIUM_ARGS

# Every way a page of another origin can send a request without a CORS preflight, at
# the control API: no-cors fetches with JSON as text/plain, an empty reset, an approval,
# a text/plain form posted into a frame; then a read of every account and its token.
ATTACK = """<!doctype html><title>hostile</title>
<iframe name="sink"></iframe>
<form id="form" method="POST" action="MOCK/_mockplex/users" enctype="text/plain" target="sink">
<input name='{"username": "eve", "x": "' value='"}'></form>
<script>
const M = "MOCK";
const sent = (promise) => promise.then(() => "sent", () => "failed");
async function attack() {
  const results = {
    fault: await sent(fetch(M + "/_mockplex/faults", {method: "POST", mode: "no-cors",
      headers: {"Content-Type": "text/plain"}, body: JSON.stringify({status: 500})})),
    clock: await sent(fetch(M + "/_mockplex/clock", {method: "POST", mode: "no-cors",
      body: JSON.stringify({advance: 600})})),
    verify: await sent(fetch(M + "/_mockplex/pins/PIN/verify", {method: "POST",
      mode: "no-cors", body: JSON.stringify({user: "alice"})})),
    reset: await sent(fetch(M + "/_mockplex/reset", {method: "POST", mode: "no-cors"})),
    read: await fetch(M + "/_mockplex/users").then((r) => r.text(), () => "failed"),
  };
  await new Promise((done) => {
    document.querySelector("iframe").addEventListener("load", done, {once: true});
    document.getElementById("form").submit();
  });
  window.results = results;
  document.title = "done";
}
attack();
</script>"""


@pytest.fixture
def hostile_site() -> Iterator[tuple[str, list[str]]]:
    """A page of another origin on this machine (another loopback port): ``(url,
    pages)``, where the test appends the page's HTML to ``pages`` before opening it."""
    pages: list[str] = []

    class Hostile(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages[-1].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/", pages
    server.shutdown()
    thread.join()
    server.server_close()


def test_a_page_of_another_origin_can_neither_drive_nor_read_the_mock(
        new_context, mockplex, hostile_site):
    url, pages = hostile_site
    alice = mockplex.create_user("alice")
    pin = mockplex.store.create_pin("victim-app", strong=True)
    pages.append(ATTACK.replace("MOCK", mockplex.url).replace("PIN", str(pin.id)))
    page = new_context().new_page()
    page.goto(url)
    page.wait_for_function("document.title === 'done'", timeout=15_000)
    results = page.evaluate("window.results")
    # The requests left the browser (no-cors fetches resolve opaquely)...
    assert {name: results[name] for name in ("fault", "clock", "verify", "reset")} == dict.fromkeys(
        ("fault", "clock", "verify", "reset"), "sent")
    # ...and changed nothing, and nothing was read.
    assert mockplex.faults == []
    assert mockplex.store.clock.offset == 0
    assert [user.username for user in mockplex.users] == ["mockplex", "alice"]
    assert mockplex.pin(pin.id).auth_token is None  # not approved, not wiped by a reset
    assert results["read"] == "failed"
    assert alice.auth_token not in str(results)


def test_a_rebinding_name_reaches_no_route(playwright, mockplex):
    """A page whose name its attacker points at 127.0.0.1 (here by Chromium's resolver
    rules) is a page of the mock's own port, but names another Host: refused.

    A Chromium of its own: the resolver rules are a switch of the browser process, which
    no context can have (the session's browser stays free of them)."""
    pin = mockplex.store.create_pin("victim-app")
    origin = f"http://rebound.example:{mockplex.server.port}"
    rebound = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, "--host-resolver-rules=MAP rebound.example 127.0.0.1"])
    try:
        page = rebound.new_page()
        for path in ("/_mockplex/users", "/_mockplex/", "/auth", "/api/v2/pins"):
            response = page.goto(origin + path)
            assert response is not None and response.status == 403, path
            assert mockplex.default_user.auth_token not in page.content()
        status = page.evaluate("""async () => (await fetch("/_mockplex/reset",
            {method: "POST", headers: {"Content-Type": "application/json"},
             body: "{}"})).status""")
    finally:
        rebound.close()
    assert status == 403
    assert mockplex.pin(pin.id).id == pin.id  # no reset
