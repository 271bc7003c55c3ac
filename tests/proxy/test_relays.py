"""The app finds a relayed connection by the proxy's end of it and the port it reached:
the mock's own server and each live fake server listen on ports of their own, and the
system may give connections to two of them the same local port."""

from __future__ import annotations

from mockplex import create_app
from mockplex.app import relays_of
from mockplex.proxy.relays import Route

PROXYS_END = ("127.0.0.1", 40123)


def health(app, server_port: int) -> int:
    return app.test_client().get("/_mockplex/health", environ_overrides={
        "REMOTE_ADDR": PROXYS_END[0], "REMOTE_PORT": str(PROXYS_END[1]),
        "SERVER_PORT": str(server_port)}).status_code


def test_a_relay_to_another_port_leaves_a_direct_connection_alone():
    app = create_app()
    relays_of(app).add(PROXYS_END, 32401, Route("https", "plex.tv", "192.0.2.7"))
    assert health(app, 32500) == 200  # direct: the control API answers
    assert health(app, 32401) == 404  # relayed as plex.tv's: no control API there
    relays_of(app).discard(PROXYS_END, 32401)
    assert health(app, 32401) == 200
