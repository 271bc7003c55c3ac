"""The live fake servers on real sockets (mockplex.media): each live server listens on a
loopback port of its own while the mock runs (its LiveServer, an interception), follows
add_server and reset, and stops with the mock, leaving no port open and no thread."""

from __future__ import annotations

import http.client
import socket
import threading

import pytest
import requests

from mockplex import LiveServer, create_app, intercept, store_of
from mockplex.domain.faults import Fault
from mockplex.domain.hosts import direct_host
from mockplex.domain.limits import LIVE_SERVERS_MAX
from mockplex.domain.servers import REFUSING
from mockplex.media import MediaServers, ServerRequests, media_servers
from mockplex.web.environ import MEDIA_SERVER
from tests.web.test_faults import HELD, held_answer, noted_pauses

TIMEOUT = 5


def media_threads() -> list[str]:
    return [thread.name for thread in threading.enumerate()
            if thread.name.startswith("mockplex:pms:")]


def refuses(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT).close()
    except ConnectionRefusedError:
        return True
    return False


def identity(port: int, **headers: str) -> requests.Response:
    return requests.get(f"http://127.0.0.1:{port}/identity", headers=headers,
                        timeout=TIMEOUT)


@pytest.fixture
def live():
    with LiveServer() as server:
        yield server


def test_a_server_added_while_running_listens_before_add_server_returns(live):
    home = live.store.add_server("Home")
    port = live.store.port_of(home)
    assert port is not None and port != live.port
    answer = identity(port)
    assert answer.status_code == 200
    assert f'machineIdentifier="{home.machine_identifier}"' in answer.text
    assert [c.uri for c in live.store.connections(home)] == [
        f"https://127-0-0-1.{home.direct_hash}.plex.direct:{port}",
        f"http://127.0.0.1:{port}", f"https://127-0-0-1.{home.direct_hash}.plex.direct:{port}",
        f"http://127.0.0.1:{port}"]


def test_each_server_has_a_port_and_answers_as_itself(live):
    servers = [live.store.add_server(name) for name in ("One", "Two")]
    ports = [live.store.port_of(server) for server in servers]
    assert len(set(ports)) == 2
    for server, port in zip(servers, ports, strict=True):
        assert server.machine_identifier in identity(port).text


def test_a_server_given_connections_gets_no_listener(live):
    dead = live.store.add_server("Dead", connections=[REFUSING])
    assert live.store.port_of(dead) is None
    assert [c.uri for c in live.store.connections(dead)] == [REFUSING]
    assert media_servers(live.app).ports() == {}


def test_servers_there_before_the_start_listen_with_it_and_stop_with_it():
    server = LiveServer()
    home = server.store.add_server("Home")  # not running: nothing listens
    assert server.store.port_of(home) is None and server.store.connections(home) == ()
    before = set(threading.enumerate())
    with server:
        port = server.store.port_of(home)
        assert port is not None and identity(port).status_code == 200
        assert len(media_threads()) == 1
    assert refuses(port)
    assert server.store.port_of(home) is None
    assert set(threading.enumerate()) <= before  # its loop and workers too
    server.store.add_server("Later")  # stopped: the watcher is gone
    assert media_servers(server.app).ports() == {}


def test_a_reset_stops_the_listeners_of_servers_gone(live):
    home = live.store.add_server("Home")
    port = live.store.port_of(home)
    live.store.reset()
    assert refuses(port)
    assert media_servers(live.app).ports() == {} and media_threads() == []


def test_a_seeded_reset_keeps_each_servers_listener_and_port():
    app = create_app({"MOCKPLEX_SEED": 7, "MOCKPLEX_SCENARIO": {"servers": [{"name": "Home"}]}})
    with LiveServer(app) as live:
        [home] = live.store.live_servers()
        port = live.store.port_of(home)
        live.store.add_server("Extra")
        live.store.reset()
        [again] = live.store.live_servers()
        assert again.machine_identifier == home.machine_identifier
        assert live.store.port_of(again) == port  # told again: the reset forgot it
        assert again.machine_identifier in identity(port).text
        assert list(media_servers(app).ports()) == [home.machine_identifier]


