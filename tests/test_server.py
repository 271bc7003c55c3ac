"""The live server on a real socket."""

from __future__ import annotations

import socket
import threading

import pytest
import requests

from mockplex import LiveServer, create_app
from tests.values import HEADERS


def test_port_0_picks_a_free_port_and_serves_real_http():
    with LiveServer() as server:
        assert server.port > 0
        assert server.url == f"http://127.0.0.1:{server.port}"
        response = requests.post(server.url_for("/api/v2/pins.json"), headers=HEADERS, timeout=5)
        assert response.status_code == 201
        assert response.json()["qr"].startswith(server.url + "/api/v2/pins/qr/")


def test_stop_closes_the_socket_and_ends_the_thread():
    server = LiveServer().start()
    port = server.port
    [serving] = [t for t in threading.enumerate() if t.name == f"mockplex:{port}"]
    assert serving.is_alive()
    server.stop()
    assert not serving.is_alive()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
    server.stop()  # idempotent


def test_stop_with_an_open_keep_alive_connection():
    with requests.Session() as session:
        server = LiveServer().start()
        health = server.url_for("/_mockplex/health")
        session.get(health, timeout=5)
        server.stop()
        with pytest.raises(requests.ConnectionError):
            session.get(health, timeout=5)


def test_start_twice_is_an_error():
    with LiveServer() as server, pytest.raises(RuntimeError, match="already running"):
        server.start()


def test_url_before_start_is_an_error():
    with pytest.raises(RuntimeError, match="not running"):
        _ = LiveServer().url


def test_the_server_keeps_serving_after_bad_input():
    with LiveServer() as server:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as raw:
            raw.sendall(b"\x00\xff garbage \r\n\r\n")
            assert raw.recv(100).startswith(b"HTTP/1.")
        bad = requests.post(server.url_for("/api/v2/pins.json"), data=b"\xff\xfe",
                            headers={**HEADERS, "Content-Type": "application/json"}, timeout=5)
        assert bad.status_code == 400
        assert bad.json()["errors"][0]["code"] == 1000
        assert requests.get(server.url_for("/_mockplex/health"), timeout=5).ok


def test_two_servers_keep_separate_state():
    with LiveServer() as one, LiveServer(create_app()) as two:
        requests.post(one.url_for("/api/v2/pins"), headers=HEADERS, timeout=5)
        assert len(one.store) == 1 and len(two.store) == 0


def test_stop_works_when_the_listener_closed_itself():
    """As waitress does after an error on the listening socket: it closes the listener
    and the trigger, while a keep-alive connection keeps the loop running. The stop
    closes that connection. (Asked on the connection itself: a new one to the port
    could meet another test's server, which the system may have given the port since.)"""
    server = LiveServer().start()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as kept:
        kept.sendall(b"GET /_mockplex/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        answer = b""
        while not answer.endswith(b'{"status":"ok"}'):  # the whole answer, head and body
            chunk = kept.recv(4096)
            assert chunk, f"closed before the whole answer: {answer!r}"
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
        closed = threading.Event()
        server._server.trigger.pull_trigger(lambda: (server._server.close(), closed.set()))
        assert closed.wait(5)
        server.stop()
        assert not server.running
        assert kept.recv(4096) == b""  # closed by the server's stop
