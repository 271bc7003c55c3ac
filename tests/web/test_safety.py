"""Safe by default: no other site, rebinding name or forged header drives or reads the
mock, no token is written where it came in, and what a client sent is shown, not obeyed
(docs/security.md). The browser's side of it is tests/web/test_browser_hostile.py."""

from __future__ import annotations

import http.client
import json
import logging
import socket
import subprocess
import sys

import pytest
from plexapi.myplex import MyPlexAccount

from mockplex import LiveServer, create_app, store_of
from mockplex.control.har import HarWriter
from mockplex.web.guard import LISTEN_HOSTS, MARK_HEADER, allow_host, mark_header, redacted
from tests.values import HEADERS, JSON_HEADERS

FOREIGN = "evil.example:32500"


def error_of(response) -> dict:
    (error,) = response.get_json()["errors"]
    return error


# -- the Host rule ---------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/_mockplex/users"), ("POST", "/_mockplex/reset"), ("GET", "/_mockplex/"),
    ("GET", "/auth"), ("GET", "/link"), ("POST", "/api/v2/pins"),
    ("GET", "/api/v2/user"), ("GET", "/nothing/here")])
def test_a_foreign_host_is_refused_on_every_route(client, store, method, path):
    token = store.default_account.auth_token
    response = client.open(path, method=method, headers={"Host": FOREIGN, **JSON_HEADERS,
                                                         "X-Plex-Token": token})
    assert response.status_code == 403
    error = error_of(response)
    assert error["code"] == 1903 and "--allowed-host evil.example" in error["message"]
    assert token not in response.text
    assert len(store.accounts()) == 1 and store.journal.entries(path="/_mockplex*") == []


@pytest.mark.parametrize("host", ["localhost:1", "127.0.0.1:32500", "127.8.9.10", "[::1]:80",
                                  "LOCALHOST.", "localhost"])
def test_loopback_names_are_answered(client, host):
    assert client.get("/_mockplex/users", headers={"Host": host}).status_code == 200


def test_allowed_hosts_and_the_public_url_are_answered(store):
    app = create_app({"MOCKPLEX_ALLOWED_HOSTS": ("mock.ci",),
                      "MOCKPLEX_BASE_URL": "https://plex-mock.example:8443"}, store=store)
    client = app.test_client()
    for host in ("mock.ci", "MOCK.CI:32500", "plex-mock.example:8443"):
        assert client.get("/_mockplex/users", headers={"Host": host}).status_code == 200
    assert client.get("/_mockplex/users", headers={"Host": "mock.ci.evil"}).status_code == 403


@pytest.mark.parametrize("host", ["[::1]evil", "127.0.0.1:evil", "localhost:80:80",
                                  "a@127.0.0.1", "127.0.0.1/x", "[::1%eth0]"])
def test_what_is_no_host_at_all_is_refused(client, host):
    assert client.get("/_mockplex/health", headers={"Host": host}).status_code == 403


def test_an_absolute_target_is_checked_as_its_host():
    """RFC 9112: a request target in absolute form names the host, whatever Host says."""
    with LiveServer(create_app()) as server:
        for target, status in ((b"http://evil.example/_mockplex/users", 403),
                               (b"HTTP://EVIL.example:1/_mockplex/users", 403),
                               (f"http://127.0.0.1:{server.port}/_mockplex/users".encode(), 200)):
            with socket.create_connection((server.host, server.port), timeout=10) as sock:
                sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Connection: close\r\n\r\n")
                answer = b""
                while chunk := sock.recv(65536):
                    answer += chunk
            assert answer.split()[1] == str(status).encode(), target


def test_the_listen_address_is_allowed_once_a_server_listens_on_it():
    app = create_app()
    client = app.test_client()
    assert client.get("/_mockplex/health", headers={"Host": "10.1.2.3"}).status_code == 403
    allow_host(app, "10.1.2.3")  # what LiveServer.start() does with its address
    assert client.get("/_mockplex/health", headers={"Host": "10.1.2.3:80"}).status_code == 200
    with LiveServer(app, host="127.0.0.2") as server:
        assert "127.0.0.2" in app.extensions[LISTEN_HOSTS]
        assert server.running