def test_the_live_servers_cap_refuses_one_more_and_leaves_no_listener(live):
    for number in range(LIVE_SERVERS_MAX):
        live.store.add_server(f"S{number}")
    with pytest.raises(ValueError, match=rf"at most {LIVE_SERVERS_MAX} servers"):
        live.store.add_server("One too many")
    assert len(media_servers(live.app).ports()) == LIVE_SERVERS_MAX
    live.store.add_server("Modelled", connections=[REFUSING])  # not live: not counted
    live.store.reset()
    assert media_threads() == []


def test_a_listener_binds_loopback_even_when_the_mock_does_not():
    with LiveServer(create_app(), host="127.0.0.2") as live:
        port = live.store.port_of(live.store.add_server("Home"))
        assert identity(port).status_code == 200  # on 127.0.0.1
        with pytest.raises(OSError):
            socket.create_connection(("127.0.0.2", port), timeout=TIMEOUT).close()


def test_a_listener_refuses_a_foreign_host(live):
    port = live.store.port_of(live.store.add_server("Home"))
    assert identity(port, Host="rebound.example").status_code == 403
    assert identity(port, Host=f"localhost:{port}").status_code == 200


def test_interception_starts_the_listeners_and_stops_them():
    with intercept() as plex:
        port = plex.store.port_of(plex.add_server("Home"))
        assert identity(port).status_code == 200
    assert refuses(port) and media_threads() == []


def test_starts_are_counted_the_last_stop_ends_them(live):
    port = live.store.port_of(live.store.add_server("Home"))
    with intercept(app=live.app, server=live):
        assert live.store.port_of(live.store.server("Home")) == port
    assert identity(port).status_code == 200  # the server still runs them
    live.stop()
    assert refuses(port)


class Broken:
    """A listener that cannot listen."""

    port = 0

    def __init__(self, app: object, wsgi: object) -> None:
        pass

    def start(self) -> None:
        raise OSError("no socket")

    def stop(self) -> None:
        pass


def test_a_failed_start_takes_its_count_back(monkeypatch):
    app = create_app()
    store_of(app).add_server("Home")
    monkeypatch.setattr("mockplex.media.MediaListener", Broken)
    media = MediaServers(app)
    with pytest.raises(OSError, match="no socket"):
        media.start()
    assert not media.running and media.sync not in media.store.server_watchers


def test_a_request_names_its_server_and_is_left_as_it_came():
    """Which hosts a request in absolute form may name is the app's check (the relayed
    connection's: below), not the socket's: the target is passed on untouched."""
    store = store_of(create_app())
    home = store.add_server("Home")
    seen: list[dict[str, object]] = []

    def inner(environ, start_response):
        seen.append(dict(environ))
        return []

    wrapper = ServerRequests(inner, home.machine_identifier)
    own = f"http://127-0-0-1.{home.direct_hash}.PLEX.direct:9/library?x=1"
    for target in (own, "/identity", "http://[::1/"):
        wrapper({"REQUEST_URI": target}, None)
    assert [environ[MEDIA_SERVER] for environ in seen] == [home.machine_identifier] * 3
    assert [environ["REQUEST_URI"] for environ in seen] == [own, "/identity", "http://[::1/"]


def test_stopping_the_mock_ends_a_delay_held_on_a_servers_socket():
    """Injected delays are the whole mock's: its stop ends them on the fake servers'
    sockets too, before closing those, so no request (and no thread) is left."""
    before = set(threading.enumerate())
    live = LiveServer().start()
    port = live.store.port_of(live.store.add_server("Home"))
    live.store.faults.add(Fault(path="/identity", delay_ms=60_000, times=1, server="Home"))
    held = noted_pauses(live.store.faults)
    answers: list[int] = []
    client = threading.Thread(target=lambda: answers.append(identity(port).status_code))
    client.start()
    assert held.wait(TIMEOUT)
    live.stop()
    client.join(TIMEOUT)
    assert answers == [200]  # answered once the delay ended, then the socket closed
    assert refuses(port)
    assert set(threading.enumerate()) <= before


