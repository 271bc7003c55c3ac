"""Bad input over a real socket: each gets a plex-style 4xx (or the control API's JSON
error), never a 5xx, an HTML page or a traceback, and the server keeps serving."""

from __future__ import annotations

import http.client
import json
from urllib.parse import urlsplit

import pytest

CLIENT = {"X-Plex-Client-Identifier": "bad-input", "Accept": "application/json"}
CASES = [
    # (method, path, headers, body, status)
    ("GET", "/api/v2/pins/abc", CLIENT, b"", 404),
    ("GET", "/api/v2/pins/-1", CLIENT, b"", 404),
    ("GET", "/api/v2/pins/0", CLIENT, b"", 404),
    ("GET", "/api/v2/pins/99999999999999999999999999999999", CLIENT, b"", 404),
    ("GET", "/api/v2/pins/1e9", CLIENT, b"", 404),
    ("GET", "/api/v2/pins/%00", CLIENT, b"", 404),
    ("GET", "/api/v2/pins/%FF%FE", CLIENT, b"", 404),
    ("GET", "/api/v2/pins/123456789?code=%FF", CLIENT, b"", 404),
    ("POST", "/api/v2/pins?strong=%FF", CLIENT, b"", 400),
    ("POST", "/api/v2/pins", {**CLIENT, "Content-Type": "application/json"}, b"{nope", 400),
    ("POST", "/api/v2/pins", {**CLIENT, "Content-Type": "application/json"}, b"\xff\xfe", 400),
    ("POST", "/api/v2/users/signin", {**CLIENT, "Content-Type": "application/json"},
     b"[]", 400),  # no login
    ("POST", "/api/v2/users/signin",
     {**CLIENT, "Content-Type": "application/x-www-form-urlencoded"}, b"login=%FF", 400),
    ("POST", "/users/sign_in.json", {**CLIENT, "Authorization": "Basic %%%"}, b"", 401),
    ("GET", "/api/v2/resources?includeHttps=%FF", {**CLIENT, "X-Plex-Token": "nope"}, b"",
     401),
    ("POST", "/api/v2/pins",
     {**CLIENT, "Content-Type": "application/x-www-form-urlencoded"}, b"strong=%ZZ&&=", 400),
    ("POST", "/api/v2/pins", {"Content-Type": "application/x-www-form-urlencoded",
                              "Accept": "application/json"}, b"\xff=\xfe", 400),
    ("POST", "/api/v2/pins", CLIENT, b"x" * (1024 * 1024 + 1), 413),
    ("POST", "/api/v2/pins", {**CLIENT, "X-Padding": "x" * 100_000}, b"", 431),
    ("DELETE", "/api/v2/pins", CLIENT, b"", 405),
    ("PATCH", "/api/v2/user", CLIENT, b"", 405),
    ("GET", "/api/v2/nope", CLIENT, b"", 404),
    ("GET", "/api/v3/pins", CLIENT, b"", 404),
    ("GET", "/", CLIENT, b"", 404),
    ("PUT", "/api/v2/pins/link", {**CLIENT, "X-Plex-Token": "x" * 5000}, b"code=AB12", 401),
    ("GET", "/api/v2/user", {**CLIENT, "X-Plex-Token": "\u00ff"}, b"", 401),
]
CONTROL_CASES = [
    ("POST", "/_mockplex/clock", {"advance": "soon"}),
    ("POST", "/_mockplex/clock", {"advance": [1]}),
    ("POST", "/_mockplex/pins/123456789/verify", {"authToken": 5}),
    ("POST", "/_mockplex/users", {"username": 5}),
    ("POST", "/_mockplex/faults", {"status": "429"}),
    ("POST", "/_mockplex/faults", {"status": 429, "times": 1.5}),
    ("PUT", "/_mockplex/auto-approve", {"afterPolls": 1.5}),
    ("PUT", "/_mockplex/auto-approve", {"afterSeconds": "x"}),
    ("GET", "/_mockplex/requests?pin=x", None),
]


def send(url: str, method: str, path: str, headers: dict[str, str], body: bytes
         ) -> http.client.HTTPResponse:
    target = urlsplit(url)
    connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
    connection.putrequest(method, path, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value.encode("latin-1"))
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    connection.close()
    return response


@pytest.mark.mockplex_allow_unmatched  # some rows ask for routes mockplex does not emulate
@pytest.mark.parametrize(("method", "path", "headers", "body", "status"), CASES,
                         ids=[f"{m} {p[:40]} {len(b)}B" for m, p, _, b, _ in CASES])
def test_bad_plex_input_gets_a_plex_error(mockplex, method, path, headers, body, status):
    response = send(mockplex.url, method, path, headers, body)
    assert response.status == status, response.body[:300]
    assert response.getheader("Content-Type") == "application/json; charset=utf-8"
    [error] = json.loads(response.body)["errors"]
    assert (error["status"], type(error["code"]), type(error["message"])) == (status, int, str)
    assert send(mockplex.url, "GET", "/_mockplex/health", {}, b"").status == 200


@pytest.mark.parametrize(("method", "path", "body"), CONTROL_CASES,
                         ids=[f"{m} {p} {b}" for m, p, b in CONTROL_CASES])
def test_bad_control_calls_get_a_json_400(mockplex, method, path, body):
    data = json.dumps(body).encode() if body is not None else b""
    response = send(mockplex.url, method, path, {"Content-Type": "application/json"}, data)
    assert response.status == 400, response.body[:300]
    [error] = json.loads(response.body)["errors"]
    assert (error["status"] == 400 and path.split("?")[0] in error["message"]) or "pin" in (
        error["message"])
    assert send(mockplex.url, "GET", "/_mockplex/health", {}, b"").status == 200


def test_headers_past_waitress_own_limit_are_refused_and_the_server_lives_on(mockplex):
    response = send(mockplex.url, "GET", "/api/v2/user", {"X-Padding": "x" * 2_000_000}, b"")
    assert response.status == 431
    assert send(mockplex.url, "GET", "/_mockplex/health", {}, b"").status == 200