def test_a_live_server_answers_the_address_it_listens_on_and_refuses_others():
    with LiveServer(create_app(), host="127.0.0.2") as server:
        for host, status in ((f"127.0.0.2:{server.port}", 200), ("127.0.0.2", 200),
                             (f"evil.example:{server.port}", 403), ("plex.tv", 403)):
            connection = http.client.HTTPConnection("127.0.0.2", server.port, timeout=10)
            connection.request("GET", "/_mockplex/users", headers={"Host": host})
            assert connection.getresponse().status == status, host
            connection.close()


def test_the_handle_allows_a_name(mockplex):
    connection = http.client.HTTPConnection("127.0.0.1", mockplex.server.port, timeout=10)
    connection.request("GET", "/_mockplex/health", headers={"Host": "docker-host"})
    refused = connection.getresponse()
    assert refused.status == 403 and b"--allowed-host docker-host" in refused.read()
    mockplex.allow_host("Docker-Host")
    mockplex.reset()  # kept across resets
    connection.request("GET", "/_mockplex/health", headers={"Host": "docker-host:8080"})
    assert connection.getresponse().status == 200
    connection.close()


def test_serve_allowed_host_and_what_it_says_off_loopback(serve):
    proc, url = serve("--port", "0", "--host", "0.0.0.0", "--allowed-host", "mockplex-ci",
                      "--quiet")
    port = url.rsplit(":", 1)[1]
    for host, status in ((f"mockplex-ci:{port}", 200), (f"other-ci:{port}", 403)):
        connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
        connection.request("GET", "/_mockplex/health", headers={"Host": host})
        assert connection.getresponse().status == status, host
        connection.close()
    proc.terminate()
    assert proc.wait(timeout=10) == 0
    stderr = proc.stderr.read()
    assert "answers requests whose Host is loopback, mockplex-ci" in stderr


# -- same-origin control ---------------------------------------------------------------


@pytest.mark.parametrize("headers", [
    {"Origin": "http://127.0.0.1:9999"},  # another port is another origin
    {"Origin": "null"},
    {"Sec-Fetch-Site": "same-site"}, {"Sec-Fetch-Site": "cross-site"},
    {"Origin": "http://localhost", "Sec-Fetch-Site": "cross-site",
     "Sec-Fetch-Mode": "navigate"},  # a form posted from another site
])
def test_control_calls_from_another_site_are_refused(client, store, headers):
    response = client.post("/_mockplex/clock", json={"advance": 60},
                           headers={"Host": "127.0.0.1:32500", **headers})
    assert response.status_code == 403
    assert "its own pages" in error_of(response)["message"]
    assert store.clock.offset == 0


@pytest.mark.parametrize("headers", [
    {}, {"Origin": "http://127.0.0.1:32500"}, {"Sec-Fetch-Site": "same-origin"},
    {"Sec-Fetch-Site": "none"}])
def test_control_calls_of_its_own_pages_and_tools_are_answered(client, store, headers):
    response = client.post("/_mockplex/clock", json={"advance": 60},
                           headers={"Host": "127.0.0.1:32500", **headers})
    assert response.status_code == 200, response.text
    assert store.clock.offset == 60


def test_another_sites_link_to_the_dashboard_opens_it(client):
    response = client.get("/_mockplex/", headers={"Sec-Fetch-Site": "cross-site",
                                                  "Sec-Fetch-Mode": "navigate"})
    assert response.status_code == 200
    assert response.headers["X-Frame-Options"] == "DENY"  # but no page may frame it
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(("body", "content_type"), [
    ('{"advance": 60}', "text/plain"), ("advance=60", "application/x-www-form-urlencoded"),
    ('{"advance": 60}', None), ("", "multipart/form-data; boundary=x")])