def test_a_reset_ends_a_delay_held_on_a_servers_socket(live):
    """A reset clears the faults, which ends the delays in flight: the request a minute's
    delay holds on a server's socket is answered (404: its server is gone with the
    reset), the listener stops, and no thread is left, without waiting out the delay,
    the listener's grace or the client's timeout."""
    before = set(threading.enumerate())
    port = live.store.port_of(live.store.add_server("Home"))
    live.store.faults.add(Fault(path="/identity", delay_ms=60_000, server="Home"))
    held = noted_pauses(live.store.faults)
    answers: list[object] = []
    client = held_answer(f"http://127.0.0.1:{port}/identity", answers, method="GET")
    assert held.wait(HELD)
    assert f"mockplex:pms:{port}" in {thread.name for thread in threading.enumerate()}
    live.store.reset()
    client.join(HELD + 5)
    assert answers == [404]
    assert refuses(port) and media_threads() == []
    assert set(threading.enumerate()) <= before


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    from mockplex.proxy.ca import CA

    return CA.load(tmp_path_factory.mktemp("ca"))


def test_a_relayed_connection_to_a_server_answers_its_own_names_only(live, ca):
    """On a plain-http connection the proxy relayed to a server's socket, each request in
    absolute form is answered only for that server's own plex.direct names: plex.tv's
    URL and another live server's name are refused (403, in the server's shape), and a
    refused request is no unmatched one for the test."""
    from mockplex.proxy.listeners import Proxy

    home, other = (live.store.add_server(name) for name in ("Home", "Other"))
    own = f"http://{direct_host('127.0.0.1', home.direct_hash)}:{live.store.port_of(home)}"
    elsewhere = (f"http://{direct_host('127.0.0.1', other.direct_hash)}:"
                 f"{live.store.port_of(other)}")
    urls = [f"{own}/identity", "http://plex.tv/api/v2/user", f"{elsewhere}/identity",
            "HTTP://PLEX.TV/nowhere", f"{own.upper()}/identity"]
    answers = []
    with Proxy(live, ca=ca) as proxy:
        connection = http.client.HTTPConnection("127.0.0.1", proxy.port, timeout=TIMEOUT)
        for url in urls:
            connection.request("GET", url, headers={"Host": url.split("/")[2]})
            answer = connection.getresponse()
            answers.append((answer.status, answer.read()))
        connection.close()
    assert [status for status, _ in answers] == [200, 403, 403, 403, 200]
    assert home.machine_identifier.encode() in answers[-1][1]
    assert all(body == b"<html><head><title>Forbidden</title></head><body><h1>403 Forbidden"
                       b"</h1></body></html>" for status, body in answers if status == 403)
    assert [entry.server for entry in live.store.journal.entries()] == ["Home"] * 5
    assert live.store.problems.take() == []


def test_the_servers_app_is_built_on_first_use_once():
    """Neither create_app nor a running mock builds the fake servers' app (most mocks
    never run a server); the first live server does, or the first ``pms_app_of``, and
    every later one, from any thread, gets that one."""
    from mockplex.app import PMS, pms_app_of

    with LiveServer() as live:
        assert PMS not in live.app.extensions
        live.store.add_server("Home")
        assert live.app.extensions[PMS] is pms_app_of(live.app)
    app = create_app()
    assert PMS not in app.extensions
    found: list[object] = []
    callers = [threading.Thread(target=lambda: found.append(pms_app_of(app)))
               for _ in range(4)]
    for caller in callers:
        caller.start()
    for caller in callers:
        caller.join(TIMEOUT)
    assert len(found) == 4 and all(pms is app.extensions[PMS] for pms in found)
    assert pms_app_of(app).config is app.config


def test_the_end_of_an_interception_ends_a_delay_held_on_a_servers_socket():
    """intercept() with no server of its own runs the servers' sockets alone: its end
    ends the delays held on them (as a LiveServer's stop does), so the listener stops
    at once and no thread is left."""
    before = set(threading.enumerate())
    app = create_app()
    store = store_of(app)
    with intercept(app=app):
        port = store.port_of(store.add_server("Home"))
        store.faults.add(Fault(path="/identity", delay_ms=60_000, server="Home"))
        held = noted_pauses(store.faults)
        answers: list[object] = []
        client = held_answer(f"http://127.0.0.1:{port}/identity", answers, method="GET")
        assert held.wait(HELD)
    client.join(HELD + 5)
    assert answers == [200] and refuses(port)
    assert set(threading.enumerate()) <= before


