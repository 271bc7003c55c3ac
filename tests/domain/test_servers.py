"""The connections plex.tv lists for a fake server: a live one's, local and remote, over
https and plain http; a server given its own keeps exactly those."""

from __future__ import annotations

from mockplex.domain.servers import REFUSING, Connection
from mockplex.domain.store import Store

PORT = 32999


def listening(store: Store, name: str = "Home") -> str:
    """Add live server ``name``, listening on :data:`PORT`; its plex.direct URL."""
    server = store.add_server(name)
    store.listen(server.machine_identifier, PORT)
    return f"https://127-0-0-1.{server.direct_hash}.plex.direct:{PORT}"


def test_a_live_server_lists_https_and_http_each_local_then_remote():
    store = Store()
    direct = listening(store)
    plain = f"http://127.0.0.1:{PORT}"
    listed = [(c.uri, c.protocol, c.address, c.port, c.local, c.relay)
              for c in store.connections(store.server("Home"))]
    assert listed == [(direct, "https", "127.0.0.1", PORT, True, False),
                      (plain, "http", "127.0.0.1", PORT, True, False),
                      (direct, "https", "127.0.0.1", PORT, False, False),
                      (plain, "http", "127.0.0.1", PORT, False, False)]


def test_a_live_server_lists_none_until_it_listens_and_none_after():
    store = Store()
    home = store.add_server("Home")
    assert store.connections(home) == ()
    store.listen(home.machine_identifier, PORT)
    assert len(store.connections(home)) == 4
    store.listen(home.machine_identifier, None)
    assert store.connections(home) == ()


def test_a_server_given_connections_keeps_exactly_those():
    store = Store()
    dead = store.add_server("Dead", connections=[REFUSING])
    assert store.connections(dead) == (Connection.to(REFUSING),)


def test_a_friend_asking_without_include_https_still_finds_a_remote_connection(client,
                                                                              store):
    """A client that leaves out ``includeHttps=1`` and tries the remote connections only
    (as for a server shared with it) has the plain http one."""
    listening(store)
    bob = store.create_account("bob")
    store.share("Home", "bob")
    answer = client.get("/api/v2/resources", headers={
        "X-Plex-Token": bob.auth_token, "Accept": "application/json"})
    [resource] = answer.get_json()
    assert resource["owned"] is False
    remote = [(c["uri"], c["protocol"]) for c in resource["connections"] if not c["local"]]
    assert remote == [(f"http://127.0.0.1:{PORT}", "http")]