def test_control_bodies_are_read_as_json_only(client, store, body, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post("/_mockplex/clock", data=body, headers=headers)
    assert response.status_code == 415
    assert error_of(response)["code"] == 1915
    assert "Content-Type: application/json" in error_of(response)["message"]
    assert store.clock.offset == 0


def test_a_bodiless_control_call_needs_no_content_type(client, store):
    store.create_pin("kept")
    assert client.post("/_mockplex/reset").status_code == 200  # curl -X POST
    assert store.pins() == []


def test_control_routes_never_grant_cors(client):
    asked = {"Origin": "http://127.0.0.1:32500", "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "content-type"}
    for response in (client.options("/_mockplex/reset", headers=asked),
                     client.get("/_mockplex/users", headers={"Origin": "http://127.0.0.1:32500"})):
        assert not any(name.lower().startswith("access-control-")
                       for name, _ in response.headers)
    # plex.tv's own routes stay open to browser apps, as plex.tv's are
    plex = client.options("/api/v2/pins", headers={**asked, "Origin": "http://app.test"})
    assert plex.headers["Access-Control-Allow-Origin"] == "*"


# -- the interception mark ---------------------------------------------------------------


@pytest.mark.parametrize("forged", ["https", "http", f"https {'x' * 43}"])
def test_a_forged_interception_mark_means_nothing(forged):
    app = create_app({"MOCKPLEX_CONTROL_TOKEN": "s3cret"})
    store = store_of(app)
    store.create_pin("someone", strong=True)
    token = store.default_account.auth_token
    with LiveServer(app) as server:
        for path in ("/auth", "/link", "/_mockplex/users"):
            connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
            connection.request("GET", path, headers={MARK_HEADER: forged, "Host": "plex.tv"})
            response = connection.getresponse()
            body = response.read().decode()
            connection.close()
            # Not taken for plex.tv (whose pages carry their data inline), not let in
            assert response.status == 403 and token not in body, path
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        connection.request("GET", "/auth", headers={MARK_HEADER: forged})
        response = connection.getresponse()
        body = response.read().decode()
        assert response.status == 200 and "mockplex-data" not in body and token not in body


def test_the_mark_with_this_process_secret_is_honoured():
    with LiveServer(create_app()) as server:
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        connection.request("GET", "/_mockplex/users",
                           headers={MARK_HEADER: mark_header("https"), "Host": "plex.tv"})
        assert connection.getresponse().status == 404  # the control API is hidden there


def test_the_plex_tv_approval_page_carries_no_token(mockplex):
    import requests

    alice = mockplex.create_user("alice")
    approved = mockplex.store.create_pin("done")
    mockplex.verify(approved.id, user="alice")
    pending = mockplex.store.create_pin("waiting", strong=True)
    page = requests.get("https://app.plex.tv/auth", timeout=10).text
    data = json.loads(page.split('id="mockplex-data">', 1)[1].split("</script>", 1)[0])
    assert [user["username"] for user in data["users"]] == ["mockplex", "alice"]
    assert [pin["id"] for pin in data["pins"]] == [pending.id]
    for token in (alice.auth_token, mockplex.default_user.auth_token):
        assert token not in page


@pytest.mark.mockplex_allow_unmatched  # /auth/approve on the mock's own address is no route
def test_plex_tv_approval_takes_json_from_its_own_page_only(mockplex):
    import requests

    pin = mockplex.store.create_pin("app", strong=True)
    url = "https://app.plex.tv/auth/approve"
    body = {"code": pin.code, "user": "mockplex"}
    refused = requests.post(url, json=body, headers={"Origin": "http://evil.example"},
                            timeout=10)
    assert refused.status_code == 403 and mockplex.pin(pin.id).auth_token is None
    assert requests.post(url, data=body, timeout=10).status_code == 415
    answered = requests.post(url, json=body, headers={"Origin": "https://app.plex.tv"},
                             timeout=10)
    assert answered.status_code == 204
    assert mockplex.pin(pin.id).auth_token == mockplex.default_user.auth_token
    direct = requests.post(mockplex.url + "/auth/approve", json=body, timeout=10)
    assert direct.status_code == 404  # on the mock's own address, the control API does it
    assert [(entry.host, entry.matched) for entry in mockplex.requests
            if entry.path == "/auth/approve"][-1] == (mockplex.url.split("//")[1], False)


# -- the control token in a URL ------------------------------------------------------------


def test_a_token_in_a_page_url_is_traded_for_a_cookie_and_written_nowhere(tmp_path, caplog):
    app = create_app({"MOCKPLEX_CONTROL_TOKEN": "s3cret"})
    har = HarWriter(tmp_path / "mock.har", store_of(app).journal)
    client = app.test_client()
    with caplog.at_level(logging.INFO, logger="mockplex.access"):
        for path in ("/auth?control_token=s3cret&x=1", "/_mockplex/?control_token=s3cret",
                     "/link?pin=ABCD&control_token=s3cret"):
            response = client.get(path)
            assert response.status_code == 303
            assert "control_token" not in response.headers["Location"]
            cookie = response.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
            assert "Path=/_mockplex" in cookie
        assert client.get("/link?pin=ABCD&control_token=s3cret").headers["Location"] == (
            "/link?pin=ABCD")
        assert client.get("/_mockplex/users").status_code == 200  # the cookie opens it
    har.close()
    assert "s3cret" not in caplog.text and "control_token=***" in caplog.text
    journal = json.dumps([entry.query_string for entry in store_of(app).journal.entries()])
    assert "s3cret" not in journal and "control_token=***" in journal
    assert "s3cret" not in (tmp_path / "mock.har").read_text()


def test_serve_takes_the_control_token_from_the_environment(serve, monkeypatch):
    """An option shows in the process list to every user of the machine; the
    environment does not."""
    monkeypatch.setenv("MOCKPLEX_CONTROL_TOKEN", "from-env")
    proc, url = serve("--port", "0", "--quiet")
    assert "from-env" not in " ".join(proc.args)
    for headers, status in (({}, 401), ({"X-Mockplex-Token": "from-env"}, 200)):
        connection = http.client.HTTPConnection(url.split("//")[1], timeout=10)
        connection.request("GET", "/_mockplex/users", headers=headers)
        assert connection.getresponse().status == status
        connection.close()


def test_a_wrong_token_in_a_url_is_refused_and_sets_no_cookie(client):
    guarded = create_app({"MOCKPLEX_CONTROL_TOKEN": "s3cret"}).test_client()
    response = guarded.get("/_mockplex/?control_token=guess")
    assert response.status_code == 401 and "Set-Cookie" not in response.headers
    assert "not the control token" in error_of(response)["message"]
    assert "guess" not in response.text
    assert guarded.get("/_mockplex/users").status_code == 401
    # With no control token at all, the parameter is only taken out of the URL
    plain = client.get("/auth?control_token=x&y=1")
    assert (plain.status_code, plain.headers["Location"]) == (303, "/auth?y=1")
    assert "Set-Cookie" not in plain.headers


@pytest.mark.parametrize(("query", "expected"), [
    ("control_token=a", "control_token=***"), ("x=1&control_token=a&y=2",
                                               "x=1&control_token=***&y=2"),
    ("a=control_token&control%5Ftoken=s3cret", "a=control_token&control_token=***"),
    ("control%5ftoken=s3cret&control_token=again", "control_token=***&control_token=***"),
    ("my_control_token=a", "my_control_token=a"), ("x=%20", "x=%20"), ("", "")])
def test_redacted(query, expected):
    assert redacted(query) == expected


def test_a_percent_encoded_token_name_is_traded_and_redacted_too(caplog):
    app = create_app({"MOCKPLEX_CONTROL_TOKEN": "s3cret"})
    with caplog.at_level(logging.INFO, logger="mockplex.access"):
        response = app.test_client().get("/auth?a=control_token&control%5Ftoken=s3cret")
    assert response.status_code == 303 and response.headers["Location"] == (
        "/auth?a=control_token")
    assert "s3cret" not in caplog.text
    assert "s3cret" not in json.dumps([entry.query for entry in
                                       store_of(app).journal.entries()])


# -- smaller doors -----------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".", ".jsn", "./", ".json.xml"])
def test_a_pin_answers_only_to_its_canonical_id(client, new_pin, suffix):
    pin = new_pin()
    assert client.get(f"/api/v2/pins/{pin['id']}.json", headers=HEADERS).status_code == 200
    assert client.get(f"/api/v2/pins/{pin['id']}{suffix}", headers=HEADERS).status_code == 404


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/api/v2/pins/{id}.yaml"), ("POST", "/auth/approve")])
def test_a_route_that_finds_the_path_is_none_of_its_own_counts_as_unmatched(
        client, store, new_pin, method, path):
    """A route matched the path, then answered that mockplex emulates no such route (an
    unknown format suffix; the plex.tv page's route on the mock's own address): the
    journal and the check after the test see it as unmatched, as routing's own 404."""
    pin = new_pin()
    response = client.open(path.format(id=pin["id"]), method=method, headers=JSON_HEADERS,
                           json={"code": pin["code"], "user": "mockplex"})
    assert response.status_code == 404 and "emulates no route" in error_of(response)["message"]
    assert store.journal.entries()[-1].matched is False
    (problem,) = store.problems.take()
    assert (problem.kind, problem.method) == ("unmatched", method)
    assert store.get_pin(pin["id"]).auth_token is None


@pytest.mark.parametrize(("path", "body"), [
    ("/_mockplex/clock", {"advance": "10"}), ("/_mockplex/clock", {"advance": True}),
    ("/_mockplex/auto-approve", {"afterSeconds": "5"})])
def test_control_numbers_are_json_numbers(client, path, body):
    method = client.put if "auto" in path else client.post
    response = method(path, json=body)
    assert response.status_code == 400
    assert "Not a number" in error_of(response)["message"]


# -- the fixture keeps plex.tv on the machine ------------------------------------------------


def test_the_fixture_alone_answers_an_unchanged_client(mockplex):
    """python-plexapi with plex.tv hard-coded, under the suite's socket guard (any
    connection off the machine raises): answered by the mock, and journaled."""
    account = MyPlexAccount(token=mockplex.default_user.auth_token)
    assert account.username == mockplex.default_user.username
    assert [entry.host for entry in mockplex.requests] == ["plex.tv"]


@pytest.mark.mockplex_no_intercept
def test_the_marker_leaves_the_clients_alone(mockplex):
    with pytest.raises(Exception, match="refuses a name lookup off the machine"):
        MyPlexAccount(token=mockplex.default_user.auth_token)
    assert mockplex.requests == []


def test_the_ini_option_leaves_the_clients_alone(pytester, run_pytest):
    pytester.makeini("[pytest]\nmockplex_intercept = false\n")
    pytester.makepyfile("""
        import mockplex.interception.stack as interception

        def test_off(mockplex):
            assert interception.STACK.active == []  # nothing answers plex.tv in-process
    """)
    run_pytest("-q").assert_outcomes(passed=1)


# -- what a client sent is shown, not obeyed ---------------------------------------------------


def test_a_forged_report_is_printed_escaped(pytester, run_pytest):
    pytester.makepyfile("""
        import requests

        def test_fails(mockplex):
            requests.get(mockplex.url + "/x%1b%5b2J%1b%5d0;owned%07/y?z=%0aPASSED%20all%20tests",
                         headers={"X-Plex-Client-Identifier": "c"})
            assert False
    """)
    result = run_pytest("-q", "-p", "no:randomly")
    result.assert_outcomes(failed=1, errors=1)  # the unmatched route fails the teardown
    output = result.stdout.str()
    assert "\x1b" not in output and "\x07" not in output
    assert not any(line.startswith("PASSED all tests") for line in output.splitlines())
    assert "/x\\x1b[2J\\x1b]0;owned\\x07/y?z=\\x0aPASSED all tests" in output


def test_a_username_in_the_report_is_escaped(store):
    from mockplex.control.report import describe

    store.create_account("bob\x1b[31mRED\nFAKE LINE")
    pin = store.create_pin("c")
    store.approve(pin.id, user="bob\x1b[31mRED\nFAKE LINE")
    text = describe(store)
    assert "\x1b" not in text and "approved as bob\\x1b[31mRED\\x0aFAKE LINE" in text


def test_the_access_log_escapes_what_it_prints():
    proc = subprocess.run(
        [sys.executable, "-c", """
import logging, sys
from mockplex import create_app
logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
create_app().test_client().get("/p%1b%5b2J%0aforged%20line?control_token=s3cret")
"""], capture_output=True, text=True, timeout=60)
    assert "\x1b" not in proc.stderr and "s3cret" not in proc.stderr
    (line,) = [line for line in proc.stderr.splitlines() if "GET" in line]
    assert '"GET /p\\x1b[2J\\x0aforged line?control_token=***" 404' in line


# -- interception follows redirects itself -------------------------------------------------


@pytest.mark.mockplex_allow_unmatched  # the doubled slash is no route: werkzeug redirects
def test_an_aiohttp_redirect_on_plex_tv_stays_on_the_mock(mockplex):
    """werkzeug answers ``/api/v2//user`` with a 308 to the absolute
    ``https://plex.tv/api/v2/user``: aiohttp following it on its own went to the real
    plex.tv with the interception mark (the suite's socket guard refuses that)."""
    import asyncio

    import aiohttp

    async def fetch() -> tuple[int, dict, list[int]]:
        headers = {"X-Plex-Token": mockplex.default_user.auth_token,
                   "Accept": "application/json"}
        async with aiohttp.ClientSession() as session, session.get(
                "https://plex.tv/api/v2//user", headers=headers) as response:
            return response.status, await response.json(), [
                entry.status for entry in mockplex.requests]

    status, body, statuses = asyncio.run(fetch())
    assert (status, body["username"]) == (200, mockplex.default_user.username)
    assert statuses == [308, 200]
