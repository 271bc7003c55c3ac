"""The live fake servers on real sockets (mockplex.media): each live server listens on a
loopback port of its own while the mock runs (its LiveServer, an interception), follows
add_server and reset, and stops with the mock, leaving no port open and no thread."""

from __future__ import annotations

import socket
import threading

import pytest
import requests

from mockplex import LiveServer, create_app, intercept, store_of
from mockplex.domain.limits import LIVE_SERVERS_MAX
from mockplex.domain.servers import REFUSING
from mockplex.media import MediaServers, ServerRequests
from mockplex.server import media_servers
from mockplex.web.environ import MEDIA_SERVER

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
        f"http://127.0.0.1:{port}", f"https://127-0-0-1.{home.direct_hash}.plex.direct:{port}"]


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

    def start(self) -> None:
        raise OSError("no socket")

    def stop(self) -> None:
        pass


def test_a_failed_start_takes_its_count_back():
    app = create_app()
    store_of(app).add_server("Home")
    media = MediaServers(app, lambda pms, wsgi: Broken())
    with pytest.raises(OSError, match="no socket"):
        media.start()
    assert not media.running and media.sync not in media.store.server_watchers


def test_a_request_names_its_server_and_its_own_plex_direct_url_is_read_as_a_path():
    store = store_of(create_app())
    home = store.add_server("Home")
    seen: list[dict[str, object]] = []

    def inner(environ, start_response):
        seen.append(dict(environ))
        return []

    wrapper = ServerRequests(inner, store, home.machine_identifier)
    own = f"http://127-0-0-1.{home.direct_hash}.PLEX.direct:9/library?x=1"
    other = f"http://127-0-0-1.{'0' * 32}.plex.direct:9/library"
    for target in (own, other, "/identity", "http://[::1/"):
        wrapper({"REQUEST_URI": target}, None)
    assert [environ[MEDIA_SERVER] for environ in seen] == [home.machine_identifier] * 4
    assert [environ["REQUEST_URI"] for environ in seen] == [
        "/library?x=1", other, "/identity", "http://[::1/"]


def test_stopping_the_mock_ends_a_delay_held_on_a_servers_socket():
    """Injected delays are the whole mock's: its stop ends them on the fake servers'
    sockets too, before closing those, so no request (and no thread) is left."""
    from mockplex.domain.faults import Fault

    before = set(threading.enumerate())
    live = LiveServer().start()
    port = live.store.port_of(live.store.add_server("Home"))
    live.store.faults.add(Fault(path="/identity", delay_ms=60_000, times=1, server="Home"))
    held = threading.Event()
    pause = live.store.faults.pause

    def noted_pause(seconds: float) -> None:
        held.set()
        pause(seconds)

    live.store.faults.pause = noted_pause  # type: ignore[method-assign]
    answers: list[int] = []
    client = threading.Thread(target=lambda: answers.append(identity(port).status_code))
    client.start()
    assert held.wait(TIMEOUT)
    live.stop()
    client.join(TIMEOUT)
    assert answers == [200]  # answered once the delay ended, then the socket closed
    assert refuses(port)
    assert set(threading.enumerate()) <= before
