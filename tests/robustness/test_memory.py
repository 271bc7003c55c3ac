"""Bounded by design (docs/limits.md): what a client sends cannot make the server large.

A pin keeps its X-Plex values up to a cap (longer is a 400 in plex.tv's shape), and the
server reads no body longer than the app takes: a request that declares one is refused
as soon as its head is in. Over real sockets, against `mockplex serve` where it is the
process's memory that is measured.
"""

from __future__ import annotations

import json
import socket
from urllib.parse import urlencode

import pytest
import requests

from mockplex import LiveServer, create_app

MiB = 1024 * 1024
CAP = 1024  # characters of an X-Plex value a pin keeps (mockplex.limits.XPLEX_VALUE_MAX)
HALF = MiB // 2 - 64  # two such values, and the rest of a MiB's form
FORM = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
CLIENT = {"X-Plex-Client-Identifier": "memory", "Accept": "application/json"}


def rss_mb(pid: int) -> float:
    """The process's resident memory, in MB (VmRSS of /proc/PID/status)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def form_of_a_mib(number: int, kept: int) -> str:
    """A urlencoded form of exactly 1 MiB: a client identifier and a product of ``kept``
    characters each, and an X-Plex value mockplex only records filling the rest."""
    fields = {"X-Plex-Client-Identifier": f"{number:06}".ljust(kept, "c"),
              "X-Plex-Product": "p" * kept}
    filler = "X-Plex-Features"
    fields[filler] = "f" * (MiB - len(urlencode(fields)) - len(filler) - 2)
    body = urlencode(fields)
    assert len(body) == MiB
    return body


def test_300_pins_with_1_mib_forms_grow_the_server_by_under_60_mb(serve):
    """Tracker issue 19, item 5: 300 pins with 1 MiB form bodies took the process from
    35 MB to 364 MB, and listing the pins returned 315 MB."""
    proc, url = serve("--port", "0", "--quiet")
    session = requests.Session()

    def create(body: str) -> requests.Response:
        return session.post(url + "/api/v2/pins", data=body, headers=FORM, timeout=30)

    create(form_of_a_mib(0, CAP))  # every code path once, before the first measure
    create(form_of_a_mib(0, HALF))
    session.get(url + "/_mockplex/pins", timeout=30)
    session.get(url + "/_mockplex/requests", timeout=30)
    before = rss_mb(proc.pid)

    # The requests: X-Plex values the pin would keep, of half a MiB each.
    refused = [create(form_of_a_mib(n, HALF)) for n in range(1, 101)]
    # 300 pins with X-Plex values at the cap, in 1 MiB forms.
    created = [create(form_of_a_mib(n, CAP)) for n in range(1, 301)]
    growth = rss_mb(proc.pid) - before

    assert growth < 60, f"the server grew by {growth:.1f} MB (from {before:.1f} MB)"
    assert {answer.status_code for answer in refused} == {400}
    [error] = refused[0].json()["errors"]
    assert (error["code"], error["status"]) == (1000, 400)
    assert error["message"] == ("X-Plex-Client-Identifier is 524224 characters long; mockplex "
                                "takes at most 1024 characters in an X-Plex value (its cap)")
    assert {answer.status_code for answer in created} == {201}
    assert all(len(answer.json()["product"]) == CAP for answer in created)
    listing = session.get(url + "/_mockplex/pins", timeout=30)
    assert len(listing.json()) == 301
    assert len(listing.content) < 301 * 3 * CAP  # each pin: two values at the cap, and ~700 B
    journal = session.get(url + "/_mockplex/requests", timeout=30)
    assert len(journal.json()) == 402 and len(journal.content) < 402 * 8 * 1024


@pytest.fixture(scope="module")
def server():
    with LiveServer() as live:
        yield live


def raw(server: LiveServer, request: bytes, *, then: bytes = b"") -> bytes:
    """Send ``request`` and then ``then`` (as much of it as the server takes before it
    closes) on a connection of its own; what the server answered until it closed (a
    close with data unread resets the connection: after the answer, which stays
    readable)."""
    connection = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    with connection:
        connection.sendall(request)
        for start in range(0, len(then), 64 * 1024):
            try:
                connection.sendall(then[start:start + 64 * 1024])
            except OSError:  # it answered and closed: the rest is not read
                break
        answer = b""
        try:
            while chunk := connection.recv(65536):
                answer += chunk
        except ConnectionResetError:  # it closed with some of what was sent unread
            pass
    return answer


def plex_error(answer: bytes) -> tuple[str, dict[str, str], dict]:
    head, _, body = answer.partition(b"\r\n\r\n")
    status, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in
               (line.partition(":") for line in lines)}
    [error] = json.loads(body)["errors"]
    return status, headers, error


def still_serving(server: LiveServer) -> None:
    assert requests.get(server.url + "/_mockplex/health", timeout=5).status_code == 200
    pin = requests.post(server.url + "/api/v2/pins", headers=CLIENT, timeout=5)
    assert pin.status_code == 201


def test_a_400_mib_declaration_is_refused_before_a_byte_of_its_body(server):
    """Tracker issue 19, item 6: such a request got its 413 only after waitress had
    buffered about 396 MiB. Now the answer comes although no byte of the body is sent."""
    answer = raw(server, b"POST /api/v2/pins HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"X-Plex-Client-Identifier: big\r\nContent-Length: 419430400\r\n\r\n")
    status, headers, error = plex_error(answer)  # and the server closed the connection
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert headers["content-type"] == "application/json; charset=utf-8"
    assert headers["connection"] == "close"
    assert error == {"code": 1913, "status": 413, "message": "the request's body is over "
                     "1048576 bytes, mockplex's cap (MAX_CONTENT_LENGTH)"}
    still_serving(server)


@pytest.mark.parametrize("size", [1024 * 1024 + 1, 4 * 1024 * 1024])
def test_a_client_still_sending_the_body_reads_the_413(server, size):
    """Refused at the head, a client that sends its whole body before reading (as
    http.client, requests and curl do) still reads the answer: the server lingers,
    dropping what comes, instead of closing with it unread (which sends a reset that
    destroyed the answer in 60 runs of 60 before)."""
    import http.client

    for _ in range(5):
        connection = http.client.HTTPConnection(server.host, server.port, timeout=10)
        connection.request("POST", "/api/v2/pins", body=b"x" * size, headers=CLIENT)
        response = connection.getresponse()
        assert response.status == 413
        assert json.loads(response.read())["errors"][0]["code"] == 1913
        connection.close()
    still_serving(server)


def test_a_chunked_body_is_refused_once_it_passes_1_mib(server):
    answer = raw(server, b"POST /api/v2/pins HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         b"X-Plex-Client-Identifier: big\r\nTransfer-Encoding: chunked\r\n\r\n",
                 then=(b"10000\r\n" + b"x" * 0x10000 + b"\r\n") * 32)  # 2 MiB in 64 KiB
    status, headers, error = plex_error(answer)
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert headers["connection"] == "close"
    assert (error["code"], error["status"]) == (1913, 413)
    still_serving(server)


def test_waitress_own_refusals_are_in_plex_shape_too(server):
    for request, status, code in [
            (b"GET /api/v2/user HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: x\r\n\r\n",
             400, 1900),
            (b"GET /api/v2/user HTTP/1.1\r\nX: " + b"a" * (2 * MiB) + b"\r\n\r\n", 431, 1931)]:
        line, headers, error = plex_error(raw(server, request))
        assert line.split(" ")[1] == str(status)  # (HTTP/1.0 for a head it could not read)
        assert headers["content-type"] == "application/json; charset=utf-8"
        assert (error["status"], error["code"]) == (status, code)
    still_serving(server)


def test_a_body_of_exactly_1_mib_is_still_taken(server):
    url = server.url + "/api/v2/pins"
    assert requests.post(url, data=b"x" * MiB, headers=CLIENT, timeout=10).status_code == 201
    over = requests.post(url, data=b"x" * (MiB + 1), headers=CLIENT, timeout=10)
    assert over.status_code == 413 and over.json()["errors"][0]["code"] == 1913


def test_the_server_takes_the_body_size_the_app_is_configured_for():
    with LiveServer(create_app({"MAX_CONTENT_LENGTH": 2 * MiB})) as live:
        url = live.url + "/api/v2/pins"
        assert requests.post(url, data=b"x" * (MiB + MiB // 2), headers=CLIENT,
                             timeout=10).status_code == 201
        refused = plex_error(raw(live, b"POST /api/v2/pins HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                       b"Content-Length: 2097153\r\n\r\n"))[2]
        assert refused["message"].startswith("the request's body is over 2097152 bytes")
