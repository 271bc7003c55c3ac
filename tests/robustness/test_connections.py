"""Connections: a flood of idle or unfinished ones locks no new client out, and a
server stopped under load answers or cleanly closes what is in flight, with no
traceback. Real sockets throughout."""

from __future__ import annotations

import signal
import socket
import threading
import time
from urllib.parse import urlsplit

import requests

from mockplex import LiveServer
from mockplex.domain.faults import Fault
from tests.values import HEADERS, JSON_HEADERS


def connect(url: str) -> socket.socket:
    parts = urlsplit(url)
    return socket.create_connection((parts.hostname, parts.port), timeout=10)


def test_200_unfinished_requests_lock_no_new_client_out():
    with LiveServer() as server:
        idle = [connect(server.url) for _ in range(200)]
        try:
            for sock in idle:  # a request line and a header, never the blank line
                sock.sendall(b"GET /api/v2/pins/123456789 HTTP/1.1\r\nHost: x\r\n")
            answer = requests.post(server.url + "/api/v2/pins", headers=HEADERS, timeout=10)
            assert answer.status_code == 201
        finally:
            for sock in idle:
                sock.close()


def poll_until_refused(url: str, pin_id: int, outcomes: list[str], stop: threading.Event
                       ) -> None:
    """Poll until the server is gone; record how each request ended."""
    with requests.Session() as session:
        while not stop.is_set():
            try:
                answer = session.get(f"{url}/api/v2/pins/{pin_id}", headers=HEADERS, timeout=10)
            except requests.ConnectionError:
                outcomes.append("closed")
                return
            except Exception as error:  # a torn answer would land here
                outcomes.append(f"broken: {error!r}")
                return
            outcomes.append("answered" if answer.status_code == 200 else
                            f"status {answer.status_code}")


def test_sigterm_under_load_exits_0_answering_or_closing_cleanly(serve):
    proc, url = serve("--port", "0", "--quiet")
    pin = requests.post(url + "/api/v2/pins", headers=JSON_HEADERS, timeout=5).json()
    outcomes: list[list[str]] = [[] for _ in range(20)]
    stop = threading.Event()
    clients = [threading.Thread(target=poll_until_refused, args=(url, pin["id"], mine, stop))
               for mine in outcomes]
    for client in clients:
        client.start()
    deadline = time.monotonic() + 10
    while sum(map(len, outcomes)) < 100:  # every client is polling
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=15) == 0
    stop.set()
    for client in clients:
        client.join(15)
    log = proc.stderr.read()
    assert "Traceback" not in log and "Exception" not in log, log
    assert log == ""  # --quiet: no request lines, no queue-depth warnings
    seen = {outcome for mine in outcomes for outcome in mine}
    assert seen <= {"answered", "closed"}, seen


def test_a_stop_ends_injected_delays_and_answers_in_flight():
    server = LiveServer().start()
    server.store.faults.add(Fault(path="/api/v2/pins", delay_ms=60_000, times=1))
    answered: list[int] = []
    caller = threading.Thread(target=lambda: answered.append(requests.post(
        server.url + "/api/v2/pins", headers=HEADERS, timeout=30).status_code))
    caller.start()
    deadline = time.monotonic() + 10
    while server.store.faults.active():  # until the request has met its delay
        assert time.monotonic() < deadline
        time.sleep(0.005)
    server.stop()
    caller.join(30)
    assert answered == [201]  # answered once the delay was released, not cut off


def test_freezegun_moves_the_mocks_clock_not_the_servers(mockplex):
    """freezegun moves time for every thread of the process. The mock's clock follows it;
    waitress's own bookkeeping keeps real time: it marks a connection's last activity
    while writing an answer (in a worker, where freezegun would otherwise give it a
    frozen 2020), and closes connections that look idle for a minute, so a frozen past
    could close a keep-alive connection with a request in flight."""
    import freezegun.config
    from freezegun import freeze_time

    assert {"waitress.", "mockplex.listener"} <= set(freezegun.config.settings.default_ignore_list)
    with freeze_time("2020-01-01 12:00:00"):
        answer = requests.post(mockplex.url + "/api/v2/pins.json", timeout=5,
                               headers={"X-Plex-Client-Identifier": "frozen"})
    assert answer.json()["createdAt"] == "2020-01-01T12:00:00Z"