class NoSocketForSecond:
    """A listener whose start fails for the second server made, as when the process is
    out of file descriptors."""

    made = 0

    def __new__(cls, *args, **kwargs):
        from mockplex.listener import CannotListen, MediaListener

        cls.made += 1
        if cls.made == 2:
            raise CannotListen("cannot listen on 127.0.0.1:0: [Errno 24] Too many open files")
        return MediaListener(*args, **kwargs)


def test_a_server_that_cannot_listen_is_not_kept_and_the_others_serve(live, monkeypatch):
    from mockplex.domain.servers import CannotServe

    NoSocketForSecond.made = 0
    monkeypatch.setattr("mockplex.media.MediaListener", NoSocketForSecond)
    first = live.store.add_server("First")
    with pytest.raises(CannotServe, match=r"'Second' was not added.*Too many open files"):
        live.store.add_server("Second")
    third = live.store.add_server("Third")
    assert [server.name for server in live.store.servers()] == ["First", "Third"]
    for server in (first, third):
        assert identity(live.store.port_of(server)).status_code == 200
    answer = requests.post(live.url + "/_mockplex/servers", json={"name": "Home"}, timeout=10)
    assert answer.status_code == 201  # the control API: 503 only while it cannot listen


@pytest.mark.parametrize(("head", "status"), [
    (b"POST /identity HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2000000\r\n\r\n", 413),
    (b"GET http://[::1/identity HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 400),
])
def test_the_sockets_own_refusals_are_in_the_servers_shape(live, head, status):
    port = live.store.port_of(live.store.add_server("Home"))
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(head)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    top, _, body = answer.partition(b"\r\n\r\n")
    assert top.startswith(f"HTTP/1.1 {status} ".encode())
    assert b"Content-Type: text/html" in top
    assert body.startswith(b"<html><head><title>") and f"<h1>{status} ".encode() in body


def test_the_access_log_names_the_server_asked(live, caplog):
    port = live.store.port_of(live.store.add_server("Home\x1b[2J"))
    with caplog.at_level("INFO", logger="mockplex.access"):
        identity(port)
        requests.get(live.url + "/api/v2/ping", timeout=TIMEOUT)
    lines = [record.getMessage() for record in caplog.records
             if record.name == "mockplex.access"]
    assert lines[0].endswith('"GET /identity" 200 on the fake server \'Home\\x1b[2J\'')
    assert lines[1].endswith('"GET /api/v2/ping" 401')  # plex.tv's side: as before


def test_two_apps_on_one_store_share_its_servers_sockets():
    """The store keeps the ports and the faults: a second app on it (an Intercept
    handle's intercept() makes one) serves the same sockets, and its stop leaves them to
    the first."""
    store = store_of(create_app())
    first, second = LiveServer(create_app(store=store)), LiveServer(create_app(store=store))
    with first, second:
        port = store.port_of(store.add_server("Home"))
        second.stop()
        assert store.port_of(store.server("Home")) == port
        assert identity(port).status_code == 200
    assert refuses(port)


def test_a_socket_stopping_ends_its_own_delays_not_the_others():
    """Two servers of one store: one stopping leaves the delay held on the other's
    request alone (it ends when the faults are cleared, and only then)."""
    store = store_of(create_app())
    first, second = LiveServer(create_app(store=store)), LiveServer(create_app(store=store))
    with first, second:
        store.faults.add(Fault(path="/api/v2/pins", delay_ms=60_000))
        held = noted_pauses(store.faults)
        events: list[object] = []
        client = held_answer(second.url + "/api/v2/pins", events, method="POST",
                             headers={"X-Plex-Client-Identifier": "c"})
        assert held.wait(HELD)
        first.stop()
        events.append("cleared")
        store.faults.clear()
        client.join(HELD + 5)
        assert events == ["cleared", 201]


def test_a_start_that_cannot_listen_leaves_no_worker_thread():
    before = set(threading.enumerate())
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(OSError, match="cannot listen"):
            LiveServer(port=taken.getsockname()[1]).start()
    assert set(threading.enumerate()) <= before
